// Compiler-style diagnostics shared by every component (docs/architecture.md section 5):
//   error[CFG002] configs/arch/edge.json:/buffers/1/capacity_kib: expected integer in [1, 65536], got "64"
//     hint: sizes are plain integers; the unit is in the key name
// Codes are documented in docs/diagnostics.md, each with a *_bad.json fixture under tests/fixtures/.
#pragma once

#include <exception>
#include <string>

namespace wrpn {

struct Diagnostic {
  std::string code;     ///< e.g. "CFG002"
  std::string file;     ///< path of the offending file, or "" for command-line input
  std::string pointer;  ///< JSON pointer or field name inside the file, may be ""
  std::string message;  ///< one line, what is wrong
  std::string hint;     ///< optional one line, how to fix it

  /// "error[CODE] file:pointer: message" plus "\n  hint: ..." when a hint is set.
  std::string format() const;
};

/// Thrown for any bad input; the CLI prints format() and exits with kExitInputError.
class DiagnosticError : public std::exception {
 public:
  explicit DiagnosticError(Diagnostic d);
  const Diagnostic& diagnostic() const { return diag_; }
  const char* what() const noexcept override { return text_.c_str(); }

 private:
  Diagnostic diag_;
  std::string text_;
};

[[noreturn]] void fail(std::string code, std::string file, std::string pointer, std::string message,
                       std::string hint = {});

/// Process exit codes of the `wrpn` CLI (documented in README and `wrpn --help`).
inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;    ///< a verification or bit-exact comparison failed
inline constexpr int kExitUsage = 2;          ///< bad command line (CLI11 parse error)
inline constexpr int kExitInputError = 3;     ///< bad config, trace, dataset or other input file
inline constexpr int kExitInternal = 4;       ///< internal inconsistency detected (a bug)
inline constexpr int kExitInterrupted = 130;  ///< SIGINT; finished work is kept

/// JSON-pointer escaping of one reference token ("~" -> "~0", "/" -> "~1").
std::string json_pointer_token(const std::string& key);

}  // namespace wrpn
