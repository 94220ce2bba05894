// The MAC of a processing element, chosen by PeKind (wrpn_pkg::pe_kind_e), behind one set of ports
// so the output-stationary PE (pe) and the stationary-operand PE (pe_stationary) are written once for
// every kind: mac_unit (int), mac_ternary, mac_binary (Lanes packed pairs) or mac_fp32. Widths of
// a_i, w_i and the accumulator follow wrpn_pkg::pe_a_bits / pe_w_bits / pe_acc_bits. Every MAC has
// this module's port names, so each is connected by name (.*); mac_fp32 has no sat_i.
module pe_mac #(
    parameter int PeKind   = wrpn_pkg::PeInt,
    parameter int WidthA   = 8,   // activation code bits (per lane for binary; unused for FP32)
    parameter int WidthW   = 8,   // weight code bits: 2..16 int, 2 ternary, 1 binary (unused for FP32)
    parameter int Lanes    = 1,   // binary: operand pairs per step
    parameter int AccWidth = 24   // integer accumulator bits (FP32: the 32-bit word)
) (
    input  logic                                                 clk_i,
    input  logic                                                 rst_ni,
    input  logic                                                 clear_i,
    input  logic                                                 en_i,
    input  logic                                                 sat_i,
    input  logic [wrpn_pkg::pe_a_bits(PeKind, WidthA, Lanes)-1:0] a_i,
    input  logic [wrpn_pkg::pe_w_bits(PeKind, WidthW, Lanes)-1:0] w_i,
    input  logic [   wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] init_i,
    output logic [   wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] acc_o,
    output logic                                                 ovf_o,
    output logic [   wrpn_pkg::pe_acc_bits(PeKind, AccWidth)-1:0] next_o,
    output logic                                                 step_ovf_o
);
  if (PeKind < wrpn_pkg::PeInt || PeKind > wrpn_pkg::PeFp32) begin : g_bad_kind
    $error("pe: PeKind must be 0 (int), 1 (ternary), 2 (binary) or 3 (fp32)");
  end
  if ((PeKind == wrpn_pkg::PeTernary && WidthW != 2) || (PeKind == wrpn_pkg::PeBinary && WidthW != 1)) begin : g_bad_width_w
    $error("pe: ternary PEs need WidthW = 2 and binary PEs WidthW = 1");
  end
  if (PeKind != wrpn_pkg::PeBinary && Lanes != 1) begin : g_bad_lanes
    $error("pe: only binary PEs have Lanes > 1");
  end

  if (PeKind == wrpn_pkg::PeInt) begin : g_int
    mac_unit #(
        .WidthA  (WidthA),
        .WidthW  (WidthW),
        .AccWidth(AccWidth)
    ) u_mac (.*);
  end else if (PeKind == wrpn_pkg::PeTernary) begin : g_ternary
    mac_ternary #(
        .WidthA  (WidthA),
        .AccWidth(AccWidth)
    ) u_mac (.*);
  end else if (PeKind == wrpn_pkg::PeBinary) begin : g_binary
    mac_binary #(
        .WidthA  (WidthA),
        .Lanes   (Lanes),
        .AccWidth(AccWidth)
    ) u_mac (.*);
  end else begin : g_fp32
    // IEEE overflow goes to infinity: there is no saturate mode.
    logic unused_sat;
    assign unused_sat = sat_i;
    mac_fp32 u_mac (.*);
  end
endmodule
