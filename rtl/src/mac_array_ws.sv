// Rows x Cols weight-stationary systolic tile: mac_array_stationary holding the weights, its ports
// named after the operands (rtl/README.md has the timing contract). Weight rows W[R-1][*] .. W[0][*]
// on the column lanes while w_load_i, then one pixel per cycle: X[m][r] on row lane r, the partial
// sum of (m, output channel c) on partial-sum lane c; results on res_o[c].
module mac_array_ws #(
    parameter int Rows     = 4,
    parameter int Cols     = 4,
    parameter int PeKind   = wrpn_pkg::PeInt,  // wrpn_pkg::pe_kind_e (see pe_stationary)
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
  mac_array_stationary #(
      .HoldWeights(1'b1),
      .Rows       (Rows),
      .Cols       (Cols),
      .PeKind     (PeKind),
      .WidthA     (WidthA),
      .WidthW     (WidthW),
      .Lanes      (Lanes),
      .AccWidth   (AccWidth)
  ) u_array (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .sat_i        (sat_i),
      .s_load_i     (w_load_i),
      .s_i          (w_i),
      .in_valid_i   (in_valid_i),
      .t_i          (a_i),
      .psum_i       (psum_i),
      .t_row_valid_i(a_row_valid_i),
      .s_col_valid_i(w_col_valid_i),
      .res_o        (res_o),
      .res_valid_o  (res_valid_o),
      .res_ovf_o    (res_ovf_o)
  );
endmodule
