#include "mapping/design_point.h"

#include <algorithm>

#include "common/diagnostics.h"
#include "mapping/plan.h"

namespace wrpn::mapping {

namespace {

/// A PE of `type` at the given widths, on the template's array.
ArchConfig with_pe(const ArchConfig& tmpl, PeType type, int wbits, int abits) {
  ArchConfig a = tmpl;
  a.pe_type = type;
  a.pe_wbits = type == PeType::fp32 ? 32 : (type == PeType::binary ? 1 : (type == PeType::ternary ? 2 : wbits));
  a.pe_abits = type == PeType::fp32 ? 32 : abits;
  return a;
}

/// The first weighted layer `arch`'s PE cannot run, or nullptr.
const Layer* first_illegal(const ArchConfig& arch, const std::vector<Layer>& layers, std::string* why) {
  for (const Layer& l : layers) {
    const std::string w = pe_cannot_run(arch, l);
    if (!w.empty()) {
      *why = w;
      return &l;
    }
  }
  return nullptr;
}

std::string bits_label(int wbits, int abits) { return "W" + std::to_string(wbits) + "A" + std::to_string(abits); }

}  // namespace

std::string ResolvedArch::pe_label() const {
  if (arch.pe_type == PeType::fp32) return "fp32";
  return std::string(to_string(arch.pe_type)) + " " + bits_label(arch.pe_wbits, arch.pe_abits);
}

std::string ResolvedArch::describe() const {
  std::string s = std::to_string(arch.rows) + "x" + std::to_string(arch.cols) + " " + pe_label() + " PEs (" +
                  (pe_pinned ? "pinned by the arch" : "precision policy") + "), " + std::to_string(arch.acc_bits) +
                  "-bit accumulator (";
  if (acc_pinned)
    s += "pinned by the arch";
  else if (arch.pe_type == PeType::fp32)
    s += "FP32 word";
  else
    s += "from the workload: " + acc_layer;
  s += ")";
  if (max_passes > 1) s += ", up to " + std::to_string(max_passes) + " bit-slice passes";
  return s;
}

nlohmann::json ResolvedArch::to_json() const {
  return {{"rows", arch.rows},
          {"cols", arch.cols},
          {"pe_type", to_string(arch.pe_type)},
          {"pe_wbits", arch.pe_wbits},
          {"pe_abits", arch.pe_abits},
          {"pe_source", pe_pinned ? "pinned" : "policy"},
          {"acc_bits", arch.acc_bits},
          {"acc_source", arch.pe_type == PeType::fp32 ? "fp32" : (acc_pinned ? "pinned" : "workload")},
          {"acc_layer", acc_layer},
          {"max_passes", max_passes},
          {"precision",
           {{"wbits", precision.wbits},
            {"abits", precision.abits},
            {"first_wbits", precision.first_wbits},
            {"first_abits", precision.first_abits},
            {"last_wbits", precision.last_wbits},
            {"last_abits", precision.last_abits}}}};
}

int layer_acc_bits(const ArchConfig& arch, const Layer& l) {
  if (!l.has_weights()) return 0;
  if (arch.pe_type == PeType::fp32) return 32;
  if (arch.pe_type == PeType::binary) return acc_bits_for_fan_in(1, 1, l.fan_in());
  return acc_bits_for_sliced_fan_in(l.abits_in, l.wbits, l.fan_in(), arch.pe_wbits);
}

PrecisionPolicy precision_of(const std::vector<Layer>& layers) {
  std::vector<const Layer*> weighted;
  for (const Layer& l : layers)
    if (l.has_weights()) weighted.push_back(&l);
  PrecisionPolicy p;
  if (weighted.empty()) return p;
  const Layer &first = *weighted.front(), &last = *weighted.back();
  p.first_wbits = first.wbits;
  p.first_abits = first.abits_in;
  p.last_wbits = last.wbits;
  p.last_abits = last.abits_in;
  if (weighted.size() <= 2) {
    p.wbits = std::max(first.wbits, last.wbits);
    p.abits = std::max(first.abits_in, last.abits_in);
    return p;
  }
  p.wbits = p.abits = 0;
  for (size_t i = 1; i + 1 < weighted.size(); ++i) {
    p.wbits = std::max(p.wbits, weighted[i]->wbits);
    p.abits = std::max(p.abits, weighted[i]->abits_in);
  }
  return p;
}

ResolvedArch resolve_arch(const ArchConfig& tmpl, const PrecisionPolicy& policy, const std::vector<Layer>& layers,
                          const std::string& what) {
  ResolvedArch r;
  r.precision = policy;
  r.pe_pinned = tmpl.pe_pinned;
  r.acc_pinned = tmpl.acc_pinned;
  const bool fp32_body = policy.wbits == kFp32Bits || policy.abits == kFp32Bits;
  if (fp32_body) {
    // The FP32 network runs on FP32 PEs of the template's array, pinned PE or not: the baseline.
    r.arch = with_pe(tmpl, PeType::fp32, 32, 32);
    r.pe_pinned = false;
    r.acc_pinned = false;
  } else if (tmpl.pe_pinned) {
    r.arch = tmpl;
  } else {
    r.arch = with_pe(tmpl, pe_type_for_bits(policy.wbits, policy.abits), policy.wbits, policy.abits);
    std::string why;
    // A ternary or binary body whose (8-bit) first or last layer cannot run on its PE: the
    // smallest integer PE that runs the body natively and the rest in bit-slice passes.
    if (r.arch.pe_type != PeType::int_k && first_illegal(r.arch, layers, &why) != nullptr)
      r.arch = with_pe(tmpl, PeType::int_k, std::max(2, policy.wbits), policy.abits);
  }
  std::string why;
  if (const Layer* bad = first_illegal(r.arch, layers, &why))
    fail("DP001", r.pe_pinned ? tmpl.source : "", r.pe_pinned ? "/pe/type" : "--wbits/--abits",
         "the " + r.pe_label() + " PE" + (r.pe_pinned ? " the arch pins" : " of the precision policy") +
             " cannot run layer \"" + bad->name + "\" of " + what + " (" + bits_label(bad->wbits, bad->abits_in) +
             "): " + why,
         r.pe_pinned ? "remove \"pe\" from the arch to let the policy pick the PE, or pick a PE type that runs every "
                       "layer (int runs any quantized layer, in bit-slice passes when wider)"
                     : "give every layer a quantized precision (--first-wbits/--last-wbits ...) or all FP32");
  for (const Layer& l : layers) r.max_passes = std::max(r.max_passes, passes_for(r.arch, l));

  if (r.arch.pe_type == PeType::fp32) {
    r.arch.acc_bits = 32;
  } else if (!r.acc_pinned) {
    int acc = min_acc_bits_for_product(r.arch.pe_abits, r.arch.pe_wbits);
    r.acc_layer = "one product";
    for (const Layer& l : layers) {
      const int need = layer_acc_bits(r.arch, l);
      if (need > acc) {
        acc = need;
        r.acc_layer = l.name;
      }
    }
    if (acc > kMaxAccBits)
      fail("DP002", tmpl.source, "/pe/acc_bits",
           "layer \"" + r.acc_layer + "\" of " + what + " needs a " + std::to_string(acc) +
               "-bit accumulator in the worst case, more than the " + std::to_string(kMaxAccBits) + " bits a PE has",
           "pin \"acc_bits\" with \"overflow\": \"saturate\" in the arch's \"pe\" to clamp explicitly");
    r.arch.acc_bits = acc;
  }
  return r;
}

}  // namespace wrpn::mapping
