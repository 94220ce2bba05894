// SHA-256 of byte strings and files (OpenSSL EVP), for trace tensor checksums.
#pragma once

#include <string>

namespace wrpn {

/// Lower-case hex SHA-256 digest.
std::string sha256_hex(const std::string& bytes);

}  // namespace wrpn
