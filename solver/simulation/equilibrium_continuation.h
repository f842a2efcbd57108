// Thermodynamic equilibrium of the vacancies at a fixed bias by
// pseudo-transient continuation (C. T. Kelley and D. E. Keyes, SIAM J.
// Numer. Anal. 35, 508 (1998)): implicit Euler steps of geometrically growing
// length from dt = 1 ps (x4 per accepted step, up to 1e25 s), a failed Newton
// solve quarters the step and caps later steps at half of it. The lumped
// implicit Euler step conserves the vacancy number exactly, so the limit is
// the equilibrium with the initial inventory. Converged when steps of more
// than 1e15 s change no vacancy density by more than 1e-12 (relative), or
// steps of at least 1e6 s (where Newton could not go further) by less than
// 1e-10, or when 20 steps in a row of at least 1 s each, held at the cap
// by a failed longer step, change no density by more than 1e-8 per second of
// step and never more than 1e-5 (relaxation times above 1e8 s; where Newton fails at
// longer steps, e.g. with vacancies trapped at the interface layer in 1D, the
// step-to-step change is round-off noise of 1e-12 - 1e-6 on the sparsest
// nodes; a deep interface trap with a 0.9 eV barrier holds the cap at ~560 s
// with changes of 1e-11 per step); after 400 steps without a step of 1e6 s
// that did not end so: ConvergenceFailure. Shared by the 1D run (transient_simulation.h) and the distributed
// 2D run (distributed_transient_simulation.h), which supply the step and the
// (MPI-reduced) change.
#pragma once

#include "nonlinear/newton_solver.h"
#include "time_stepping/bdf_integrator.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>

namespace otj
{
  struct ContinuationStatistics
  {
    unsigned int newton_iterations = 0, accepted_steps = 0;
  };

  /// u: the start (in) and the equilibrium (out). step(dt, old, trial):
  /// one implicit Euler step of length dt from old, trial holding the start
  /// guess (a copy of old) and the result; returns the Newton result.
  /// change(trial, old): the largest relative change of a vacancy density.
  /// t: the time reported if it fails (ConvergenceFailure, message `what`).
  template <typename Vector, typename Step, typename Change>
  ContinuationStatistics continue_to_equilibrium(Vector &u, const Step &step, const Change &change, const double t,
                                                 const std::string &what)
  {
    ContinuationStatistics s;
    double                 dt = 1e-12, dt_cap = 1e25;
    Vector                 old = u, trial;
    bool                   converged = false;
    double                 longest   = 0; ///< longest accepted step
    unsigned int           quiet     = 0; ///< accepted steps in a row at the cap, >= 1 s, changing < min(1e-5, 1e-8 dt / s)
    for (unsigned int k = 0; k < 400 && !converged; ++k)
      {
        trial                = old;
        const NewtonResult r = step(dt, old, trial);
        s.newton_iterations += r.iterations;
        if (std::getenv("OTJ_DEBUG_NEWTON"))
          std::cerr << what << ": dt " << dt << (r.converged ? " ok" : " failed") << "\n";
        if (!r.converged)
          {
            dt_cap = std::min(dt_cap, 0.5 * dt); // do not retry steps this long
            dt *= 0.25;
            if (dt < 1e-20)
              throw ConvergenceFailure(t, dt, r.residual_norm, what + " did not converge");
            continue;
          }
        ++s.accepted_steps;
        const double c = change(trial, old);
        if (std::getenv("OTJ_DEBUG_NEWTON"))
          std::cerr << what << ": dt " << dt << " accepted, largest relative change " << c << "\n";
        longest        = std::max(longest, dt);
        old            = trial;
        converged = (dt > 1e15 && c < 1e-12) || (dt >= 1e6 && c < 1e-10);
        quiet     = (dt >= 1.0 && dt >= dt_cap && c < std::min(1e-5, 1e-8 * dt)) ? quiet + 1 : 0;
        converged = converged || quiet >= 20;
        dt        = std::min({dt * 4.0, 1e25, dt_cap});
      }
    // no half-relaxed state passes for the equilibrium: after 400 steps the
    // pseudo-time must at least have reached 1e6 s (the runs whose change
    // never falls below the thresholds at 1e25 s end here as before)
    if (!converged && longest < 1e6)
      throw ConvergenceFailure(t, dt, 0.0,
                               what + " stalled: 400 pseudo-time steps, none longer than " + std::to_string(longest) + " s");
    u = old;
    return s;
  }
} // namespace otj
