// Boundary tables for the docs/architecture.md section 3 numerics: every k from 1 to 16, min, max, zero,
// ties (half-to-even), clipping, accumulator overflow and saturation, requantization rounding.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "common/numerics.h"
#include "common/rng.h"

BOOST_TEST_DONT_PRINT_LOG_VALUE(wrpn::PeType)

using namespace wrpn;

BOOST_AUTO_TEST_SUITE(numerics)

BOOST_AUTO_TEST_CASE(activation_codes_every_k) {
  for (int k = 1; k <= 16; ++k) {
    BOOST_TEST_CONTEXT("k=" << k) {
      const int32_t max = act_code_max(k);
      BOOST_TEST(max == (1 << k) - 1);
      BOOST_TEST(quantize_activation(0.0f, k) == 0);
      BOOST_TEST(quantize_activation(-0.0f, k) == 0);
      BOOST_TEST(quantize_activation(-3.0f, k) == 0);
      BOOST_TEST(quantize_activation(1.0f, k) == max);
      BOOST_TEST(quantize_activation(7.5f, k) == max);  // clipped at 1
      BOOST_TEST(quantize_activation(std::numeric_limits<float>::quiet_NaN(), k) == 0);
      BOOST_TEST(quantize_activation(std::numeric_limits<float>::infinity(), k) == max);
      // Every code survives value -> quantize exactly.
      for (int32_t q = 0; q <= max; ++q) {
        if (quantize_activation(activation_value(q, k), k) != q) {
          BOOST_ERROR("activation code " << q << " does not round-trip at k=" << k);
          break;
        }
      }
      BOOST_TEST(is_valid_activation_code(max, k));
      BOOST_TEST(!is_valid_activation_code(max + 1, k));
      BOOST_TEST(!is_valid_activation_code(-1, k));
    }
  }
}

BOOST_AUTO_TEST_CASE(activation_ties_round_half_to_even) {
  BOOST_TEST(quantize_activation(0.5f, 1) == 0);         // 0.5 -> 0 (even)
  BOOST_TEST(quantize_activation(0.5f, 2) == 2);         // 1.5 -> 2
  BOOST_TEST(quantize_activation(0.5f, 3) == 4);         // 3.5 -> 4
  BOOST_TEST(quantize_activation(0.5f, 4) == 8);         // 7.5 -> 8
  BOOST_TEST(quantize_activation(2.5f / 3.0f, 2) == 2);  // 2.5 (inexact in float; nearest code)
}

BOOST_AUTO_TEST_CASE(weight_codes_every_k) {
  for (int k = 1; k <= 16; ++k) {
    BOOST_TEST_CONTEXT("k=" << k) {
      const int32_t max = weight_code_max(k);
      if (k == 1) {
        BOOST_TEST(max == 1);
        BOOST_TEST(quantize_weight(0.0f, 1) == 1);  // sign(0) is +1 by definition
        BOOST_TEST(quantize_weight(-1e-9f, 1) == -1);
        BOOST_TEST(quantize_weight(5.0f, 1) == 1);
        BOOST_TEST(quantize_weight(-5.0f, 1) == -1);
        BOOST_TEST(!is_valid_weight_code(0, 1));
        BOOST_TEST(weight_value(-1, 1, 0.25f) == -0.25f);
        continue;
      }
      BOOST_TEST(max == (1 << (k - 1)) - 1);
      BOOST_TEST(quantize_weight(0.0f, k) == 0);
      BOOST_TEST(quantize_weight(1.0f, k) == max);
      BOOST_TEST(quantize_weight(-1.0f, k) == -max);
      BOOST_TEST(quantize_weight(3.0f, k) == max);    // clipped
      BOOST_TEST(quantize_weight(-3.0f, k) == -max);  // clipped, symmetric: never -2^(k-1)
      BOOST_TEST(is_valid_weight_code(-max, k));
      BOOST_TEST(!is_valid_weight_code(-max - 1, k));
      BOOST_TEST(!is_valid_weight_code(max + 1, k));
      for (int32_t q = -max; q <= max; ++q) {
        if (quantize_weight(weight_value(q, k, 0.37f), k, 0.37f) != q) {
          BOOST_ERROR("weight code " << q << " does not round-trip at k=" << k);
          break;
        }
      }
    }
  }
  BOOST_TEST(weight_code_max(2) == 1);  // ternary
}

BOOST_AUTO_TEST_CASE(weight_ties_and_scale) {
  BOOST_TEST(quantize_weight(0.5f, 2) == 0);  // 0.5 -> 0 (even): ternary dead zone edge
  BOOST_TEST(quantize_weight(-0.5f, 2) == 0);
  BOOST_TEST(quantize_weight(0.5f, 3) == 2);         // 1.5 -> 2
  BOOST_TEST(quantize_weight(0.25f, 4, 0.5f) == 4);  // 7 * 0.5 = 3.5 -> 4
  BOOST_TEST(quantize_weight(0.05f, 4) == 0);        // small weights vanish at alpha=1 (why alpha exists)
  BOOST_TEST(quantize_weight(0.05f, 4, 0.1f) == 4);  // ...and survive with a per-layer scale
}

