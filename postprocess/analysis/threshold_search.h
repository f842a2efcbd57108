// Robust search for the switching threshold of a pulse: the smallest amplitude
// whose response (e.g. the relative non-volatile change of the read
// conductance) reaches a criterion. The response is assumed to grow with the
// amplitude; evaluations may fail (a PDE run that does not converge), which
// the search treats as "no information" and works around.
//
// Method: geometric bracketing from a start amplitude, then the Illinois
// variant of regula falsi (Dowell & Jarratt, BIT 11, 168 (1971)) on
// g(V) = ln(response / criterion), which is nearly linear in V for the
// sinh-like ionic drift, with a bisection step whenever the bracket shrinks by
// less than half. Stops when the bracket is narrower than the relative tolerance.
#pragma once

#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace otj
{
  struct ThresholdSearchOptions
  {
    double       start              = 1.0;  ///< first amplitude tried (> 0)
    double       lower              = 0.05; ///< smallest amplitude allowed
    double       upper              = 10.0; ///< largest amplitude allowed
    double       growth             = 1.5;  ///< bracketing factor
    double       relative_tolerance = 0.01; ///< bracket width / amplitude at the end
    unsigned int max_evaluations    = 30;
  };

  struct ThresholdSearchResult
  {
    bool         bracketed = false; ///< a below/above pair was found
    bool         converged = false; ///< the bracket met the tolerance
    double       threshold = 0;     ///< interpolated amplitude where response = criterion
    double       below = 0, above = 0; ///< the final bracket (response below / above the criterion)
    unsigned int evaluations = 0, failures = 0;
    std::vector<std::pair<double, double>> trace; ///< (amplitude, response) of every successful evaluation
  };

  /// `response(V)` for V > 0; returns nothing if the evaluation failed.
  ThresholdSearchResult find_threshold(const std::function<std::optional<double>(double)> &response, double criterion,
                                       const ThresholdSearchOptions &options);
} // namespace otj
