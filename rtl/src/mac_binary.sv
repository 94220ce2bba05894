// Binary-weight MAC (k_w = 1, docs/architecture.md section 3) over a packed word of Lanes operand pairs:
//   acc += sum_l (w_l ? +a_l : -a_l)
// with weight bit 1 = +1 and 0 = -1. For 1-bit activations (WidthA = 1, codes {0,1}) the sum is the
// XNOR-popcount form popcount(a & w) - popcount(a & ~w) of common/numerics.h xnor_popcount_dot.
module mac_binary #(
    parameter int WidthA   = 1,   // activation code bits per lane, 1..16
    parameter int Lanes    = 8,   // operand pairs per step, 1..64
    parameter int AccWidth = 16
) (
    input  logic                       clk_i,
    input  logic                       rst_ni,
    input  logic                       clear_i,
    input  logic                       en_i,
    input  logic                       sat_i,
    input  logic [ Lanes*WidthA-1:0]   a_i,  // lane l in bits [l*WidthA +: WidthA]
    input  logic [        Lanes-1:0]   w_i,  // lane l weight: 1 = +1, 0 = -1
    input  logic signed [AccWidth-1:0] init_i,      // value a cleared sum starts from (see mac_acc)
    output logic signed [AccWidth-1:0] acc_o,
    output logic                       ovf_o,
    output logic signed [AccWidth-1:0] next_o,      // combinational: acc after this edge
    output logic                       step_ovf_o   // combinational: this step overflows
);
  if (WidthA < 1 || WidthA > 16) begin : g_bad_width_a
    $error("mac_binary: WidthA must be in 1..16");
  end
  if (Lanes < 1 || Lanes > 64) begin : g_bad_lanes
    $error("mac_binary: Lanes must be in 1..64");
  end
  localparam longint MaxSum = ((64'sd1 <<< WidthA) - 1) * Lanes;
  if (AccWidth < 2 || AccWidth > 48 || ((64'sd1 <<< (AccWidth - 1)) - 1) < MaxSum) begin : g_bad_acc
    $error("mac_binary: AccWidth is narrower than one step's sum (or outside 2..48)");
  end

  // pos and neg are each at most Lanes*(2^WidthA-1): WidthA + clog2(Lanes+1) bits.
  localparam int HalfWidth = WidthA + $clog2(Lanes + 1);
  localparam int AddWidth = HalfWidth + 1;
  logic [HalfWidth-1:0] pos, neg;
  always_comb begin
    pos = '0;
    neg = '0;
    for (int l = 0; l < Lanes; l++) begin
      if (w_i[l]) pos = pos + HalfWidth'(a_i[l*WidthA+:WidthA]);
      else neg = neg + HalfWidth'(a_i[l*WidthA+:WidthA]);
    end
  end
  logic signed [AddWidth-1:0] addend;
  assign addend = $signed({1'b0, pos}) - $signed({1'b0, neg});

  mac_acc #(
      .AddWidth(AddWidth),
      .AccWidth(AccWidth)
  ) u_acc (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .clear_i(clear_i),
      .en_i   (en_i),
      .sat_i  (sat_i),
      .init_i (init_i),
      .add_i  (addend),
      .acc_o  (acc_o),
      .ovf_o  (ovf_o),
      .next_o (next_o),
      .step_ovf_o(step_ovf_o)
  );
endmodule