BOOST_AUTO_TEST_CASE(mac_overflow_error_and_saturate) {
  BOOST_TEST(acc_min(8) == -128);
  BOOST_TEST(acc_max(8) == 127);
  MacResult r = mac_step(120, 3, 3, 8, OverflowMode::error);
  BOOST_TEST(r.overflowed);
  BOOST_TEST(r.acc == 129);  // exact value reported in error mode
  r = mac_step(120, 3, 3, 8, OverflowMode::saturate);
  BOOST_TEST(r.overflowed);
  BOOST_TEST(r.acc == 127);
  r = mac_step(-120, 3, -3, 8, OverflowMode::saturate);
  BOOST_TEST(r.acc == -128);
  r = mac_step(118, 3, 3, 8, OverflowMode::error);
  BOOST_TEST(!r.overflowed);
  BOOST_TEST(r.acc == 127);  // exactly at the top is fine
  r = mac_step(-119, 3, -3, 8, OverflowMode::error);
  BOOST_TEST(!r.overflowed);
  BOOST_TEST(r.acc == -128);
}

BOOST_AUTO_TEST_CASE(accumulator_width_rules) {
  BOOST_TEST(min_acc_bits_for_product(1, 1) == 2);     // {-1,0,1}
  BOOST_TEST(min_acc_bits_for_product(4, 4) == 8);     // 15*7 = 105
  BOOST_TEST(min_acc_bits_for_product(8, 8) == 16);    // 255*127 = 32385
  BOOST_TEST(min_acc_bits_for_product(16, 16) == 32);  // 65535*32767 < 2^31
  BOOST_TEST(acc_bits_for_fan_in(4, 4, 800) == 18);    // 84000 < 131071
  BOOST_TEST(acc_bits_for_fan_in(4, 4, 1) == 8);
  // Bit-slice passes: activation slices alone keep the unsliced rule; sliced weights bound a term by
  // act_max * (2^w - 1). AlexNet conv1 (fan-in 363, W8A8) on a W4 PE: 255*255*363 = 23.6M < 2^25.
  BOOST_TEST(acc_bits_for_fan_in(8, 8, 363) == 25);            // 255*127*363 = 11.8M < 2^24
  BOOST_TEST(acc_bits_for_sliced_fan_in(8, 8, 363, 8) == 25);  // not sliced
  BOOST_TEST(acc_bits_for_sliced_fan_in(8, 8, 363, 4) == 26);  // weights in two 4-bit slices
  BOOST_TEST(acc_bits_for_sliced_fan_in(8, 4, 363, 4) == acc_bits_for_fan_in(8, 4, 363));
  BOOST_TEST(acc_bits_for_sliced_fan_in(4, 4, 800, 2) == 19);  // 15*15*800 = 180000 < 2^18
}

BOOST_AUTO_TEST_CASE(dot_reference_reports_first_overflow) {
  std::vector<int32_t> a{15, 15, 15, 15}, w{7, 7, 7, 7};
  int64_t idx = -2;
  MacResult r = dot_reference(a.data(), w.data(), 4, 0, 9, OverflowMode::error, &idx);  // max 255
  BOOST_TEST(r.overflowed);
  BOOST_TEST(idx == 2);  // 105, 210, 315 > 255
  r = dot_reference(a.data(), w.data(), 4, 0, 10, OverflowMode::error, &idx);
  BOOST_TEST(!r.overflowed);
  BOOST_TEST(idx == -1);
  BOOST_TEST(r.acc == 420);
  r = dot_reference(a.data(), w.data(), 4, 0, 9, OverflowMode::saturate, &idx);
  BOOST_TEST(r.acc == 255);
}

BOOST_AUTO_TEST_CASE(xnor_popcount_equals_reference) {
  Rng rng(42);
  for (int trial = 0; trial < 200; ++trial) {
    const int lanes = static_cast<int>(rng.uniform_int(1, 64));
    uint64_t abits = 0, wpos = 0;
    std::vector<int32_t> a(static_cast<size_t>(lanes)), w(static_cast<size_t>(lanes));
    for (int i = 0; i < lanes; ++i) {
      a[static_cast<size_t>(i)] = static_cast<int32_t>(rng.uniform_int(0, 1));
      w[static_cast<size_t>(i)] = rng.uniform_int(0, 1) ? 1 : -1;
      if (a[static_cast<size_t>(i)]) abits |= uint64_t{1} << i;
      if (w[static_cast<size_t>(i)] > 0) wpos |= uint64_t{1} << i;
    }
    const uint64_t mask = lanes == 64 ? ~uint64_t{0} : (uint64_t{1} << lanes) - 1;
    const MacResult ref = dot_reference(a.data(), w.data(), lanes, 0, 16, OverflowMode::error);
    BOOST_TEST(xnor_popcount_dot(abits, wpos, mask) == ref.acc);
  }
}

