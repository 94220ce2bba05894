// Shared definitions of rtl/src: the PE kinds and the port widths every PE and array derives from
// its parameters, so pe, pe_stationary, mac_array and mac_array_stationary agree on them (docs/architecture.md sections 3 and 8).
package wrpn_pkg;
  // Kind of a processing element (the PeKind parameter; the PeType of common/arch_config.h).
  typedef enum int {
    PeInt     = 0,  // k-bit activation x k-bit weight (mac_unit)
    PeTernary = 1,  // ternary weight, add/subtract/skip (mac_ternary)
    PeBinary  = 2,  // binary weights over Lanes packed pairs, XNOR-popcount for 1-bit activations
    PeFp32    = 3   // IEEE-754 binary32 multiply then add (mac_fp32)
  } pe_kind_e;

  // Yosys 0.23 evaluates constant functions only over literals: the kinds are written as numbers
  // here (0 int, 1 ternary, 2 binary, 3 fp32, as pe_kind_e).

  // Bits of the activation operand one PE takes per step: binary PEs take Lanes packed codes.
  function automatic int pe_a_bits(input int kind, input int width_a, input int lanes);
    pe_a_bits = kind == 3 ? 32 : (kind == 2 ? width_a * lanes : width_a);
  endfunction

  // Bits of the weight operand: one sign bit per lane (binary), 2 (ternary), 32 (FP32).
  function automatic int pe_w_bits(input int kind, input int width_w, input int lanes);
    pe_w_bits = kind == 3 ? 32 : (kind == 2 ? lanes : (kind == 1 ? 2 : width_w));
  endfunction

  // Bits of an accumulator / partial sum: AccWidth, or the 32-bit word of FP32.
  function automatic int pe_acc_bits(input int kind, input int acc_width);
    pe_acc_bits = kind == 3 ? 32 : acc_width;
  endfunction
endpackage
