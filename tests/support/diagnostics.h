// Helpers shared by the workloads tests.
#pragma once

#include <functional>
#include <string>

#include "common/diagnostics.h"

namespace wrpn::test {

/// First line of the diagnostic `f` throws, or a marker when it does not throw.
inline std::string first_diagnostic_line(const std::function<void()>& f) {
  try {
    f();
  } catch (const DiagnosticError& e) {
    const std::string s = e.what();
    return s.substr(0, s.find('\n'));
  }
  return "no diagnostic";
}

inline const std::string kRoot = WRPN_SOURCE_DIR;

}  // namespace wrpn::test
