// Rows x Cols input-stationary systolic tile (SCALE-Sim's IS dataflow, docs/sim-model.md; rtl/README.md
// has the timing contract). O[c][n] = I[c][n] + sum_r X[c][r] * W[n][r], r over the rows the tile
// uses (the reduction), c over the columns (output pixels) and n over the output channels whose
// weights are streamed through the stationary inputs. The weight-stationary tile (mac_array_ws)
// with inputs and weights exchanged:
//  1. Input load: for R cycles (R = rows used) the controller holds x_load_i and presents one input
//     row on the column lanes, the last used row first: X[*][R-1], ..., X[*][0] (lane c = pixel c).
//     The rows shift down one PE per cycle (a broadcast load enable, no skew), so X[*][r] ends in
//     row r.
//  2. Stream: one output channel per cycle with in_valid_i, unskewed: W[n][r] on row lane r and the
//     partial sum I[c][n] on partial-sum lane c (0 for the first reduction tile, the previous
//     reduction tile's result otherwise). The array delays row r by r cycles and partial-sum lane c
//     by c cycles, so PE(r,c) handles channel n in cycle R + n + r + c (cycle 0 = the first load
//     cycle); partial sums flow down the columns.
//  3. Result: the sum of (pixel c, channel n) is the combinational output of the bottom used row
//     (PE(R-1,c)) in the cycle it handles n, cycle 2R - 1 + n + c, on res_o[c] with res_valid_o[c]:
//     a tile takes 2R + C + N - 2 cycles from the first input row in to the last result out,
//     inclusive (mapping/tile_engine.h). Rows below the last used one are bypassed by the output
//     select (the highest set bit of w_row_valid_i, which must be a contiguous mask from row 0).
// w_row_valid_i is held for the whole tile (it selects the output row); both masks gate the valid
// bits of the lanes, so a result is valid only where a valid weight meets a valid partial sum.
module mac_array_is #(
    parameter int Rows     = 4,
    parameter int Cols     = 4,
    parameter int PeKind   = wrpn_pkg::PeInt,  // wrpn_pkg::pe_kind_e (see pe_is)
    parameter int WidthA   = 8,
    parameter int WidthW   = 8,
    parameter int Lanes    = 1,
    parameter int AccWidth = 24
) (
    input  logic                                                      clk_i,
    input  logic                                                      rst_ni,
    input  logic                                                      sat_i,          // 1 = saturate mode, 0 = error mode (flag only)
    input  logic                                                      x_load_i,       // an input row is presented this cycle
    input  logic [Cols*wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes)-1:0] x_i,            // column lane c in bits [c*ABits +: ABits]
    input  logic                                                      in_valid_i,     // a channel is presented this cycle
    input  logic [Rows*wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes)-1:0] w_i,            // row lane r in bits [r*WBits +: WBits]
    input  logic [   Cols*wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] psum_i,         // partial-sum lane c in bits [c*RBits +: RBits]
    input  logic [                                           Rows-1:0] w_row_valid_i,  // rows used (contiguous from row 0)
    input  logic [                                           Cols-1:0] x_col_valid_i,  // columns used
    output logic [   Cols*wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] res_o,          // column c in bits [c*RBits +: RBits]
    output logic [                                           Cols-1:0] res_valid_o,
    output logic [                                           Cols-1:0] res_ovf_o
);
  if (Rows < 1 || Rows > 64) begin : g_bad_rows
    $error("mac_array_is: Rows must be in 1..64 (an array of zero rows computes nothing)");
  end
  if (Cols < 1 || Cols > 64) begin : g_bad_cols
    $error("mac_array_is: Cols must be in 1..64");
  end
  localparam int ABits = wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes);
  localparam int WBits = wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes);
  localparam int RBits = wrpn_pkg::pe_acc_bits(PeKind, AccWidth);

  // ---------------------------------------------------------------- input skew
  // Same structure as mac_array (delay_line registers, unpacked nets: see there why).
  localparam int LaneW = WBits + 1;  // {w, valid}
  logic [LaneW-1:0] row_in[Rows];    // enters PE(r,0)
  localparam int LaneP = RBits + 1;  // {psum, valid}
  logic [LaneP-1:0] col_in[Cols];    // enters PE(0,c) from the north

  // Row lane r is delayed r cycles, partial-sum lane c is delayed c cycles.
  for (genvar r = 0; r < Rows; r++) begin : g_row_skew
    delay_line #(
        .Width(LaneW),
        .Depth(r)
    ) u_skew (
        .clk_i (clk_i),
        .rst_ni(rst_ni),
        .d_i   ({w_i[r*WBits+:WBits], in_valid_i & w_row_valid_i[r]}),
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
        .d_i   ({psum_i[c*RBits+:RBits], in_valid_i & x_col_valid_i[c]}),
        .q_o   (col_in[c])
    );
  end

  // ---------------------------------------------------------------- PE grid
  // w_net[r*(Cols+1)+c] enters PE(r,c) from the west (c = Cols: east edge, unused); x_net, psum_net
  // and psum_ovf_net[r*Cols+c] enter PE(r,c) from the north (r = Rows: below the bottom row,
  // unused); sum_net/sum_ovf_net/sum_valid_net[r*Cols+c] is PE(r,c)'s combinational sum.
  localparam int WNets = Rows * (Cols + 1);
  localparam int XNets = (Rows + 1) * Cols;
  logic [LaneW-1:0] w_net[WNets];
  logic [ABits-1:0] x_net[XNets];
  logic [RBits-1:0] psum_net[XNets];
  logic psum_ovf_net[XNets];
  logic psum_valid_net[XNets];
  logic [RBits-1:0] sum_net[Rows*Cols];
  logic sum_ovf_net[Rows*Cols];
  logic sum_valid_net[Rows*Cols];

  for (genvar r = 0; r < Rows; r++) begin : g_west
    assign w_net[r*(Cols+1)] = row_in[r];
  end
  for (genvar c = 0; c < Cols; c++) begin : g_north
    assign x_net[c] = x_i[c*ABits+:ABits];
    assign psum_net[c] = col_in[c][LaneP-1:1];
    assign psum_valid_net[c] = col_in[c][0];
    assign psum_ovf_net[c] = 1'b0;
  end

  for (genvar r = 0; r < Rows; r++) begin : g_r
    for (genvar c = 0; c < Cols; c++) begin : g_c
      localparam int WIn = r * (Cols + 1) + c;
      localparam int XIn = r * Cols + c;
      pe_is #(
          .PeKind  (PeKind),
          .WidthA  (WidthA),
          .WidthW  (WidthW),
          .Lanes   (Lanes),
          .AccWidth(AccWidth)
      ) u_pe (
          .clk_i      (clk_i),
          .rst_ni     (rst_ni),
          .sat_i      (sat_i),
          .w_i        (w_net[WIn][LaneW-1:1]),
          .w_valid_i  (w_net[WIn][0]),
          .w_o        (w_net[WIn+1][LaneW-1:1]),
          .w_valid_o  (w_net[WIn+1][0]),
          .x_load_i   (x_load_i),
          .x_i        (x_net[XIn]),
          .x_o        (x_net[XIn+Cols]),
          .psum_i     (psum_net[XIn]),
          .psum_ovf_i (psum_ovf_net[XIn]),
          .psum_valid_i(psum_valid_net[XIn]),
          .psum_o     (psum_net[XIn+Cols]),
          .psum_ovf_o (psum_ovf_net[XIn+Cols]),
          .psum_valid_o(psum_valid_net[XIn+Cols]),
          .sum_o      (sum_net[XIn]),
          .sum_ovf_o  (sum_ovf_net[XIn]),
          .sum_valid_o(sum_valid_net[XIn])
      );
    end
  end

  // Nets of the south edge (inputs, partial sums) and of the east edge (weights) are unused.
  logic unused_south;
  always_comb begin
    unused_south = 1'b0;
    for (int c = 0; c < Cols; c++) unused_south = unused_south ^ (^x_net[Rows*Cols+c]) ^ (^psum_net[Rows*Cols+c]) ^ psum_ovf_net[Rows*Cols+c] ^
                                    psum_valid_net[Rows*Cols+c];
    for (int r = 0; r < Rows; r++) unused_south = unused_south ^ (^w_net[r*(Cols+1)+Cols]);
  end

  // ---------------------------------------------------------------- output select
  // bottom[r]: row r is the last used row; each column shows that row's combinational sum.
  logic [Rows-1:0] bottom;
  for (genvar r = 0; r < Rows; r++) begin : g_bottom
    if (r == Rows - 1) begin : g_last
      assign bottom[r] = w_row_valid_i[r];
    end else begin : g_inner
      assign bottom[r] = w_row_valid_i[r] & ~w_row_valid_i[r+1];
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
