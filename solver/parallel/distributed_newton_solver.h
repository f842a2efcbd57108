// Damped Newton method for the distributed system: the algorithm of the
// serial NewtonSolver (nonlinear/newton_solver.h; deal.II step-15 / step-77
// pattern) on MPI vectors, with the linearised systems solved by
// DistributedLinearSolver (MUMPS LU by default).
//
// Damping: potential updates limited to `max_potential_step` per iteration,
// falling densities updated in the logarithm (stay positive), rising densities
// updated in the logarithm of the empty-site density c_max - c (stay below
// the site limit, where the lattice-gas flux law holds), Deuflhard's
// natural monotonicity test on the simplified Newton correction (Deuflhard,
// "Newton Methods for Nonlinear Problems", 2004, section 3.3). Convergence: a
// full step whose updates are below the tolerances. All norms and tests are
// global (MPI reductions), so every rank takes the same decisions.
#pragma once

#include "nonlinear/newton_solver.h"
#include "parallel/box_stiffness_preconditioner.h"
#include "parallel/distributed_linear_solver.h"

#include <functional>
#include <memory>
#include <vector>

namespace otj
{
  struct DistributedNewtonStatistics
  {
    unsigned int newton_iterations = 0;
    unsigned int linear_iterations = 0;
    unsigned int preconditioner_fallbacks = 0; ///< `fieldsplit`: switches to the exact vacancy block
    unsigned int petsc_selfp_setups = 0; ///< `fieldsplit`: set-ups on PETSc's selfp Schur matrix (not ours)
    double       assembly_seconds  = 0; ///< residual and Jacobian assembly
    double       setup_seconds     = 0; ///< preconditioner or factorisation
    double       solve_seconds     = 0; ///< Krylov or triangular solves
  };

  class DistributedNewtonSolver
  {
  public:
    using Assembler = std::function<void(const DistributedVector &, DistributedVector &,
                                         dealii::PETScWrappers::MPI::SparseMatrix *)>;

    template <int dim>
    DistributedNewtonSolver(const DistributedDriftDiffusionSystem<dim> &system, const NewtonParameters &p,
                            const LinearSolverParameters &lp = LinearSolverParameters())
      : params_(p), comm_(system.mpi_communicator()), linear_(system.mpi_communicator(), lp)
    {
      system.reinit_matrix(jacobian_);
      is_vacancy_.resize(system.n_locally_owned());
      site_limit_.resize(system.n_locally_owned());
      for (unsigned int k = 0; k < system.n_locally_owned(); ++k)
        {
          is_vacancy_[k] = system.is_vacancy_local(k);
          site_limit_[k] = system.site_limit_local(k);
        }
      linear_.set_fields(is_vacancy_);
      if constexpr (dim == 2)
        if (lp.method == "fieldsplit")
          box_ = std::make_unique<BoxStiffnessPreconditionerMatrix>(system);
    }

    /// Solves R(u) = 0 starting from u.
    NewtonResult solve(const Assembler &assemble, DistributedVector &u);

    const DistributedNewtonStatistics &statistics() const { return stats_; }

  private:
    bool linear_solve(const DistributedVector &b, DistributedVector &x, double relative_tolerance = -1);

    /// Krylov tolerance of the simplified corrections of the natural
    /// monotonicity test (only their norm is used; measured on the 2D device:
    /// same Newton iterations as with the direction's tolerance)
    static constexpr double simplified_relative_tolerance = 1e-3;
    /// Residual reduction (from the first iterate) at which a potential
    /// update below the tolerance ends the iteration (see solve()).
    static constexpr double round_off_reduction = 1e-10;

    NewtonParameters                         params_;
    MPI_Comm                                 comm_;
    DistributedLinearSolver                  linear_;
    dealii::PETScWrappers::MPI::SparseMatrix jacobian_;
    std::vector<bool>                        is_vacancy_;
    std::vector<double>                      site_limit_; ///< scaled c_max per vacancy dof (+inf: none)
    DistributedVector                        residual_, update_, trial_, trial_residual_, simplified_;
    DistributedNewtonStatistics              stats_;
    std::unique_ptr<BoxStiffnessPreconditionerMatrix> box_; ///< `fieldsplit`: the preconditioning matrix
  };
} // namespace otj