BOOST_AUTO_TEST_CASE(requantize_rounding_and_clamp) {
  const RequantParams id{1, 0, 0};
  BOOST_TEST(requantize(5, id, 4) == 5);
  BOOST_TEST(requantize(20, id, 4) == 15);
  BOOST_TEST(requantize(-3, id, 4) == 0);
  const RequantParams half{1, 0, 1};
  BOOST_TEST(requantize(3, half, 8) == 2);       // (3+1)>>1: 1.5 rounds up
  BOOST_TEST(requantize(1, half, 8) == 1);       // 0.5 rounds up
  BOOST_TEST(requantize(-1, half, 8) == 0);      // (-1+1)>>1 = 0
  BOOST_TEST(requantize_logit(-3, half) == -1);  // floor((-3+1)/2)
  BOOST_TEST(requantize_logit(-4, half) == -2);  // exactly -2: floor((-4+1)/2)
  const RequantParams big{int64_t{1} << 40, 0, 2};
  BOOST_TEST(requantize(int64_t{1} << 40, big, 16) == 65535);  // 2^80 intermediate, no overflow
  BOOST_TEST(requantize(-(int64_t{1} << 40), big, 16) == 0);
  const RequantParams with_bias{3, -8, 2};
  BOOST_TEST(requantize(10, with_bias, 4) == 6);  // (30 - 8 + 2) >> 2 = 6
}

BOOST_AUTO_TEST_CASE(fold_requant_matches_float_map) {
  // y = 0.01 * acc + 0.1, quantized to 4 bits: integer result within one code of the float map.
  const RequantParams p = fold_requant(0.01, 0.1, 4);
  for (int64_t acc = -50; acc <= 200; acc += 7) {
    const double y = std::clamp(0.01 * static_cast<double>(acc) + 0.1, 0.0, 1.0) * 15.0;
    BOOST_TEST(std::abs(requantize(acc, p, 4) - y) <= 0.5 + 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(pooling_and_add_codes) {
  BOOST_TEST(add_codes(7, 9, 4) == 15);  // clips at 1.0
  BOOST_TEST(add_codes(3, 4, 4) == 7);
  BOOST_TEST(avgpool_code(5, 2) == 3);  // 2.5 rounds half up
  BOOST_TEST(avgpool_code(4, 4) == 1);
  BOOST_TEST(avgpool_code(9, 4) == 2);  // 2.25
  BOOST_TEST(avgpool_code(0, 9) == 0);
}

BOOST_AUTO_TEST_CASE(fp32_mac_is_not_fused) {
  const float a = 1.0f + std::ldexp(1.0f, -12);
  // a*a = 1 + 2^-11 + 2^-24 rounds (tie to even) to 1 + 2^-11; a fused op would keep the 2^-24.
  const float acc = -(1.0f + std::ldexp(1.0f, -11));
  BOOST_TEST(fp32_mac(acc, a, a) == 0.0f);
  BOOST_TEST(std::fma(a, a, acc) != 0.0f);
}

BOOST_AUTO_TEST_CASE(pe_types_and_packing) {
  BOOST_TEST(pe_type_for_bits(32, 32) == PeType::fp32);
  BOOST_TEST(pe_type_for_bits(1, 2) == PeType::binary);
  BOOST_TEST(pe_type_for_bits(2, 2) == PeType::ternary);
  BOOST_TEST(pe_type_for_bits(4, 4) == PeType::int_k);
  PeType t{};
  BOOST_TEST(parse_pe_type("ternary", &t));
  BOOST_TEST(t == PeType::ternary);
  BOOST_TEST(!parse_pe_type("int4", &t));
  BOOST_TEST(codes_per_word(64, 4) == 16);
  BOOST_TEST(codes_per_word(64, 3) == 21);  // a 3-bit code never straddles words
  BOOST_TEST(words_for_codes(100, 64, 4) == 7);
  BOOST_TEST(words_for_codes(100, 64, 32) == 50);
  BOOST_TEST(words_for_codes(3, 16, 32) == 6);  // a 32-bit value in 16-bit words takes two
}

BOOST_AUTO_TEST_CASE(rng_is_deterministic) {
  Rng a(7), b(7), c(8);
  for (int i = 0; i < 100; ++i) BOOST_TEST(a.next_u64() == b.next_u64());
  BOOST_TEST(a.next_u64() != c.next_u64());
  for (int i = 0; i < 1000; ++i) {
    const int64_t x = a.uniform_int(-3, 5);
    BOOST_TEST((x >= -3 && x <= 5));
  }
}

BOOST_AUTO_TEST_SUITE_END()
