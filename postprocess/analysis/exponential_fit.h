// Least-squares fit of a relaxation y(t) = y_inf + sum_i A_i exp(-t / tau_i)
// with one or two exponentials, by variable projection (Golub & Pereyra, SIAM
// J. Numer. Anal. 10, 413 (1973)): for given time constants the amplitudes and
// the offset follow from a linear least-squares problem, so only the time
// constants are searched: on a logarithmic grid first (no local minimum is
// missed), then refined (golden section for one, Levenberg-Marquardt in
// ln tau for two). The second exponential is kept only if the data demand it:
// the single fit leaves a relative RMS residual above `demand_rms` and the
// Bayesian information criterion (Schwarz, Ann. Stat. 6, 461 (1978)) prefers it.
#pragma once

#include <string>
#include <vector>

namespace otj
{
  struct ExponentialFit
  {
    unsigned int        terms = 0;        ///< 1 or 2
    double              offset = 0;       ///< y_inf
    std::vector<double> amplitudes, taus; ///< sorted by tau (fast first)
    double              rms = 0;          ///< RMS residual
    double              relative_rms = 0; ///< rms / (max y - min y)
    double              bic = 0;
    double              single_relative_rms = 0; ///< of the one-term fit (also when two are kept)
    double              evaluate(double t) const;
    std::string         model() const { return terms == 2 ? "double" : "single"; }
  };

  struct ExponentialFitOptions
  {
    unsigned int max_terms   = 2;
    double       demand_rms  = 0.01; ///< relative RMS of the one-term fit that asks for a second term
    double       tau_min     = 0;    ///< 0: a tenth of the smallest positive time step
    double       tau_max     = 0;    ///< 0: ten times the time span
  };

  /// Fits y(t); t need not be uniform (each point has equal weight). Needs at
  /// least 4 points (6 for two terms). Throws std::invalid_argument otherwise.
  ExponentialFit fit_exponential_decay(const std::vector<double> &t, const std::vector<double> &y,
                                       const ExponentialFitOptions &options = {});
} // namespace otj
