// NumPy .npy v1.0 reading and writing (little-endian, C order) for the trace format.
// Supported dtypes: int8 (<i1), int16 (<i2), int32 (<i4), int64 (<i8), float32 (<f4).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wrpn {

enum class NpyDtype { i1, i2, i4, i8, f4 };
const char* npy_descr(NpyDtype t);  ///< "<i1", ...
size_t npy_itemsize(NpyDtype t);

/// An n-d array held as int64 (integer dtypes) or float (f4); dtype records the file's storage type.
struct NpyArray {
  NpyDtype dtype = NpyDtype::i4;
  std::vector<int64_t> shape;
  std::vector<int64_t> ints;  ///< integer dtypes
  std::vector<float> floats;  ///< f4
  int64_t size() const;
};

/// Smallest integer dtype holding every value in [lo, hi].
NpyDtype npy_int_dtype_for_range(int64_t lo, int64_t hi);

/// Serializes to .npy bytes; throws std::invalid_argument if a value does not fit the dtype.
std::string npy_encode_ints(const std::vector<int64_t>& shape, const int32_t* data, NpyDtype dtype);
std::string npy_encode_ints64(const std::vector<int64_t>& shape, const int64_t* data, NpyDtype dtype);
std::string npy_encode_floats(const std::vector<int64_t>& shape, const float* data);

/// Parses .npy bytes; throws DiagnosticError(NPY001..NPY004) naming `path` on any defect
/// (bad magic, unsupported version/dtype/order, header/shape mismatch, truncated data).
NpyArray npy_decode(const std::string& bytes, const std::string& path);

}  // namespace wrpn
