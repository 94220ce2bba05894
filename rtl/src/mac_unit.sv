// k-bit integer MAC (docs/architecture.md section 3): acc += qa * qw with an unsigned WidthA-bit activation code and a
// signed WidthW-bit weight code, in a registered AccWidth-bit accumulator (see mac_acc for clear,
// enable, overflow flag and the saturate/error mode bit).
module mac_unit #(
    parameter int WidthA   = 4,  // activation code bits, 1..16, unsigned [0, 2^WidthA-1]
    parameter int WidthW   = 4,  // weight code bits, 2..16, signed [-(2^(WidthW-1)-1), 2^(WidthW-1)-1]
    parameter int AccWidth = 16  // accumulator bits; must hold one product
) (
    input  logic                       clk_i,
    input  logic                       rst_ni,
    input  logic                       clear_i,
    input  logic                       en_i,
    input  logic                       sat_i,
    input  logic        [  WidthA-1:0] a_i,
    input  logic signed [  WidthW-1:0] w_i,
    input  logic signed [AccWidth-1:0] init_i,      // value a cleared sum starts from (see mac_acc)
    output logic signed [AccWidth-1:0] acc_o,
    output logic                       ovf_o,
    output logic signed [AccWidth-1:0] next_o,      // combinational: acc after this edge
    output logic                       step_ovf_o   // combinational: this step overflows
);
  if (WidthA < 1 || WidthA > 16) begin : g_bad_width_a
    $error("mac_unit: WidthA must be in 1..16");
  end
  if (WidthW < 2 || WidthW > 16) begin : g_bad_width_w
    $error("mac_unit: WidthW must be in 2..16 (1-bit weights use mac_binary)");
  end
  // Largest |qa*qw| (valid codes); the accumulator must hold it: 2^(AccWidth-1)-1 >= MaxProduct.
  localparam longint MaxProduct = ((64'sd1 <<< WidthA) - 1) * ((64'sd1 <<< (WidthW - 1)) - 1);
  if (AccWidth < 2 || AccWidth > 48 || ((64'sd1 <<< (AccWidth - 1)) - 1) < MaxProduct) begin : g_bad_acc
    $error("mac_unit: AccWidth is narrower than one product (or outside 2..48)");
  end

  localparam int ProdWidth = WidthA + WidthW;  // unsigned x signed: WidthA+WidthW bits suffice
  logic signed [ProdWidth-1:0] product;
  assign product = ProdWidth'($signed({1'b0, a_i})) * ProdWidth'(w_i);

  mac_acc #(
      .AddWidth(ProdWidth),
      .AccWidth(AccWidth)
  ) u_acc (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .clear_i(clear_i),
      .en_i   (en_i),
      .sat_i  (sat_i),
      .init_i (init_i),
      .add_i  (product),
      .acc_o  (acc_o),
      .ovf_o  (ovf_o),
      .next_o (next_o),
      .step_ovf_o(step_ovf_o)
  );
endmodule
