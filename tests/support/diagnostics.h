// Helpers shared by the test executables (include as "tests/support/diagnostics.h").
#pragma once

#include <functional>
#include <string>

#include "common/diagnostics.h"

namespace wrpn::test {

/// What first_diagnostic_line returns when `f` does not throw.
inline const std::string kNoDiagnostic = "no diagnostic";

/// First line of the diagnostic `f` throws, or kNoDiagnostic when it does not throw.
inline std::string first_diagnostic_line(const std::function<void()>& f) {
  try {
    f();
  } catch (const DiagnosticError& e) {
    const std::string s = e.what();
    return s.substr(0, s.find('\n'));
  }
  return kNoDiagnostic;
}

inline const std::string kRoot = WRPN_SOURCE_DIR;

}  // namespace wrpn::test
