// Rows x Cols output-stationary systolic tile (docs/sim-model.md; rtl/README.md has the timing contract).
// O[r][c] = I[r][c] + sum_k A[r][k] * W[k][c]. Every cycle with in_valid_i the controller presents
// one k step unskewed: A[r][k] on row lane r and W[k][c] on column lane c, with first_i on k = 0 and
// last_i on k = K-1. The array skews them itself (row r is delayed r cycles, column c is delayed c
// cycles), so PE(r,c) sees step k at cycle k + r + c. I[r][c] (acc_i: 0 for a fresh tile, the
// partial sum of a split reduction otherwise) is read by PE(r,c) in the cycle of its first term,
// cycle r + c: the controller holds acc_i from cycle 0 to cycle R + C - 2 of the tile (a partial-sum
// register bank beside the array, filled while the previous tile drains). Finished sums drain north
// through each column's result chain and leave on res_o[c] with res_valid_o[c], top row first, one
// result every two cycles (row r of column c in cycle K + 2r + c after the first step; see pe).
// Unused rows/columns of a partial tile have their lane valid bit low and produce no result.
// Lane and result widths follow wrpn_pkg: WidthA/WidthW bits (int, ternary), Lanes packed pairs
// (binary), 32-bit words (FP32).
module mac_array #(
    parameter int Rows     = 4,
    parameter int Cols     = 4,
    parameter int PeKind   = wrpn_pkg::PeInt,  // wrpn_pkg::pe_kind_e (see pe)
    parameter int WidthA   = 8,
    parameter int WidthW   = 8,
    parameter int Lanes    = 1,
    parameter int AccWidth = 24
) (
    input  logic                                                           clk_i,
    input  logic                                                           rst_ni,
    input  logic                                                           sat_i,          // 1 = saturate mode, 0 = error mode (flag only)
    input  logic                                                           in_valid_i,     // a k step is presented this cycle
    input  logic                                                           first_i,        // it is k = 0
    input  logic                                                           last_i,         // it is k = K-1
    input  logic [     Rows*wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes)-1:0] a_i,            // row lane r in bits [r*ABits +: ABits]
    input  logic [                                                Rows-1:0] a_row_valid_i,  // rows used by this tile
    input  logic [     Cols*wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes)-1:0] w_i,            // column lane c in bits [c*WBits +: WBits]
    input  logic [                                                Cols-1:0] w_col_valid_i,  // columns used by this tile
    input  logic [Rows*Cols*wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] acc_i,          // PE(r,c) in bits [(r*Cols+c)*RBits +: RBits]
    output logic [     Cols*wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] res_o,          // column c in bits [c*RBits +: RBits]
    output logic [                                                Cols-1:0] res_valid_o,
    output logic [                                                Cols-1:0] res_ovf_o
);
  localparam int ABits = wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes);
  localparam int WBits = wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes);
  localparam int RBits = wrpn_pkg::pe_acc_bits(PeKind, AccWidth);
  if (Rows < 1 || Rows > 64) begin : g_bad_rows
    $error("mac_array: Rows must be in 1..64 (an array of zero rows computes nothing)");
  end
  if (Cols < 1 || Cols > 64) begin : g_bad_cols
    $error("mac_array: Cols must be in 1..64");
  end

  // ---------------------------------------------------------------- input skew
  // Lanes are packed vectors, nets are unpacked arrays with one element per lane, and every delay
  // stage is its own register (delay_line): Yosys 0.23 reads neither structs with assignment
  // patterns nor multi-dimensional packed arrays, and Verilator simulates a net built as one wide
  // flat vector through wide concatenations (slower by an order of magnitude on a 16x16 tile).
  // Activation lane = {a, valid, first, last}; weight lane = {w, valid}.
  localparam int LaneA = ABits + 3;
  localparam int LaneW = WBits + 1;

  logic [LaneA-1:0] row_in[Rows];  // enters PE(r,0)
  logic [LaneW-1:0] col_in[Cols];  // enters PE(0,c)

  // Row r is delayed r cycles, column c is delayed c cycles.
  for (genvar r = 0; r < Rows; r++) begin : g_row_skew
    delay_line #(
        .Width(LaneA),
        .Depth(r)
    ) u_skew (
        .clk_i (clk_i),
        .rst_ni(rst_ni),
        .d_i   ({a_i[r*ABits+:ABits], in_valid_i & a_row_valid_i[r], first_i, last_i}),
        .q_o   (row_in[r])
    );
  end

  for (genvar c = 0; c < Cols; c++) begin : g_col_skew
    delay_line #(
        .Width(LaneW),
        .Depth(c)
    ) u_skew (
        .clk_i (clk_i),
        .rst_ni(rst_ni),
        .d_i   ({w_i[c*WBits+:WBits], in_valid_i & w_col_valid_i[c]}),
        .q_o   (col_in[c])
    );
  end

  // ---------------------------------------------------------------- PE grid
  // Element (r, c) of a_net enters PE(r,c) from the west (c = Cols: the east edge, unused); of
  // w_net enters PE(r,c) from the north (r = Rows: the south edge, unused); of res_net is what
  // PE(r,c) offers north (r = Rows: the empty entry below the bottom row).
  localparam int ANets = Rows * (Cols + 1);
  localparam int WNets = (Rows + 1) * Cols;
  logic [LaneA-1:0] a_net[ANets];
  logic [LaneW-1:0] w_net[WNets];
  logic [RBits-1:0] res_net[WNets];
  logic res_valid_net[WNets];
  logic res_ovf_net[WNets];

  for (genvar r = 0; r < Rows; r++) begin : g_west
    assign a_net[r*(Cols+1)] = row_in[r];
  end
  for (genvar c = 0; c < Cols; c++) begin : g_edges
    assign w_net[c] = col_in[c];
    assign res_net[Rows*Cols+c] = '0;
    assign res_valid_net[Rows*Cols+c] = 1'b0;
    assign res_ovf_net[Rows*Cols+c] = 1'b0;
  end

  for (genvar r = 0; r < Rows; r++) begin : g_r
    for (genvar c = 0; c < Cols; c++) begin : g_c
      localparam int AIn = r * (Cols + 1) + c;  // west input lane of PE(r,c); AIn + 1 is its east output
      localparam int WIn = r * Cols + c;        // north input lane; WIn + Cols is its south output
      pe #(
          .PeKind  (PeKind),
          .WidthA  (WidthA),
          .WidthW  (WidthW),
          .Lanes   (Lanes),
          .AccWidth(AccWidth)
      ) u_pe (
          .clk_i      (clk_i),
          .rst_ni     (rst_ni),
          .sat_i      (sat_i),
          .a_i        (a_net[AIn][LaneA-1:3]),
          .a_valid_i  (a_net[AIn][2]),
          .first_i    (a_net[AIn][1]),
          .last_i     (a_net[AIn][0]),
          .a_o        (a_net[AIn+1][LaneA-1:3]),
          .a_valid_o  (a_net[AIn+1][2]),
          .first_o    (a_net[AIn+1][1]),
          .last_o     (a_net[AIn+1][0]),
          .w_i        (w_net[WIn][LaneW-1:1]),
          .w_valid_i  (w_net[WIn][0]),
          .w_o        (w_net[WIn+Cols][LaneW-1:1]),
          .w_valid_o  (w_net[WIn+Cols][0]),
          .init_i     (acc_i[(r*Cols+c)*RBits+:RBits]),
          .res_i      (res_net[WIn+Cols]),
          .res_valid_i(res_valid_net[WIn+Cols]),
          .res_ovf_i  (res_ovf_net[WIn+Cols]),
          .res_o      (res_net[WIn]),
          .res_valid_o(res_valid_net[WIn]),
          .res_ovf_o  (res_ovf_net[WIn])
      );
    end
  end

  for (genvar c = 0; c < Cols; c++) begin : g_out
    assign res_o[c*RBits+:RBits] = res_net[c];
    assign res_valid_o[c] = res_valid_net[c];
    assign res_ovf_o[c] = res_ovf_net[c];
  end
endmodule
