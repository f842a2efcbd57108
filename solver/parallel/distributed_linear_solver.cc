// PETSc Krylov / direct solves of the Newton systems (see distributed_linear_solver.h).
#include "parallel/distributed_linear_solver.h"

#include "common/input_error.h"

#include <deal.II/base/exceptions.h>

#include <algorithm>

namespace otj
{
  using namespace dealii;

  namespace
  {
    void check(const PetscErrorCode ierr, const char *what)
    {
      if (ierr != 0)
        throw std::runtime_error(std::string("PETSc error in ") + what);
    }

    /// Copies the locally owned entries between the deal.II and PETSc vectors
    /// (same locally owned range).
    void copy(const DistributedVector &from, PETScWrappers::MPI::Vector &to)
    {
      Vec          v = static_cast<const Vec &>(to);
      PetscScalar *a;
      check(VecGetArray(v, &a), "VecGetArray");
      for (unsigned int k = 0; k < from.locally_owned_size(); ++k)
        a[k] = from.local_element(k);
      check(VecRestoreArray(v, &a), "VecRestoreArray");
    }
    void copy(const PETScWrappers::MPI::Vector &from, DistributedVector &to)
    {
      Vec                v = static_cast<const Vec &>(from);
      const PetscScalar *a;
      check(VecGetArrayRead(v, &a), "VecGetArrayRead");
      for (unsigned int k = 0; k < to.locally_owned_size(); ++k)
        to.local_element(k) = a[k];
      check(VecRestoreArrayRead(v, &a), "VecRestoreArrayRead");
    }
  } // namespace

  DistributedLinearSolver::DistributedLinearSolver(MPI_Comm comm, const LinearSolverParameters &p)
    : comm_(comm), params_(p)
  {
    if (p.method != "gmres-amg" && p.method != "gmres-ilu" && p.method != "direct")
      throw InputError("Linear solver: unknown method '" + p.method + "' (allowed: gmres-amg, gmres-ilu, direct)");
  }

  DistributedLinearSolver::~DistributedLinearSolver()
  {
    if (ksp_)
      KSPDestroy(&ksp_);
  }

  void DistributedLinearSolver::initialize(const PETScWrappers::MPI::SparseMatrix &J)
  {
    if (!ksp_)
      {
        check(KSPCreate(comm_, &ksp_), "KSPCreate");
        check(KSPSetOptionsPrefix(ksp_, "otj_"), "KSPSetOptionsPrefix");
      }
    const Mat A = static_cast<const Mat &>(J);
    check(KSPSetOperators(ksp_, A, A), "KSPSetOperators");
    PC pc;
    check(KSPGetPC(ksp_, &pc), "KSPGetPC");
    if (params_.method == "direct")
      {
        check(KSPSetType(ksp_, KSPPREONLY), "KSPSetType");
        check(PCSetType(pc, PCLU), "PCSetType");
        check(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS), "PCFactorSetMatSolverType");
      }
    else
      {
        check(KSPSetType(ksp_, KSPGMRES), "KSPSetType");
        check(KSPGMRESSetRestart(ksp_, params_.gmres_restart), "KSPGMRESSetRestart");
        // right preconditioning: the tolerance applies to the true residual
        check(KSPSetPCSide(ksp_, PC_RIGHT), "KSPSetPCSide");
        if (params_.method == "gmres-amg")
          {
            check(PCSetType(pc, PCHYPRE), "PCSetType");
            check(PCHYPRESetType(pc, "boomeramg"), "PCHYPRESetType");
          }
        else
          check(PCSetType(pc, PCBJACOBI), "PCSetType");
        check(KSPSetTolerances(ksp_, params_.relative_tolerance, 1e-300, 1e30, params_.max_iterations),
              "KSPSetTolerances");
      }
    check(KSPSetFromOptions(ksp_), "KSPSetFromOptions");
    check(KSPSetUp(ksp_), "KSPSetUp");
    if (b_.size() != J.m())
      {
        b_.reinit(J.locally_owned_range_indices(), comm_);
        x_.reinit(J.locally_owned_range_indices(), comm_);
      }
  }

  bool DistributedLinearSolver::solve(const DistributedVector &b, DistributedVector &x)
  {
    copy(b, b_);
    x_ = 0;
    check(KSPSolve(ksp_, static_cast<const Vec &>(b_), static_cast<const Vec &>(x_)), "KSPSolve");
    KSPConvergedReason reason;
    PetscInt           its = 0;
    check(KSPGetConvergedReason(ksp_, &reason), "KSPGetConvergedReason");
    check(KSPGetIterationNumber(ksp_, &its), "KSPGetIterationNumber");
    last_iterations_ = its;
    total_iterations_ += its;
    copy(x_, x);
    return reason > 0;
  }
} // namespace otj
