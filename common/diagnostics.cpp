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

namespace {
/// A diagnostic stays one readable line whatever a user's file holds: parts longer than
/// `max_chars` are cut with "...", control characters (a newline inside a quoted value) become '?'.
void clip(std::string& s, size_t max_chars) {
  for (char& ch : s)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
  if (s.size() > max_chars) s = s.substr(0, max_chars) + "...";
}
}  // namespace

DiagnosticError::DiagnosticError(Diagnostic d) : diag_(std::move(d)) {
  clip(diag_.message, 1000);
  clip(diag_.pointer, 300);
  clip(diag_.hint, 1000);
  text_ = diag_.format();
}

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
