// Ternary-weight MAC (k_w = 2, docs/architecture.md section 3): no multiplier. The 2-bit weight code is two's
// complement: 2'b01 = +1 (add the activation), 2'b11 = -1 (subtract it), 2'b00 = 0 (skip: the
// accumulator is not enabled, which is where the energy saving comes from). 2'b10 (-2) is not a
// valid ternary code; it is treated as 0 (skip), documented in rtl/README.md.
module mac_ternary #(
    parameter int WidthA   = 4,  // activation code bits, 1..16
    parameter int AccWidth = 16
) (
    input  logic                       clk_i,
    input  logic                       rst_ni,
    input  logic                       clear_i,
    input  logic                       en_i,
    input  logic                       sat_i,
    input  logic        [  WidthA-1:0] a_i,
    input  logic        [         1:0] w_i,
    input  logic signed [AccWidth-1:0] init_i,      // value a cleared sum starts from (see mac_acc)
    output logic signed [AccWidth-1:0] acc_o,
    output logic                       ovf_o,
    output logic signed [AccWidth-1:0] next_o,      // combinational: acc after this edge
    output logic                       step_ovf_o   // combinational: this step overflows
);
  if (WidthA < 1 || WidthA > 16) begin : g_bad_width_a
    $error("mac_ternary: WidthA must be in 1..16");
  end
  localparam longint MaxProduct = (64'sd1 <<< WidthA) - 1;
  if (AccWidth < 2 || AccWidth > 48 || ((64'sd1 <<< (AccWidth - 1)) - 1) < MaxProduct) begin : g_bad_acc
    $error("mac_ternary: AccWidth is narrower than one product (or outside 2..48)");
  end

  localparam int AddWidth = WidthA + 1;
  logic                       nonzero;
  logic signed [AddWidth-1:0] addend;
  assign nonzero = w_i[0];  // 01 and 11 are the nonzero codes
  assign addend  = w_i[1] ? -$signed({1'b0, a_i}) : $signed({1'b0, a_i});

  mac_acc #(
      .AddWidth(AddWidth),
      .AccWidth(AccWidth)
  ) u_acc (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .clear_i(clear_i),
      // A skipped step with clear still clears: the enable only gates the add.
      .en_i   (en_i & nonzero),
      .sat_i  (sat_i),
      .init_i (init_i),
      .add_i  (addend),
      .acc_o  (acc_o),
      .ovf_o  (ovf_o),
      .next_o (next_o),
      .step_ovf_o(step_ovf_o)
  );
endmodule
