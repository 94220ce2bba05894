// Processing element of the output-stationary array (the PE of the SystemC MacArray, docs/sim-model.md):
//  - operand registers: the activation (with its valid/first/last step flags) moves one PE east per
//    cycle, the weight (with its valid flag) one PE south per cycle;
//  - the accumulator: the MAC of kind PeKind (pe_mac) adds a*w when both operands are valid; `first`
//    starts a new dot product from init_i (0, or a partial sum of a split reduction), `last` marks
//    its final term;
//  - a northward drain chain: one cycle after its last term the PE offers its accumulator and
//    overflow flag to the PE above; otherwise it offers what the PE below offered a cycle earlier.
// Operand and result widths follow wrpn_pkg (binary: Lanes packed pairs; FP32: 32-bit words).
module pe #(
    parameter int PeKind   = wrpn_pkg::PeInt,  // wrpn_pkg::pe_kind_e: int, ternary, binary, fp32
    parameter int WidthA   = 8,  // activation code bits (per lane for binary)
    parameter int WidthW   = 8,  // weight code bits: 2..16 for int, 2 for ternary, 1 for binary
    parameter int Lanes    = 1,  // binary: operand pairs per step
    parameter int AccWidth = 24  // integer accumulator bits (FP32: 32-bit words regardless)
) (
    input  logic                                                 clk_i,
    input  logic                                                 rst_ni,
    input  logic                                                 sat_i,
    // from the west neighbour (or the row's skew register)
    input  logic [wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes)-1:0] a_i,
    input  logic                                                 a_valid_i,
    input  logic                                                 first_i,
    input  logic                                                 last_i,
    // to the east neighbour
    output logic [wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes)-1:0] a_o,
    output logic                                                 a_valid_o,
    output logic                                                 first_o,
    output logic                                                 last_o,
    // from the north neighbour (or the column's skew register), to the south neighbour
    input  logic [wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes)-1:0] w_i,
    input  logic                                                 w_valid_i,
    output logic [wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes)-1:0] w_o,
    output logic                                                 w_valid_o,
    // the value this PE's next dot product starts from, read in the cycle of its first term
    input  logic [   wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] init_i,
    // drain chain: from the PE below, to the PE above
    input  logic [   wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] res_i,
    input  logic                                                 res_valid_i,
    input  logic                                                 res_ovf_i,
    output logic [   wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] res_o,
    output logic                                                 res_valid_o,
    output logic                                                 res_ovf_o
);
  localparam int ABits = wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes);
  localparam int WBits = wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes);
  localparam int RBits = wrpn_pkg::pe_acc_bits(PeKind, AccWidth);

  logic en, clear;
  logic [RBits-1:0] acc;
  logic ovf;
  logic [RBits-1:0] unused_next;
  logic unused_step_ovf;
  assign en    = a_valid_i & w_valid_i;
  assign clear = en & first_i;

  pe_mac #(
      .PeKind  (PeKind),
      .WidthA  (WidthA),
      .WidthW  (WidthW),
      .Lanes   (Lanes),
      .AccWidth(AccWidth)
  ) u_mac (
      .clk_i     (clk_i),
      .rst_ni    (rst_ni),
      .clear_i   (clear),
      .en_i      (en),
      .sat_i     (sat_i),
      .a_i       (a_i),
      .w_i       (w_i),
      .init_i    (init_i),
      .acc_o     (acc),
      .ovf_o     (ovf),
      .next_o    (unused_next),
      .step_ovf_o(unused_step_ovf)
  );

  logic [ABits-1:0] a_q;
  logic [WBits-1:0] w_q;
  logic a_valid_q, first_q, last_q, w_valid_q, done_q;
  logic [RBits-1:0] res_q;
  logic res_valid_q, res_ovf_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      a_q         <= '0;
      w_q         <= '0;
      a_valid_q   <= 1'b0;
      first_q     <= 1'b0;
      last_q      <= 1'b0;
      w_valid_q   <= 1'b0;
      done_q      <= 1'b0;
      res_q       <= '0;
      res_valid_q <= 1'b0;
      res_ovf_q   <= 1'b0;
    end else begin
      a_q         <= a_i;
      a_valid_q   <= a_valid_i;
      first_q     <= first_i;
      last_q      <= last_i;
      w_q         <= w_i;
      w_valid_q   <= w_valid_i;
      done_q      <= en & last_i;  // the accumulator register holds the final sum in the next cycle
      res_q       <= res_i;
      res_valid_q <= res_valid_i;
      res_ovf_q   <= res_ovf_i;
`ifndef SYNTHESIS
      // Within one tile the slot is free by construction (row r's result reaches row r-1 one cycle
      // after row r-1 offered its own); a tile started early would lose a result here.
      if (done_q && res_valid_q) $error("pe: drain collision, a result from below was dropped");
`endif
    end
  end

  // Drain: in the cycle after its last term the PE offers its accumulator register directly (no
  // copy into a result register, so the first result leaves the array in that cycle); otherwise it
  // offers what it took from the PE below one cycle earlier. Row r of column c therefore leaves the
  // top edge in cycle K + 2r + c (first operand in = cycle 0), and a tile of R x C used PEs takes
  // K + 2R + C - 2 cycles from first operand in to last result out, inclusive: the sim's tile_cycles.
  assign a_o         = a_q;
  assign a_valid_o   = a_valid_q;
  assign first_o     = first_q;
  assign last_o      = last_q;
  assign w_o         = w_q;
  assign w_valid_o   = w_valid_q;
  assign res_o       = done_q ? acc : res_q;
  assign res_valid_o = done_q | res_valid_q;
  assign res_ovf_o   = done_q ? ovf : res_ovf_q;
endmodule
