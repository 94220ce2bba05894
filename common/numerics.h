// Number formats, quantizers, the exact MAC and requantization of docs/architecture.md section 3.
// This is the single source of truth: trainer fake-quant, SystemC PEs, energy model and
// RTL harnesses all call these functions. Do not re-derive any of it elsewhere.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

namespace wrpn {

/// 128-bit intermediate for requantization products (GCC/Clang extension; silences -Wpedantic).
__extension__ typedef __int128 int128_t;

/// Bit widths a quantized operand may have (docs/architecture.md section 3). 32 means FP32 (unquantized).
inline constexpr int kMinBits = 1;
inline constexpr int kMaxQuantBits = 16;
inline constexpr int kFp32Bits = 32;

inline bool is_quantized_bits(int bits) { return bits >= kMinBits && bits <= kMaxQuantBits; }
inline bool is_valid_bits(int bits) { return is_quantized_bits(bits) || bits == kFp32Bits; }

// ---------------------------------------------------------------- activations
/// Largest unsigned activation code for k bits: 2^k - 1. Code qa means real value qa / (2^k - 1).
inline constexpr int32_t act_code_max(int bits) { return static_cast<int32_t>((int64_t{1} << bits) - 1); }

/// round((2^k-1) * clip(a, 0, 1)); rounding is half-to-even (std::nearbyint, default mode), NaN -> 0.
int32_t quantize_activation(float a, int bits);
/// Real value of an activation code: qa / (2^k - 1).
inline float activation_value(int32_t qa, int bits) {
  return static_cast<float>(qa) / static_cast<float>(act_code_max(bits));
}

// ---------------------------------------------------------------- weights
/// Largest weight code magnitude: 2^(k-1)-1 for k >= 2 (k = 2 is ternary), 1 for binary k = 1.
inline constexpr int32_t weight_code_max(int bits) {
  return bits == 1 ? 1 : static_cast<int32_t>((int64_t{1} << (bits - 1)) - 1);
}
/// Denominator of the weight step: value = alpha * qw / weight_scale_den(k). 1 for binary.
inline constexpr int32_t weight_scale_den(int bits) { return weight_code_max(bits); }
/// Binary codes are {-1, +1} only; k >= 2 codes are the symmetric range [-max, max].
inline bool is_valid_weight_code(int32_t qw, int bits) {
  if (bits == 1) return qw == 1 || qw == -1;
  return qw >= -weight_code_max(bits) && qw <= weight_code_max(bits);
}
inline bool is_valid_activation_code(int32_t qa, int bits) { return qa >= 0 && qa <= act_code_max(bits); }

/// k >= 2: round((2^(k-1)-1) * clip(w / alpha, -1, 1)) (half-to-even); k = 1: w >= 0 ? +1 : -1.
/// alpha > 0 is the per-layer scale (1 unless a layer says otherwise).
int32_t quantize_weight(float w, int bits, float alpha = 1.0f);
/// Real value of a weight code: alpha * qw / (2^(k-1)-1), or alpha * qw for binary.
inline float weight_value(int32_t qw, int bits, float alpha = 1.0f) {
  return alpha * static_cast<float>(qw) / static_cast<float>(weight_scale_den(bits));
}

// ---------------------------------------------------------------- MAC
enum class OverflowMode { error, saturate };
const char* to_string(OverflowMode mode);

/// Signed range of an acc_bits two's-complement accumulator.
inline constexpr int64_t acc_min(int acc_bits) { return -(int64_t{1} << (acc_bits - 1)); }
inline constexpr int64_t acc_max(int acc_bits) { return (int64_t{1} << (acc_bits - 1)) - 1; }
inline constexpr int kMaxAccBits = 48;

/// Largest |qa * qw| for the given code widths (activation unsigned, weight signed/binary).
inline constexpr int64_t max_product_magnitude(int abits, int wbits) {
  return static_cast<int64_t>(act_code_max(abits)) * weight_code_max(wbits);
}
/// Smallest accumulator width that holds one product (sign included): below it the PE cannot work.
int min_acc_bits_for_product(int abits, int wbits);
/// Accumulator width that can never overflow for a dot product of `fan_in` terms.
int acc_bits_for_fan_in(int abits, int wbits, int64_t fan_in);
/// The same when the dot product runs in bit-slice passes on a PE of `pe_wbits`-bit weights: the
/// shifted partial products of every pass are summed in the accumulator, so every partial sum must
/// fit, not only the full-precision result. Activation slices are unsigned, so slicing them alone
/// keeps acc_bits_for_fan_in. Weight slices of a two's-complement k-bit code (a signed top slice,
/// unsigned lower slices) can add up to 2^k - 1 in magnitude before they cancel, so a sliced weight
/// bounds a term by act_code_max(abits) * (2^wbits - 1) (one bit more than unsliced).
int acc_bits_for_sliced_fan_in(int abits, int wbits, int64_t fan_in, int pe_wbits);

/// Result of one exact MAC step `acc += qa * qw` in an acc_bits register.
struct MacResult {
  int64_t acc;      ///< new accumulator value (saturated in saturate mode)
  bool overflowed;  ///< the exact sum left [acc_min, acc_max]
};

/// The exact MAC. In error mode the caller must turn `overflowed` into an error naming the layer and
/// element (see MacOverflowError); in saturate mode the value is clamped to the accumulator range.
inline MacResult mac_step(int64_t acc, int32_t qa, int32_t qw, int acc_bits, OverflowMode mode) {
  const int64_t exact = acc + static_cast<int64_t>(qa) * qw;
  const int64_t lo = acc_min(acc_bits), hi = acc_max(acc_bits);
  if (exact < lo || exact > hi) {
    return {mode == OverflowMode::saturate ? (exact < lo ? lo : hi) : exact, true};
  }
  return {exact, false};
}

/// Exact dot product sum_i qa[i]*qw[i] starting from `acc`, strided. Reports the first overflowing
/// term index in *overflow_index (or -1). This is the reference every MAC model is checked against.
MacResult dot_reference(const int32_t* qa, const int32_t* qw, int64_t n, int64_t acc, int acc_bits, OverflowMode mode,
                        int64_t* overflow_index = nullptr);

/// Binary XNOR-popcount formulation of sum(qa * qw) for 1-bit activations {0,1} and binary weights
/// {-1,+1} packed as bit masks (weight bit 1 = +1). Equal to dot_reference on the same codes.
inline int64_t xnor_popcount_dot(uint64_t act_bits, uint64_t weight_pos_bits, uint64_t lane_mask) {
  const uint64_t a = act_bits & lane_mask;
  return static_cast<int64_t>(__builtin_popcountll(a & weight_pos_bits)) -
         static_cast<int64_t>(__builtin_popcountll(a & ~weight_pos_bits));
}

// ---------------------------------------------------------------- requantization
/// Per-output-channel integer post-processing parameters (batch norm, bias, scales folded).
struct RequantParams {
  int64_t multiplier = 1;  ///< M_c
  int64_t bias = 0;        ///< B_c
  int shift = 0;           ///< S_c in [0, 62]
};

/// q_out = clamp((acc*M + B + 2^(S-1)) >> S, 0, 2^k_out - 1); the shift is arithmetic (floor) and the
/// rounding term is 0 when S = 0. Computed in 128 bits so no intermediate can overflow.
inline int32_t requantize(int64_t acc, const RequantParams& p, int out_bits) {
  int128_t v = static_cast<int128_t>(acc) * p.multiplier + p.bias;
  if (p.shift > 0) v += static_cast<int128_t>(1) << (p.shift - 1);
  v >>= p.shift;
  const int128_t hi = act_code_max(out_bits);
  if (v < 0) return 0;
  if (v > hi) return static_cast<int32_t>(hi);
  return static_cast<int32_t>(v);
}

/// Requantization of a final (logit) layer, abits_out = 32: the same fixed-point map without the
/// clamp, so the classifier's argmax sees signed values. (acc*M + B + 2^(S-1)) >> S.
inline int64_t requantize_logit(int64_t acc, const RequantParams& p) {
  int128_t v = static_cast<int128_t>(acc) * p.multiplier + p.bias;
  if (p.shift > 0) v += static_cast<int128_t>(1) << (p.shift - 1);
  return static_cast<int64_t>(v >> p.shift);
}

/// Residual add of two activation codes of the same width and scale: the WRPN activation clips at 1,
/// so the exact integer result is min(qa + qb, 2^k - 1).
inline int32_t add_codes(int32_t qa, int32_t qb, int bits) {
  const int32_t s = qa + qb;
  return s > act_code_max(bits) ? act_code_max(bits) : s;
}

/// Average pooling of `count` codes whose sum is `sum`: round half up, floor((2*sum + count) / (2*count)).
inline int32_t avgpool_code(int64_t sum, int64_t count) {
  return static_cast<int32_t>((2 * sum + count) / (2 * count));
}

/// Fold a real-valued affine map y = scale*acc + offset (then the k_out-bit activation quantizer)
/// into integer RequantParams with `shift` fractional bits. Used by trace export; the integer result
/// of requantize() is then the definition, not the float map.
RequantParams fold_requant(double scale, double offset, int out_bits, int shift = 24);
/// The same onto an output grid of `levels` codes per unit of y: fold_requant is levels = 2^k_out - 1
/// (the activation quantizer); integer logits use a fixed-point grid (levels = 2^16 in trace export).
RequantParams fold_requant_levels(double scale, double offset, double levels, int shift);

// ---------------------------------------------------------------- FP32 baseline
/// IEEE-754 binary32 multiply then add, as two rounded operations (never fused; the project builds
/// with -ffp-contract=off).
inline float fp32_mac(float acc, float a, float w) {
  volatile float product = a * w;  // volatile keeps the two roundings separate even at -O3
  return acc + product;
}

// ---------------------------------------------------------------- PE types
enum class PeType { int_k, ternary, binary, fp32 };
const char* to_string(PeType type);
/// Parses "int", "ternary", "binary", "fp32"; returns false on anything else.
bool parse_pe_type(const std::string& text, PeType* out);
/// The PE type a layer with these operand widths needs: fp32 if either is 32, binary if wbits == 1,
/// ternary if wbits == 2, else int_k.
PeType pe_type_for_bits(int wbits, int abits);

/// Dot-product length (terms; a binary lane counts as one) of the reference units: the width sweep
/// of `wrpn synth` and the per-operation table of `wrpn paper` compare single MACs across bit widths
/// at this one reduction length. A design point's PE uses the accumulator its workload needs instead
/// (mapping/design_point.h).
inline constexpr int64_t kReferenceAccFanIn = 4096;
/// Accumulator bits of a reference unit: acc_bits_for_fan_in over kReferenceAccFanIn terms (ternary
/// weights count as 2-bit, binary as 1-bit codes), capped at kMaxAccBits; 32 (the word) for FP32.
int reference_acc_bits(PeType type, int wbits, int abits);

/// Codes packed into one memory word: floor(word_bits / bits) (FP32 values count as 32 bits).
inline int64_t codes_per_word(int word_bits, int bits) { return word_bits / bits; }
/// Words needed for `count` codes of `bits` bits in `word_bits`-bit words (ceil).
inline int64_t words_for_codes(int64_t count, int word_bits, int bits) {
  const int64_t per = codes_per_word(word_bits, bits);
  return per > 0 ? (count + per - 1) / per : count * ((bits + word_bits - 1) / word_bits);
}

}  // namespace wrpn
