// Comma-separated number lists of parameter files ("0.2, 0.6, 1.0"), parsed
// with an InputError that names the file, the parameter and what was expected.
#pragma once

#include "common/input_error.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/utilities.h>

#include <algorithm>
#include <string>
#include <vector>

namespace otj
{
  enum class ListRule
  {
    any,
    positive,
    increasing_positive, ///< strictly increasing and positive
    non_negative
  };

  /// The entry `name` of the current subsection of `prm` as numbers; `path`
  /// (e.g. "Protocols/EPSC/") prefixes the name in error messages.
  inline std::vector<double> number_list(const dealii::ParameterHandler &prm, const std::string &name,
                                         const std::string &file, const std::string &path,
                                         const ListRule rule = ListRule::positive)
  {
    std::vector<double> v;
    const std::string   text = prm.get(name);
    for (const auto &s : dealii::Utilities::split_string_list(text))
      {
        double x = 0;
        try
          {
            x = dealii::Utilities::string_to_double(s);
          }
        catch (...)
          {
            throw_bad_parameter(file, path + name, "'" + text + "'", "a comma-separated list of numbers");
          }
        if ((rule == ListRule::positive || rule == ListRule::increasing_positive) && !(x > 0))
          throw_bad_parameter(file, path + name, "'" + text + "'", "positive numbers");
        if (rule == ListRule::non_negative && !(x >= 0))
          throw_bad_parameter(file, path + name, "'" + text + "'", "non-negative numbers");
        if (rule == ListRule::increasing_positive && !v.empty() && !(x > v.back()))
          throw_bad_parameter(file, path + name, "'" + text + "'", "strictly increasing numbers");
        v.push_back(x);
      }
    if (v.empty())
      throw_bad_parameter(file, path + name, "''", "at least one value");
    return v;
  }
} // namespace otj
