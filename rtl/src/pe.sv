// Processing element of the output-stationary array (the PE of the SystemC MacArray, DESIGN.md 6):
//  - operand registers: the activation (with its valid/first/last step flags) moves one PE east per
//    cycle, the weight (with its valid flag) one PE south per cycle;
//  - the accumulator: a MAC of kind PeKind adds a*w when both operands are valid; `first` starts a
//    new dot product, `last` marks its final term;
//  - a northward drain chain: one cycle after its last term the PE offers its accumulator and
//    overflow flag to the PE above; otherwise it offers what the PE below offered a cycle earlier.
module pe #(
    parameter int PeKind   = 0,  // 0 = int (mac_unit), 1 = ternary (mac_ternary), 2 = binary (mac_binary)
    parameter int WidthA   = 8,  // activation code bits
    parameter int WidthW   = 8,  // weight code bits: 2..16 for int, 2 for ternary, 1 for binary
    parameter int AccWidth = 24
) (
    input  logic                clk_i,
    input  logic                rst_ni,
    input  logic                sat_i,
    // from the west neighbour (or the row's skew register)
    input  logic [  WidthA-1:0] a_i,
    input  logic                a_valid_i,
    input  logic                first_i,
    input  logic                last_i,
    // to the east neighbour
    output logic [  WidthA-1:0] a_o,
    output logic                a_valid_o,
    output logic                first_o,
    output logic                last_o,
    // from the north neighbour (or the column's skew register), to the south neighbour
    input  logic [  WidthW-1:0] w_i,
    input  logic                w_valid_i,
    output logic [  WidthW-1:0] w_o,
    output logic                w_valid_o,
    // drain chain: from the PE below, to the PE above
    input  logic [AccWidth-1:0] res_i,
    input  logic                res_valid_i,
    input  logic                res_ovf_i,
    output logic [AccWidth-1:0] res_o,
    output logic                res_valid_o,
    output logic                res_ovf_o
);
  if (PeKind < 0 || PeKind > 2) begin : g_bad_kind
    $error("pe: PeKind must be 0 (int), 1 (ternary) or 2 (binary)");
  end
  if ((PeKind == 1 && WidthW != 2) || (PeKind == 2 && WidthW != 1)) begin : g_bad_width_w
    $error("pe: ternary PEs need WidthW = 2 and binary PEs WidthW = 1");
  end

  logic en, clear;
  logic signed [AccWidth-1:0] acc;
  logic ovf;
  assign en    = a_valid_i & w_valid_i;
  assign clear = en & first_i;

  if (PeKind == 0) begin : g_int
    mac_unit #(
        .WidthA  (WidthA),
        .WidthW  (WidthW),
        .AccWidth(AccWidth)
    ) u_mac (
        .clk_i  (clk_i),
        .rst_ni (rst_ni),
        .clear_i(clear),
        .en_i   (en),
        .sat_i  (sat_i),
        .a_i    (a_i),
        .w_i    (w_i),
        .acc_o  (acc),
        .ovf_o  (ovf)
    );
  end else if (PeKind == 1) begin : g_ternary
    mac_ternary #(
        .WidthA  (WidthA),
        .AccWidth(AccWidth)
    ) u_mac (
        .clk_i  (clk_i),
        .rst_ni (rst_ni),
        .clear_i(clear),
        .en_i   (en),
        .sat_i  (sat_i),
        .a_i    (a_i),
        .w_i    (w_i),
        .acc_o  (acc),
        .ovf_o  (ovf)
    );
  end else begin : g_binary
    mac_binary #(
        .WidthA  (WidthA),
        .Lanes   (1),
        .AccWidth(AccWidth)
    ) u_mac (
        .clk_i  (clk_i),
        .rst_ni (rst_ni),
        .clear_i(clear),
        .en_i   (en),
        .sat_i  (sat_i),
        .a_i    (a_i),
        .w_i    (w_i),
        .acc_o  (acc),
        .ovf_o  (ovf)
    );
  end

  logic [WidthA-1:0] a_q;
  logic [WidthW-1:0] w_q;
  logic a_valid_q, first_q, last_q, w_valid_q, done_q;
  logic [AccWidth-1:0] res_q;
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
