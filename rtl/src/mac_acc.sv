// Registered two's-complement accumulator shared by every integer MAC variant (docs/architecture.md section 3):
//   acc <- (clear ? init : acc) + addend   when en_i,   acc <- (clear ? init : acc) otherwise.
// clear_i together with en_i starts a new dot product without a bubble (acc <- init + addend);
// init_i is 0 for a fresh dot product and a partial sum for a split reduction.
// Overflow is never silent: ovf_o is sticky until the next clear and is set when the exact sum left
// [-2^(AccWidth-1), 2^(AccWidth-1)-1]. sat_i selects the configured mode: 1 clamps the value to that
// range (saturate mode), 0 keeps the low AccWidth bits (error mode: the value is then meaningless
// and the flag is what the controller reports).
// next_o and step_ovf_o show, combinationally, the value the register takes at the next edge and
// whether this step overflowed: a stationary-operand PE (pe_stationary) passes its partial sum on
// from them.
module mac_acc #(
    parameter int AddWidth = 8,  // width of the signed addend (bits)
    parameter int AccWidth = 16  // width of the signed accumulator (bits)
) (
    input  logic                       clk_i,
    input  logic                       rst_ni,
    input  logic                       clear_i,
    input  logic                       en_i,
    input  logic                       sat_i,
    input  logic signed [AccWidth-1:0] init_i,
    input  logic signed [AddWidth-1:0] add_i,
    output logic signed [AccWidth-1:0] acc_o,
    output logic                       ovf_o,
    output logic signed [AccWidth-1:0] next_o,
    output logic                       step_ovf_o
);
  if (AddWidth < 1 || AccWidth < 2 || AccWidth > 48) begin : g_bad_params
    $error("mac_acc: need AddWidth >= 1 and AccWidth in 2..48");
  end

  // One guard bit above the wider operand holds any sum exactly.
  localparam int SumWidth = (AccWidth > AddWidth ? AccWidth : AddWidth) + 1;

  logic signed [AccWidth-1:0] acc_q, base;
  logic                       ovf_q;
  logic signed [SumWidth-1:0] sum;
  logic                       out_of_range;
  logic signed [AccWidth-1:0] sum_fit;

  assign base = clear_i ? init_i : acc_q;
  assign sum = SumWidth'(base) + SumWidth'(add_i);
  // In range iff the bits from AccWidth-1 upwards are all copies of the sign bit.
  assign out_of_range = (sum[SumWidth-1:AccWidth-1] != '0) && (sum[SumWidth-1:AccWidth-1] != '1);
  always_comb begin
    if (out_of_range && sat_i) begin
      sum_fit = sum[SumWidth-1] ? {1'b1, {(AccWidth - 1) {1'b0}}} : {1'b0, {(AccWidth - 1) {1'b1}}};
    end else begin
      sum_fit = sum[AccWidth-1:0];
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_q <= '0;
      ovf_q <= 1'b0;
    end else begin
      acc_q <= en_i ? sum_fit : base;
      ovf_q <= (clear_i ? 1'b0 : ovf_q) | (en_i & out_of_range);
    end
  end

  assign acc_o      = acc_q;
  assign ovf_o      = ovf_q;
  assign next_o     = en_i ? sum_fit : base;
  assign step_ovf_o = en_i & out_of_range;
endmodule
