// Pareto front over any number of objectives.
#pragma once

#include <cstddef>
#include <vector>

namespace wrpn {

using std::size_t;

/// One candidate: objective values where larger is better for `maximize[i]`, smaller otherwise.
struct ParetoCandidate {
  std::vector<double> values;
};

/// Indices of the non-dominated candidates, in input order. A candidate is dominated when another
/// is at least as good in every objective and strictly better in one. Duplicates are all kept.
std::vector<size_t> pareto_front(const std::vector<ParetoCandidate>& candidates, const std::vector<bool>& maximize);

}  // namespace wrpn
