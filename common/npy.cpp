#include "common/npy.h"

#include <cstring>
#include <limits>
#include <stdexcept>

#include "common/diagnostics.h"

namespace wrpn {

const char* npy_descr(NpyDtype t) {
  switch (t) {
    case NpyDtype::i1:
      return "<i1";
    case NpyDtype::i2:
      return "<i2";
    case NpyDtype::i4:
      return "<i4";
    case NpyDtype::i8:
      return "<i8";
    case NpyDtype::f4:
      return "<f4";
  }
  return "?";
}

size_t npy_itemsize(NpyDtype t) {
  switch (t) {
    case NpyDtype::i1:
      return 1;
    case NpyDtype::i2:
      return 2;
    case NpyDtype::i4:
      return 4;
    case NpyDtype::i8:
      return 8;
    case NpyDtype::f4:
      return 4;
  }
  return 0;
}

int64_t NpyArray::size() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

NpyDtype npy_int_dtype_for_range(int64_t lo, int64_t hi) {
  if (lo >= INT8_MIN && hi <= INT8_MAX) return NpyDtype::i1;
  if (lo >= INT16_MIN && hi <= INT16_MAX) return NpyDtype::i2;
  if (lo >= INT32_MIN && hi <= INT32_MAX) return NpyDtype::i4;
  return NpyDtype::i8;
}

static std::string npy_header(const std::vector<int64_t>& shape, NpyDtype dtype) {
  std::string shp = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    shp += std::to_string(shape[i]) + (shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : ""));
  shp += ")";
  std::string dict =
      std::string("{'descr': '") + npy_descr(dtype) + "', 'fortran_order': False, 'shape': " + shp + ", }";
  // magic(6) + version(2) + len(2) + dict + '\n', padded with spaces to a multiple of 64.
  size_t total = 10 + dict.size() + 1;
  const size_t pad = (64 - total % 64) % 64;
  dict.append(pad, ' ');
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(dict.size());
  out.push_back(static_cast<char>(len & 0xff));
  out.push_back(static_cast<char>(len >> 8));
  return out + dict;
}

template <typename Src>
static std::string encode_ints(const std::vector<int64_t>& shape, const Src* data, NpyDtype dtype) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  std::string out = npy_header(shape, dtype);
  const size_t w = npy_itemsize(dtype);
  const int64_t lo = w == 8 ? INT64_MIN : -(int64_t{1} << (8 * w - 1));
  const int64_t hi = w == 8 ? INT64_MAX : (int64_t{1} << (8 * w - 1)) - 1;
  const size_t base = out.size();
  out.resize(base + static_cast<size_t>(n) * w);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = data[i];
    if (v < lo || v > hi) throw std::invalid_argument(std::string("value does not fit npy dtype ") + npy_descr(dtype));
    // Little-endian host (x86_64/aarch64): copy the low bytes.
    std::memcpy(&out[base + static_cast<size_t>(i) * w], &v, w);
  }
  return out;
}

std::string npy_encode_ints(const std::vector<int64_t>& shape, const int32_t* data, NpyDtype dtype) {
  return encode_ints(shape, data, dtype);
}
std::string npy_encode_ints64(const std::vector<int64_t>& shape, const int64_t* data, NpyDtype dtype) {
  return encode_ints(shape, data, dtype);
}

std::string npy_encode_floats(const std::vector<int64_t>& shape, const float* data) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  std::string out = npy_header(shape, NpyDtype::f4);
  out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n) * sizeof(float));
  return out;
}

namespace {
// Value text of `'key': value` in a .npy header dict: a quoted string (quotes removed), a
// parenthesised tuple (parentheses kept) or a bare word. Fails with NPY002/NPY003 when absent.
std::string header_field(const std::string& header, const std::string& key, const std::string& path) {
  const std::string needle = "'" + key + "'";
  size_t pos = header.find(needle);
  const char* code = key == "shape" ? "NPY003" : "NPY002";
  if (pos == std::string::npos) fail(code, path, key, "header has no '" + key + "'");
  pos = header.find(':', pos + needle.size());
  if (pos == std::string::npos) fail(code, path, key, "header entry has no value");
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  if (pos >= header.size()) fail(code, path, key, "header entry has no value");
  size_t end = pos;
  if (header[pos] == '\'') {
    end = header.find('\'', pos + 1);
    if (end == std::string::npos) fail(code, path, key, "unterminated string");
    return header.substr(pos + 1, end - pos - 1);
  }
  if (header[pos] == '(') {
    end = header.find(')', pos);
    if (end == std::string::npos) fail(code, path, key, "unterminated tuple");
    return header.substr(pos, end - pos + 1);
  }
  while (end < header.size() && header[end] != ',' && header[end] != '}' && header[end] != ' ') ++end;
  return header.substr(pos, end - pos);
}
}  // namespace

