// Damped Newton method with step limiting and backtracking line search for the
// fully coupled system (deal.II step-15 / step-77 pattern), with a direct
// solve of each linearisation: a band LU (LAPACK) when the Jacobian is banded,
// as on 1D meshes, otherwise a sparse LU (UMFPACK).
//
// After a full step that contracts by the factor `chord_contraction` or better, the next
// iterate is a chord (simplified Newton) step on the factorisation at hand, its correction
// refined against the trial's Jacobian: one assembly and two band solves instead of a
// factorisation, an assembly with Jacobian and three solves (R-V loop: 12 % fewer Newton
// iterations counted with the chord steps, the loop's reads the same to 2e-6).
//
// Damping: potential updates are limited to `Maximum potential step` per
// iteration; vacancy densities may fall by at most a factor 100 per iteration
// (keeps iterates positive); then the step is halved until the scaled residual
// norm decreases. Convergence: a full step whose updates are below the
// tolerances (potential in volts, vacancies relative to the local density).
#pragma once

#include "nonlinear/banded_lu.h"

#include <deal.II/lac/sparse_direct.h>
#include <deal.II/lac/sparse_matrix.h>
#include <deal.II/lac/sparsity_pattern.h>
#include <deal.II/lac/vector.h>

#include <functional>
#include <string>
#include <vector>

namespace dealii
{
  class ParameterHandler;
}

namespace otj
{
  /// The convergence test of one solve: every potential correction below `potential` (V) and
  /// every vacancy correction below `concentration` (|c| + `floor`) (c in its scaled units).
  struct NewtonTolerances
  {
    double potential, concentration, floor;
  };

  struct NewtonParameters
  {
    unsigned int max_iterations        = 40;
    double       potential_tolerance   = 1e-10; ///< V
    double       concentration_tolerance = 1e-10; ///< relative
    double       concentration_floor   = 1e-4;  ///< absolute floor of the relative test, in units of c_scale
    double       max_potential_step    = 0.5;   ///< V per iteration
    unsigned int max_backtracking      = 8;
    /// A full step whose simplified correction is below this fraction of its own update is
    /// followed by a chord step on the same factorisation (0: never; newton_solver.cc)
    double       chord_contraction     = 0.1;
    /// In a time step of the adaptive integrator, the convergence test is this fraction of
    /// the step's error test when that is looser than the tolerances above (0: the fixed
    /// tolerances everywhere; TransientSimulation::step_tolerances)
    double       step_tolerance_fraction = 0.01;
    /// Use the band LU when the Jacobian is narrow-banded (set by the 1D
    /// transient driver; the 2D serial slab keeps UMFPACK: on its nearly
    /// singular pseudo-transient Jacobians (dt ~ 1e20 s) the band LU lost the
    /// vacancy inventory in Dimension.LaterallyUniform2DSlab..., not yet understood).
    bool         band_solver           = false;
    /// One step of iterative refinement after every linear solve (newton_solver.cc,
    /// refine_linear_solve: the vacancy balance at long steps). Off for a caller that restores
    /// the balance itself after each step (the reduced oxide model).
    bool         iterative_refinement  = true;

    /// The fixed tolerances above as one convergence test.
    NewtonTolerances tolerances() const { return {potential_tolerance, concentration_tolerance, concentration_floor}; }

    static void declare_parameters(dealii::ParameterHandler &prm);
    void        parse_parameters(dealii::ParameterHandler &prm);
  };

  struct NewtonResult
  {
    bool         converged  = false;
    unsigned int iterations = 0;
    double       residual_norm = 0;  ///< scaled l2 norm of the last residual
    double       update_norm   = 0;  ///< last max potential update (V)
    unsigned int chord_steps   = 0;  ///< iterations that were chord steps (counted in `iterations`)
  };

  class NewtonSolver
  {
  public:
    using Assembler = std::function<void(const dealii::Vector<double> &, dealii::Vector<double> &,
                                         dealii::SparseMatrix<double> *)>;

    NewtonSolver(const dealii::SparsityPattern &sparsity, const NewtonParameters &p);

    /// Solves R(u) = 0 starting from u. `is_vacancy[i]` marks the density dofs. The convergence
    /// test is the parameters' tolerances unless `tolerances` is given (a time step's, scaled
    /// to its error test: TransientSimulation).
    NewtonResult solve(const Assembler &assemble, const std::vector<bool> &is_vacancy, dealii::Vector<double> &u,
                       const NewtonTolerances *tolerances = nullptr);

    const NewtonParameters &parameters() const { return params_; }

  private:
    void refine_linear_solve();
    void factorize();
    void apply_inverse(dealii::Vector<double> &dst, const dealii::Vector<double> &src) const;
    void apply_inverse(dealii::Vector<double> &b) const;

    NewtonParameters              params_;
    dealii::SparseMatrix<double>  jacobian_;
    CsrStructure                  csr_; ///< the Jacobian's rows as plain arrays
    bool                          banded_ = false; ///< band LU (small band width) or UMFPACK
    BandedLU                      band_lu_;
    dealii::SparseDirectUMFPACK   lu_;
    dealii::Vector<double>        residual_, update_, trial_, trial_residual_, simplified_, correction_;
  };
} // namespace otj
