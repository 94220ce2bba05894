#include "common/numerics.h"

#include <algorithm>
#include <stdexcept>

namespace wrpn {

int32_t quantize_activation(float a, int bits) {
  if (!(a > 0.0f)) return 0;  // negatives, zero and NaN clip to 0
  const float clipped = std::min(a, 1.0f);
  return static_cast<int32_t>(std::nearbyint(clipped * static_cast<float>(act_code_max(bits))));
}

int32_t quantize_weight(float w, int bits, float alpha) {
  if (bits == 1) return w >= 0.0f ? 1 : -1;
  if (std::isnan(w)) return 0;
  const float x = std::clamp(w / alpha, -1.0f, 1.0f);
  return static_cast<int32_t>(std::nearbyint(x * static_cast<float>(weight_code_max(bits))));
}

const char* to_string(OverflowMode mode) { return mode == OverflowMode::error ? "error" : "saturate"; }

static int bits_for_magnitude(int64_t magnitude) {
  // Signed two's complement bits to hold [-magnitude, magnitude].
  int bits = 1;
  while (acc_max(bits) < magnitude) ++bits;
  return bits;
}

int min_acc_bits_for_product(int abits, int wbits) { return bits_for_magnitude(max_product_magnitude(abits, wbits)); }

int acc_bits_for_fan_in(int abits, int wbits, int64_t fan_in) {
  return bits_for_magnitude(max_product_magnitude(abits, wbits) * std::max<int64_t>(fan_in, 1));
}

int acc_bits_for_sliced_fan_in(int abits, int wbits, int64_t fan_in, int pe_wbits) {
  if (wbits <= pe_wbits || wbits == kFp32Bits) return acc_bits_for_fan_in(abits, wbits, fan_in);
  const int64_t term = static_cast<int64_t>(act_code_max(abits)) * ((int64_t{1} << wbits) - 1);
  return bits_for_magnitude(term * std::max<int64_t>(fan_in, 1));
}

int reference_acc_bits(PeType type, int wbits, int abits) {
  if (type == PeType::fp32) return 32;
  const int w = type == PeType::binary ? 1 : (type == PeType::ternary ? 2 : wbits);
  return std::min(kMaxAccBits, acc_bits_for_fan_in(abits, w, kReferenceAccFanIn));
}

MacResult dot_reference(const int32_t* qa, const int32_t* qw, int64_t n, int64_t acc, int acc_bits, OverflowMode mode,
                        int64_t* overflow_index) {
  if (overflow_index) *overflow_index = -1;
  bool any = false;
  for (int64_t i = 0; i < n; ++i) {
    const MacResult r = mac_step(acc, qa[i], qw[i], acc_bits, mode);
    acc = r.acc;
    if (r.overflowed && !any) {
      any = true;
      if (overflow_index) *overflow_index = i;
      if (mode == OverflowMode::error) return {acc, true};
    }
  }
  return {acc, any};
}

RequantParams fold_requant(double scale, double offset, int out_bits, int shift) {
  // The activation quantizer maps y in [0,1] to round(y * (2^k-1)); fold that factor in too.
  return fold_requant_levels(scale, offset, static_cast<double>(act_code_max(out_bits)), shift);
}

RequantParams fold_requant_levels(double scale, double offset, double levels, int shift) {
  const double two_s = std::ldexp(1.0, shift);
  RequantParams p;
  p.shift = shift;
  p.multiplier = static_cast<int64_t>(std::llround(scale * levels * two_s));
  p.bias = static_cast<int64_t>(std::llround(offset * levels * two_s));
  return p;
}

const char* to_string(PeType type) {
  switch (type) {
    case PeType::int_k:
      return "int";
    case PeType::ternary:
      return "ternary";
    case PeType::binary:
      return "binary";
    case PeType::fp32:
      return "fp32";
  }
  return "?";
}

bool parse_pe_type(const std::string& text, PeType* out) {
  if (text == "int")
    *out = PeType::int_k;
  else if (text == "ternary")
    *out = PeType::ternary;
  else if (text == "binary")
    *out = PeType::binary;
  else if (text == "fp32")
    *out = PeType::fp32;
  else
    return false;
  return true;
}

PeType pe_type_for_bits(int wbits, int abits) {
  if (wbits == kFp32Bits || abits == kFp32Bits) return PeType::fp32;
  if (wbits == 1) return PeType::binary;
  if (wbits == 2) return PeType::ternary;
  return PeType::int_k;
}

}  // namespace wrpn
