// Solves the linearised systems J x = b of the distributed Newton method with
// PETSc: a parallel direct solve (MUMPS LU, the default: robust), GMRES
// preconditioned by hypre BoomerAMG on the whole coupled Jacobian (which is
// nonsymmetric: drift terms and the Poisson-vacancy coupling; measured: ~200
// iterations at 3e4 DOFs on the manufactured problem, breakdown on the
// paper's device), or GMRES with block-Jacobi ILU(0) per rank. The
// preconditioner (or factorisation) is built once per Jacobian and reused for
// every right-hand side of that Newton iteration (the line search's
// simplified corrections). PETSc options with the prefix `otj_` override the
// choices at run time (e.g. -otj_ksp_monitor, -otj_pc_hypre_boomeramg_...).
#pragma once

#include "parallel/distributed_drift_diffusion_system.h"

#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <petscksp.h>

#include <string>

namespace otj
{
  struct LinearSolverParameters
  {
    std::string  method             = "direct";    ///< direct (MUMPS) | gmres-amg | gmres-ilu
    double       relative_tolerance = 1e-10;       ///< on the preconditioned residual
    unsigned int max_iterations     = 2000;
    unsigned int gmres_restart      = 200;
  };

  class DistributedLinearSolver
  {
  public:
    DistributedLinearSolver(MPI_Comm comm, const LinearSolverParameters &p);
    ~DistributedLinearSolver();
    DistributedLinearSolver(const DistributedLinearSolver &) = delete;
    DistributedLinearSolver &operator=(const DistributedLinearSolver &) = delete;

    /// New matrix: rebuilds the preconditioner or factorisation.
    void initialize(const dealii::PETScWrappers::MPI::SparseMatrix &J);

    /// x = J^-1 b. Returns false if the Krylov method did not converge.
    bool solve(const DistributedVector &b, DistributedVector &x);

    unsigned int last_iterations() const { return last_iterations_; }
    unsigned int total_iterations() const { return total_iterations_; }

  private:
    MPI_Comm                              comm_;
    LinearSolverParameters                params_;
    KSP                                   ksp_ = nullptr;
    dealii::PETScWrappers::MPI::Vector    b_, x_;
    unsigned int                          last_iterations_ = 0, total_iterations_ = 0;
  };
} // namespace otj
