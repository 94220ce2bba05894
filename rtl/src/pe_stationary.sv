// Processing element of the stationary-operand arrays (mac_array_stationary: the WS and IS dataflows
// of the SystemC MacArray, docs/sim-model.md). HoldWeights selects which operand stays in the PE:
// 1 the weight (weight stationary, mac_array_ws), 0 the activation (input stationary, SCALE-Sim's IS,
// mac_array_is). The other operand is streamed; the structure is the same either way:
//  - a stationary operand register, loaded from the PE above while s_load_i is high (the column is a
//    shift chain: one array row per cycle, the first row presented ends up at the bottom);
//  - the streamed operand (with its valid bit) moves one PE east per cycle;
//  - the partial sum flows south: the PE adds a*w to the partial sum from the PE above (pe_mac with
//    clear and init = that partial sum, so saturation and the overflow flag are mac_acc's) and
//    registers it for the PE below, together with the overflow flag of the output so far;
//  - sum_o / sum_ovf_o / sum_valid_o show this cycle's sum combinationally: the array takes the
//    result from the bottom used row in the cycle that row handles it. A sum is valid when both the
//    streamed operand and the partial sum are (each lane carries a valid bit: an operand left over
//    from the previous tile in a column that tile did not use meets no valid partial sum).
module pe_stationary #(
    parameter bit HoldWeights = 1'b1,  // 1: weights stationary, activations streamed; 0: the reverse
    parameter int PeKind   = wrpn_pkg::PeInt,  // wrpn_pkg::pe_kind_e: int, ternary, binary, fp32
    parameter int WidthA   = 8,  // activation code bits (per lane for binary)
    parameter int WidthW   = 8,  // weight code bits: 2..16 for int, 2 for ternary, 1 for binary
    parameter int Lanes    = 1,  // binary: operand pairs per step
    parameter int AccWidth = 24  // integer partial-sum bits (FP32: 32-bit words regardless)
) (
    input  logic clk_i,
    input  logic rst_ni,
    input  logic sat_i,
    // streamed operand (activation if HoldWeights, else weight) from the west neighbour (or the
    // row's skew register), to the east neighbour
    input  logic [(HoldWeights ? wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes) : wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes))-1:0] t_i,
    input  logic t_valid_i,
    output logic [(HoldWeights ? wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes) : wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes))-1:0] t_o,
    output logic t_valid_o,
    // stationary operand (weight if HoldWeights, else activation) shift chain: from the PE above (or
    // the column lane), this PE's operand to the PE below
    input  logic s_load_i,
    input  logic [(HoldWeights ? wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes) : wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes))-1:0] s_i,
    output logic [(HoldWeights ? wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes) : wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes))-1:0] s_o,
    // partial sums: from the PE above (or the column's skewed partial-sum input), to the PE below
    input  logic [wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] psum_i,
    input  logic psum_ovf_i,
    input  logic psum_valid_i,
    output logic [wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] psum_o,
    output logic psum_ovf_o,
    output logic psum_valid_o,
    // this cycle's sum (combinational)
    output logic [wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] sum_o,
    output logic sum_ovf_o,
    output logic sum_valid_o
);
  localparam int ABits = wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes);
  localparam int WBits = wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes);
  localparam int RBits = wrpn_pkg::pe_acc_bits(PeKind, AccWidth);
  localparam int TBits = HoldWeights ? ABits : WBits;
  localparam int SBits = HoldWeights ? WBits : ABits;

  logic [TBits-1:0] t_q;
  logic [SBits-1:0] s_q;
  logic t_valid_q, ovf_q, psum_valid_q;
  logic [ABits-1:0] mac_a;
  logic [WBits-1:0] mac_w;
  logic [RBits-1:0] next;
  logic step_ovf;
  logic unused_ovf;

  if (HoldWeights) begin : g_hold_w
    assign mac_a = t_i;
    assign mac_w = s_q;
  end else begin : g_hold_a
    assign mac_a = s_q;
    assign mac_w = t_i;
  end

  // clear_i every cycle with init_i = the incoming partial sum: the register takes psum_i + a*w
  // (valid step) or psum_i (bubble), exactly one mac_acc step from psum_i.
  pe_mac #(
      .PeKind  (PeKind),
      .WidthA  (WidthA),
      .WidthW  (WidthW),
      .Lanes   (Lanes),
      .AccWidth(AccWidth)
  ) u_mac (
      .clk_i     (clk_i),
      .rst_ni    (rst_ni),
      .clear_i   (1'b1),
      .en_i      (t_valid_i),
      .sat_i     (sat_i),
      .a_i       (mac_a),
      .w_i       (mac_w),
      .init_i    (psum_i),
      .acc_o     (psum_o),
      .ovf_o     (unused_ovf),
      .next_o    (next),
      .step_ovf_o(step_ovf)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      t_q          <= '0;
      t_valid_q    <= 1'b0;
      s_q          <= '0;
      ovf_q        <= 1'b0;
      psum_valid_q <= 1'b0;
    end else begin
      t_q          <= t_i;
      t_valid_q    <= t_valid_i;
      if (s_load_i) s_q <= s_i;
      ovf_q        <= psum_ovf_i | step_ovf;
      psum_valid_q <= psum_valid_i;
    end
  end

  assign t_o          = t_q;
  assign t_valid_o    = t_valid_q;
  assign s_o          = s_q;
  assign psum_ovf_o   = ovf_q;
  assign sum_o        = next;
  assign sum_ovf_o    = psum_ovf_i | step_ovf;
  assign psum_valid_o = psum_valid_q;
  assign sum_valid_o  = t_valid_i & psum_valid_i;
endmodule
