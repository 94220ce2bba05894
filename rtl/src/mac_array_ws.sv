// Rows x Cols weight-stationary systolic tile (docs/sim-model.md; rtl/README.md has the timing contract).
// O[m][c] = I[m][c] + sum_r X[m][r] * W[r][c], r over the rows the tile uses (the reduction) and m
// over the pixels streamed through the stationary weights.
//  1. Weight load: for R cycles (R = rows used) the controller holds w_load_i and presents one
//     weight row on the column lanes, the last used row first: W[R-1][*], ..., W[0][*]. The rows
//     shift down one PE per cycle (a broadcast load enable, no skew), so W[r][*] ends in row r.
//  2. Stream: one pixel per cycle with in_valid_i, unskewed: X[m][r] on row lane r and the partial
//     sum I[m][c] on partial-sum lane c (0 for the first reduction tile). The array delays row r by
//     r cycles and partial-sum lane c by c cycles, so PE(r,c) handles pixel m in cycle
//     R + m + r + c (cycle 0 = the first load cycle); partial sums flow down the columns.
//  3. Result: the sum of pixel m in column c is the combinational output of the bottom used row
//     (PE(R-1,c)) in the cycle it handles m, cycle 2R - 1 + m + c, on res_o[c] with res_valid_o[c]:
//     a tile takes 2R + C + M - 2 cycles from the first weight row in to the last result out,
//     inclusive (mapping/tile_engine.h). Rows below the last used one are bypassed by the output
//     select (the highest set bit of a_row_valid_i, which must be a contiguous mask from row 0).
// a_row_valid_i is held for the whole tile (it selects the output row); both masks gate the valid
// bits of the lanes, so a result is valid only where a valid activation meets a valid partial sum.
module mac_array_ws #(
    parameter int Rows     = 4,
    parameter int Cols     = 4,
    parameter int PeKind   = wrpn_pkg::PeInt,  // wrpn_pkg::pe_kind_e (see pe_ws)
    parameter int WidthA   = 8,
    parameter int WidthW   = 8,
    parameter int Lanes    = 1,
    parameter int AccWidth = 24
) (
    input  logic                                                      clk_i,
    input  logic                                                      rst_ni,
    input  logic                                                      sat_i,          // 1 = saturate mode, 0 = error mode (flag only)
    input  logic                                                      w_load_i,       // a weight row is presented this cycle
    input  logic [Cols*wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes)-1:0] w_i,            // column lane c in bits [c*WBits +: WBits]
    input  logic                                                      in_valid_i,     // a pixel is presented this cycle
    input  logic [Rows*wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes)-1:0] a_i,            // row lane r in bits [r*ABits +: ABits]
    input  logic [   Cols*wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] psum_i,         // partial-sum lane c in bits [c*RBits +: RBits]
    input  logic [                                           Rows-1:0] a_row_valid_i,  // rows used (contiguous from row 0)
    input  logic [                                           Cols-1:0] w_col_valid_i,  // columns used
    output logic [   Cols*wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] res_o,          // column c in bits [c*RBits +: RBits]
    output logic [                                           Cols-1:0] res_valid_o,
    output logic [                                           Cols-1:0] res_ovf_o
);
  if (Rows < 1 || Rows > 64) begin : g_bad_rows
    $error("mac_array_ws: Rows must be in 1..64 (an array of zero rows computes nothing)");
  end
  if (Cols < 1 || Cols > 64) begin : g_bad_cols
    $error("mac_array_ws: Cols must be in 1..64");
  end
  localparam int ABits = wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes);
  localparam int WBits = wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes);
  localparam int RBits = wrpn_pkg::pe_acc_bits(PeKind, AccWidth);

  // ---------------------------------------------------------------- input skew
  // Same structure as mac_array (delay_line registers, unpacked nets: see there why).
  localparam int LaneA = ABits + 1;  // {a, valid}
  logic [LaneA-1:0] row_in[Rows];    // enters PE(r,0)
  localparam int LaneP = RBits + 1;  // {psum, valid}
  logic [LaneP-1:0] col_in[Cols];    // enters PE(0,c) from the north

  // Row r is delayed r cycles, partial-sum lane c is delayed c cycles.
  for (genvar r = 0; r < Rows; r++) begin : g_row_skew
    delay_line #(
        .Width(LaneA),
        .Depth(r)
    ) u_skew (
        .clk_i (clk_i),
        .rst_ni(rst_ni),
        .d_i   ({a_i[r*ABits+:ABits], in_valid_i & a_row_valid_i[r]}),
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
        .d_i   ({psum_i[c*RBits+:RBits], in_valid_i & w_col_valid_i[c]}),
        .q_o   (col_in[c])
    );
  end

  // ---------------------------------------------------------------- PE grid
  // a_net[r*(Cols+1)+c] enters PE(r,c) from the west (c = Cols: east edge, unused); w_net, psum_net
  // and psum_ovf_net[r*Cols+c] enter PE(r,c) from the north (r = Rows: below the bottom row,
  // unused); sum_net/sum_ovf_net/sum_valid_net[r*Cols+c] is PE(r,c)'s combinational sum.
  localparam int ANets = Rows * (Cols + 1);
  localparam int WNets = (Rows + 1) * Cols;
  logic [LaneA-1:0] a_net[ANets];
  logic [WBits-1:0] w_net[WNets];
  logic [RBits-1:0] psum_net[WNets];
  logic psum_ovf_net[WNets];
  logic psum_valid_net[WNets];
  logic [RBits-1:0] sum_net[Rows*Cols];
  logic sum_ovf_net[Rows*Cols];
  logic sum_valid_net[Rows*Cols];

  for (genvar r = 0; r < Rows; r++) begin : g_west
    assign a_net[r*(Cols+1)] = row_in[r];
  end
  for (genvar c = 0; c < Cols; c++) begin : g_north
    assign w_net[c] = w_i[c*WBits+:WBits];
    assign psum_net[c] = col_in[c][LaneP-1:1];
    assign psum_valid_net[c] = col_in[c][0];
    assign psum_ovf_net[c] = 1'b0;
  end

  for (genvar r = 0; r < Rows; r++) begin : g_r
    for (genvar c = 0; c < Cols; c++) begin : g_c
      localparam int AIn = r * (Cols + 1) + c;
      localparam int WIn = r * Cols + c;
      pe_ws #(
          .PeKind  (PeKind),
          .WidthA  (WidthA),
          .WidthW  (WidthW),
          .Lanes   (Lanes),
          .AccWidth(AccWidth)
      ) u_pe (
          .clk_i      (clk_i),
          .rst_ni     (rst_ni),
          .sat_i      (sat_i),
          .a_i        (a_net[AIn][LaneA-1:1]),
          .a_valid_i  (a_net[AIn][0]),
          .a_o        (a_net[AIn+1][LaneA-1:1]),
          .a_valid_o  (a_net[AIn+1][0]),
          .w_load_i   (w_load_i),
          .w_i        (w_net[WIn]),
          .w_o        (w_net[WIn+Cols]),
          .psum_i     (psum_net[WIn]),
          .psum_ovf_i (psum_ovf_net[WIn]),
          .psum_valid_i(psum_valid_net[WIn]),
          .psum_o     (psum_net[WIn+Cols]),
          .psum_ovf_o (psum_ovf_net[WIn+Cols]),
          .psum_valid_o(psum_valid_net[WIn+Cols]),
          .sum_o      (sum_net[WIn]),
          .sum_ovf_o  (sum_ovf_net[WIn]),
          .sum_valid_o(sum_valid_net[WIn])
      );
    end
  end

  // Nets of the south edge (weights, partial sums and activations leaving the array) are unused.
  logic unused_south;
  always_comb begin
    unused_south = 1'b0;
    for (int c = 0; c < Cols; c++) unused_south = unused_south ^ (^w_net[Rows*Cols+c]) ^ (^psum_net[Rows*Cols+c]) ^ psum_ovf_net[Rows*Cols+c] ^
                                    psum_valid_net[Rows*Cols+c];
    for (int r = 0; r < Rows; r++) unused_south = unused_south ^ (^a_net[r*(Cols+1)+Cols]);
  end

  // ---------------------------------------------------------------- output select
  // bottom[r]: row r is the last used row; each column shows that row's combinational sum.
  logic [Rows-1:0] bottom;
  for (genvar r = 0; r < Rows; r++) begin : g_bottom
    if (r == Rows - 1) begin : g_last
      assign bottom[r] = a_row_valid_i[r];
    end else begin : g_inner
      assign bottom[r] = a_row_valid_i[r] & ~a_row_valid_i[r+1];
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
