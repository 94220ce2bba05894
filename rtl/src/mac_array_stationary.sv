// Rows x Cols stationary-operand systolic tile (docs/sim-model.md; rtl/README.md has the timing
// contracts). HoldWeights selects the dataflow (pe_stationary): 1 weight stationary (mac_array_ws),
// 0 input stationary (SCALE-Sim's IS, mac_array_is); the wrappers name the ports after the operands.
// Row r of the array is reduction index r; S is the stationary operand, T the streamed one:
//   WS: O[m][c] = I[m][c] + sum_r X[m][r] * W[r][c]  (S = W, column c = output channel, T = X, m = pixel)
//   IS: O[c][n] = I[c][n] + sum_r X[c][r] * W[n][r]  (S = X, column c = output pixel, T = W, n = channel)
//  1. Load: for R cycles (R = rows used) the controller holds s_load_i and presents one row of S on
//     the column lanes, the last used row first. The rows shift down one PE per cycle (a broadcast
//     load enable, no skew), so S row r ends in array row r.
//  2. Stream: one T vector (index m) per cycle with in_valid_i, unskewed: its element r on row lane
//     r and the partial sum of (column c, m) on partial-sum lane c (0 for the first reduction tile,
//     the previous reduction tile's result otherwise). The array delays row r by r cycles and
//     partial-sum lane c by c cycles, so PE(r,c) handles m in cycle R + m + r + c (cycle 0 = the
//     first load cycle); partial sums flow down the columns.
//  3. Result: the sum of (c, m) is the combinational output of the bottom used row (PE(R-1,c)) in
//     the cycle it handles m, cycle 2R - 1 + m + c, on res_o[c] with res_valid_o[c]: a tile takes
//     2R + C + M - 2 cycles from the first S row in to the last result out, inclusive
//     (mapping/tile_engine.h). Rows below the last used one are bypassed by the output select (the
//     highest set bit of t_row_valid_i, which must be a contiguous mask from row 0).
// t_row_valid_i is held for the whole tile (it selects the output row); both masks gate the valid
// bits of the lanes, so a result is valid only where a valid streamed operand meets a valid partial
// sum.
module mac_array_stationary #(
    parameter bit HoldWeights = 1'b1,  // 1: weight stationary, 0: input stationary
    parameter int Rows     = 4,
    parameter int Cols     = 4,
    parameter int PeKind   = wrpn_pkg::PeInt,  // wrpn_pkg::pe_kind_e (see pe_stationary)
    parameter int WidthA   = 8,
    parameter int WidthW   = 8,
    parameter int Lanes    = 1,
    parameter int AccWidth = 24
) (
    input  logic clk_i,
    input  logic rst_ni,
    input  logic sat_i,           // 1 = saturate mode, 0 = error mode (flag only)
    input  logic s_load_i,        // a row of the stationary operand is presented this cycle
    // column lane c in bits [c*SBits +: SBits]
    input  logic [Cols*(HoldWeights ? wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes) : wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes))-1:0] s_i,
    input  logic in_valid_i,      // a streamed vector is presented this cycle
    // row lane r in bits [r*TBits +: TBits]
    input  logic [Rows*(HoldWeights ? wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes) : wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes))-1:0] t_i,
    input  logic [Cols*wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] psum_i,  // partial-sum lane c in bits [c*RBits +: RBits]
    input  logic [Rows-1:0] t_row_valid_i,  // rows used (contiguous from row 0)
    input  logic [Cols-1:0] s_col_valid_i,  // columns used
    output logic [Cols*wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] res_o,  // column c in bits [c*RBits +: RBits]
    output logic [Cols-1:0] res_valid_o,
    output logic [Cols-1:0] res_ovf_o
);
  if (Rows < 1 || Rows > 64) begin : g_bad_rows
    $error("mac_array_stationary: Rows must be in 1..64 (an array of zero rows computes nothing)");
  end
  if (Cols < 1 || Cols > 64) begin : g_bad_cols
    $error("mac_array_stationary: Cols must be in 1..64");
  end
  localparam int ABits = wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes);
  localparam int WBits = wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes);
  localparam int RBits = wrpn_pkg::pe_acc_bits(PeKind, AccWidth);
  localparam int TBits = HoldWeights ? ABits : WBits;  // streamed operand
  localparam int SBits = HoldWeights ? WBits : ABits;  // stationary operand

  // ---------------------------------------------------------------- input skew
  // Same structure as mac_array (delay_line registers, unpacked nets: see there why).
  localparam int LaneT = TBits + 1;  // {t, valid}
  logic [LaneT-1:0] row_in[Rows];    // enters PE(r,0)
  localparam int LaneP = RBits + 1;  // {psum, valid}
  logic [LaneP-1:0] col_in[Cols];    // enters PE(0,c) from the north

  // Row r is delayed r cycles, partial-sum lane c is delayed c cycles.
  for (genvar r = 0; r < Rows; r++) begin : g_row_skew
    delay_line #(
        .Width(LaneT),
        .Depth(r)
    ) u_skew (
        .clk_i (clk_i),
        .rst_ni(rst_ni),
        .d_i   ({t_i[r*TBits+:TBits], in_valid_i & t_row_valid_i[r]}),
        .q_o   (row_in[r])
    );
  end

  for (genvar c = 0; c < Cols; c++) begin : g_col_skew
    delay_line #(
        .Width(LaneP),
        .Depth(c)
    ) u_skew (
        .clk_i (clk_i),
        .rst_ni(rst_ni),
        .d_i   ({psum_i[c*RBits+:RBits], in_valid_i & s_col_valid_i[c]}),
        .q_o   (col_in[c])
    );
  end

  // ---------------------------------------------------------------- PE grid
  // t_net[r*(Cols+1)+c] enters PE(r,c) from the west (c = Cols: east edge, unused); s_net, psum_net
  // and psum_ovf_net[r*Cols+c] enter PE(r,c) from the north (r = Rows: below the bottom row,
  // unused); sum_net/sum_ovf_net/sum_valid_net[r*Cols+c] is PE(r,c)'s combinational sum.
  localparam int TNets = Rows * (Cols + 1);
  localparam int SNets = (Rows + 1) * Cols;
  logic [LaneT-1:0] t_net[TNets];
  logic [SBits-1:0] s_net[SNets];
  logic [RBits-1:0] psum_net[SNets];
  logic psum_ovf_net[SNets];
  logic psum_valid_net[SNets];
  logic [RBits-1:0] sum_net[Rows*Cols];
  logic sum_ovf_net[Rows*Cols];
  logic sum_valid_net[Rows*Cols];

  for (genvar r = 0; r < Rows; r++) begin : g_west
    assign t_net[r*(Cols+1)] = row_in[r];
  end
  for (genvar c = 0; c < Cols; c++) begin : g_north
    assign s_net[c] = s_i[c*SBits+:SBits];
    assign psum_net[c] = col_in[c][LaneP-1:1];
    assign psum_valid_net[c] = col_in[c][0];
    assign psum_ovf_net[c] = 1'b0;
  end

  for (genvar r = 0; r < Rows; r++) begin : g_r
    for (genvar c = 0; c < Cols; c++) begin : g_c
      localparam int TIn = r * (Cols + 1) + c;
      localparam int SIn = r * Cols + c;
      pe_stationary #(
          .HoldWeights(HoldWeights),
          .PeKind  (PeKind),
          .WidthA  (WidthA),
          .WidthW  (WidthW),
          .Lanes   (Lanes),
          .AccWidth(AccWidth)
      ) u_pe (
          .clk_i      (clk_i),
          .rst_ni     (rst_ni),
          .sat_i      (sat_i),
          .t_i        (t_net[TIn][LaneT-1:1]),
          .t_valid_i  (t_net[TIn][0]),
          .t_o        (t_net[TIn+1][LaneT-1:1]),
          .t_valid_o  (t_net[TIn+1][0]),
          .s_load_i   (s_load_i),
          .s_i        (s_net[SIn]),
          .s_o        (s_net[SIn+Cols]),
          .psum_i     (psum_net[SIn]),
          .psum_ovf_i (psum_ovf_net[SIn]),
          .psum_valid_i(psum_valid_net[SIn]),
          .psum_o     (psum_net[SIn+Cols]),
          .psum_ovf_o (psum_ovf_net[SIn+Cols]),
          .psum_valid_o(psum_valid_net[SIn+Cols]),
          .sum_o      (sum_net[SIn]),
          .sum_ovf_o  (sum_ovf_net[SIn]),
          .sum_valid_o(sum_valid_net[SIn])
      );
    end
  end

  // Nets of the south edge (stationary operands, partial sums) and of the east edge (streamed
  // operands) are unused.
  logic unused_south;
  always_comb begin
    unused_south = 1'b0;
    for (int c = 0; c < Cols; c++) unused_south = unused_south ^ (^s_net[Rows*Cols+c]) ^ (^psum_net[Rows*Cols+c]) ^ psum_ovf_net[Rows*Cols+c] ^
                                    psum_valid_net[Rows*Cols+c];
    for (int r = 0; r < Rows; r++) unused_south = unused_south ^ (^t_net[r*(Cols+1)+Cols]);
  end

  // ---------------------------------------------------------------- output select
  // bottom[r]: row r is the last used row; each column shows that row's combinational sum.
  logic [Rows-1:0] bottom;
  for (genvar r = 0; r < Rows; r++) begin : g_bottom
    if (r == Rows - 1) begin : g_last
      assign bottom[r] = t_row_valid_i[r];
    end else begin : g_inner
      assign bottom[r] = t_row_valid_i[r] & ~t_row_valid_i[r+1];
    end
  end
  always_comb begin
    res_o       = '0;
    res_valid_o = '0;
    res_ovf_o   = '0;
    for (int c = 0; c < Cols; c++) begin
      for (int r = 0; r < Rows; r++) begin
        if (bottom[r]) begin
          res_o[c*RBits+:RBits] = res_o[c*RBits+:RBits] | sum_net[r*Cols+c];
          res_valid_o[c]        = res_valid_o[c] | sum_valid_net[r*Cols+c];
          res_ovf_o[c]          = res_ovf_o[c] | (sum_ovf_net[r*Cols+c] & sum_valid_net[r*Cols+c]);
        end
      end
    end
  end
endmodule
