#include "dse/pareto.h"

namespace wrpn {

static bool dominates(const ParetoCandidate& a, const ParetoCandidate& b, const std::vector<bool>& maximize) {
  bool strictly = false;
  for (size_t i = 0; i < maximize.size(); ++i) {
    const double x = maximize[i] ? a.values[i] : -a.values[i];
    const double y = maximize[i] ? b.values[i] : -b.values[i];
    if (x < y) return false;
    if (x > y) strictly = true;
  }
  return strictly;
}

std::vector<size_t> pareto_front(const std::vector<ParetoCandidate>& c, const std::vector<bool>& maximize) {
  std::vector<size_t> front;
  for (size_t i = 0; i < c.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < c.size() && !dominated; ++j) dominated = j != i && dominates(c[j], c[i], maximize);
    if (!dominated) front.push_back(i);
  }
  return front;
}

}  // namespace wrpn