NpyArray npy_decode(const std::string& bytes, const std::string& path) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    fail("NPY001", path, "", "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len =
        static_cast<unsigned char>(bytes[8]) | (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail("NPY001", path, "", "truncated header");
    header_len = 0;
    for (int i = 0; i < 4; ++i) header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    header_start = 12;
  } else {
    fail("NPY002", path, "", "unsupported .npy version " + std::to_string(major));
  }
  if (bytes.size() < header_start + header_len) fail("NPY001", path, "", "truncated header");
  const std::string header = bytes.substr(header_start, header_len);
  const std::string descr = header_field(header, "descr", path);
  NpyArray arr;
  if (descr == "<i1" || descr == "|i1")
    arr.dtype = NpyDtype::i1;
  else if (descr == "<i2")
    arr.dtype = NpyDtype::i2;
  else if (descr == "<i4")
    arr.dtype = NpyDtype::i4;
  else if (descr == "<i8")
    arr.dtype = NpyDtype::i8;
  else if (descr == "<f4")
    arr.dtype = NpyDtype::f4;
  else
    fail("NPY002", path, "descr", "unsupported dtype '" + descr + "'", "traces use int8/int16/int32 codes");
  if (header_field(header, "fortran_order", path) != "False")
    fail("NPY002", path, "fortran_order", "Fortran-order arrays are not supported");
  const std::string shp = header_field(header, "shape", path);
  if (shp.size() < 2 || shp.front() != '(' || shp.back() != ')') fail("NPY003", path, "shape", "shape is not a tuple");
  int64_t total = 1;
  for (size_t i = 1; i + 1 < shp.size();) {
    if (shp[i] == ',' || shp[i] == ' ') {
      ++i;
      continue;
    }
    if (shp[i] < '0' || shp[i] > '9') fail("NPY003", path, "shape", "shape holds a non-integer");
    size_t j = i;
    while (j + 1 < shp.size() && shp[j] >= '0' && shp[j] <= '9') ++j;
    if (j - i > 12) fail("NPY003", path, "shape", "dimension too large");
    const int64_t dim = std::stoll(shp.substr(i, j - i));
    if (dim != 0 && total > (int64_t{1} << 40) / dim) fail("NPY003", path, "shape", "array too large");
    total *= dim;
    arr.shape.push_back(dim);
    i = j;
  }
  const int64_t n = arr.size();
  const size_t w = npy_itemsize(arr.dtype);
  const size_t data_start = header_start + header_len;
  const size_t need = static_cast<size_t>(n) * w;
  if (bytes.size() - data_start != need)
    fail("NPY004", path, "",
         "data size " + std::to_string(bytes.size() - data_start) + " bytes does not match shape (" +
             std::to_string(need) + " bytes expected)",
         "the file is truncated or corrupt");
  const char* p = bytes.data() + data_start;
  if (arr.dtype == NpyDtype::f4) {
    arr.floats.resize(static_cast<size_t>(n));
    std::memcpy(arr.floats.data(), p, need);
  } else {
    arr.ints.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const char* q = p + static_cast<size_t>(i) * w;
      switch (arr.dtype) {
        case NpyDtype::i1: {
          int8_t v;
          std::memcpy(&v, q, 1);
          arr.ints[static_cast<size_t>(i)] = v;
          break;
        }
        case NpyDtype::i2: {
          int16_t v;
          std::memcpy(&v, q, 2);
          arr.ints[static_cast<size_t>(i)] = v;
          break;
        }
        case NpyDtype::i4: {
          int32_t v;
          std::memcpy(&v, q, 4);
          arr.ints[static_cast<size_t>(i)] = v;
          break;
        }
        default: {
          int64_t v;
          std::memcpy(&v, q, 8);
          arr.ints[static_cast<size_t>(i)] = v;
          break;
        }
      }
    }
  }
  return arr;
}

}  // namespace wrpn
