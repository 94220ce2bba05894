#include "common/diagnostics.h"

#include <utility>

namespace wrpn {

std::string Diagnostic::format() const {
  std::string out = "error[" + code + "] ";
  if (!file.empty()) out += file + ":";
  if (!pointer.empty()) out += pointer + ":";
  if (!file.empty() || !pointer.empty()) out += " ";
  out += message;
  if (!hint.empty()) out += "\n  hint: " + hint;
  return out;
}

DiagnosticError::DiagnosticError(Diagnostic d) : diag_(std::move(d)), text_(diag_.format()) {}

void fail(std::string code, std::string file, std::string pointer, std::string message, std::string hint) {
  throw DiagnosticError(
      Diagnostic{std::move(code), std::move(file), std::move(pointer), std::move(message), std::move(hint)});
}

std::string json_pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

}  // namespace wrpn
