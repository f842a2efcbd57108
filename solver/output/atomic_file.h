// Atomic result files (SPEC section 9): content is written to "<path>.tmp.<pid>"
// and renamed over <path> only when complete, so a crash or a kill never
// leaves a half-written table behind.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace otj
{
  /// Calls write(stream) on a temporary file and renames it to path.
  /// Creates parent directories. Throws std::runtime_error on I/O failure.
  void write_atomically(const std::string &path, const std::function<void(std::ostream &)> &write);
} // namespace otj
