// Provenance fingerprint of an input file: the 64-bit FNV-1a hash of its
// bytes (Fowler, Noll & Vo; not a cryptographic hash), as "fnv1a64:<hex>".
#pragma once

#include <cstdint>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>

namespace otj
{
  inline std::string file_fingerprint(const std::string &path)
  {
    std::ifstream in(path, std::ios::binary);
    if (!in)
      return "unreadable";
    std::ostringstream ss;
    ss << in.rdbuf();
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : ss.str())
      h = (h ^ c) * 1099511628211ull;
    std::ostringstream o;
    o << "fnv1a64:" << std::hex << std::setw(16) << std::setfill('0') << h;
    return o.str();
  }
} // namespace otj
