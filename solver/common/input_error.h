// The one exception type for bad user input (SPEC section 9): it carries a
// message that names the file, the parameter and what was expected. The
// program catches it at top level, prints it, and exits non-zero.
#pragma once

#include <stdexcept>
#include <string>

namespace otj
{
  class InputError : public std::runtime_error
  {
  public:
    explicit InputError(const std::string &message)
      : std::runtime_error(message)
    {}
  };

  /// Throws InputError("<file>: parameter '<name>' = <value>: expected <what>").
  [[noreturn]] inline void throw_bad_parameter(const std::string &file,
                                               const std::string &name,
                                               const std::string &value,
                                               const std::string &expected)
  {
    throw InputError(file + ": parameter '" + name + "' = " + value + ": expected " + expected);
  }
} // namespace otj
