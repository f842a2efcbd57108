// PETSc Krylov / direct solves of the Newton systems (see distributed_linear_solver.h).
#include "parallel/distributed_linear_solver.h"
#include "parallel/petsc_check.h"

#include "common/input_error.h"

#include <deal.II/base/exceptions.h>

#include <algorithm>

namespace otj
{
  using namespace dealii;

  namespace
  {
    /// Copies the locally owned entries between the deal.II and PETSc vectors
    /// (same locally owned range).
    void copy(const DistributedVector &from, PETScWrappers::MPI::Vector &to)
    {
      Vec          v = static_cast<const Vec &>(to);
      PetscScalar *a;
      check_petsc(VecGetArray(v, &a), "VecGetArray");
      for (unsigned int k = 0; k < from.locally_owned_size(); ++k)
        a[k] = from.local_element(k);
      check_petsc(VecRestoreArray(v, &a), "VecRestoreArray");
    }
    void copy(const PETScWrappers::MPI::Vector &from, DistributedVector &to)
    {
      Vec                v = static_cast<const Vec &>(from);
      const PetscScalar *a;
      check_petsc(VecGetArrayRead(v, &a), "VecGetArrayRead");
      for (unsigned int k = 0; k < to.locally_owned_size(); ++k)
        to.local_element(k) = a[k];
      check_petsc(VecRestoreArrayRead(v, &a), "VecRestoreArrayRead");
    }
  } // namespace

  DistributedLinearSolver::DistributedLinearSolver(MPI_Comm comm, const LinearSolverParameters &p)
    : comm_(comm), params_(p)
  {
    if (p.method != "gmres-amg" && p.method != "gmres-ilu" && p.method != "direct" && p.method != "fieldsplit")
      throw InputError("Linear solver: unknown method '" + p.method +
                       "' (allowed: gmres-amg, gmres-ilu, fieldsplit, direct)");
  }

  void DistributedLinearSolver::set_up_fieldsplit(PC pc, Mat A)
  {
    check_petsc(PCSetType(pc, PCFIELDSPLIT), "PCSetType");
    if (!fields_set_)
      {
        PetscInt first = 0, end = 0;
        check_petsc(MatGetOwnershipRange(A, &first, &end), "MatGetOwnershipRange");
        if (is_vacancy_.size() != std::size_t(end - first))
          throw std::logic_error("DistributedLinearSolver: fieldsplit needs set_fields() with one flag per owned row");
        std::vector<PetscInt> rows_c, rows_phi;
        for (PetscInt k = 0; k < end - first; ++k)
          (is_vacancy_[k] ? rows_c : rows_phi).push_back(first + k);
        IS is_c, is_phi;
        check_petsc(ISCreateGeneral(comm_, rows_c.size(), rows_c.data(), PETSC_COPY_VALUES, &is_c), "ISCreateGeneral");
        check_petsc(ISCreateGeneral(comm_, rows_phi.size(), rows_phi.data(), PETSC_COPY_VALUES, &is_phi), "ISCreateGeneral");
        check_petsc(PCFieldSplitSetIS(pc, "c", is_c), "PCFieldSplitSetIS");
        check_petsc(PCFieldSplitSetIS(pc, "phi", is_phi), "PCFieldSplitSetIS");
        ISDestroy(&is_c);
        ISDestroy(&is_phi);
        check_petsc(PCFieldSplitSetType(pc, PC_COMPOSITE_SCHUR), "PCFieldSplitSetType");
        check_petsc(PCFieldSplitSetSchurFactType(pc, PC_FIELDSPLIT_SCHUR_FACT_FULL), "PCFieldSplitSetSchurFactType");
        check_petsc(PCFieldSplitSetSchurPre(pc, PC_FIELDSPLIT_SCHUR_PRE_SELFP, nullptr), "PCFieldSplitSetSchurPre");
        // defaults of the sub-solvers, overridable on the command line
        auto set_default = [](const char *name, const char *value) {
          PetscBool has = PETSC_FALSE;
          check_petsc(PetscOptionsHasName(nullptr, nullptr, name, &has), "PetscOptionsHasName");
          if (!has)
            check_petsc(PetscOptionsSetValue(nullptr, name, value), "PetscOptionsSetValue");
        };
        set_default("-otj_fieldsplit_c_ksp_type", "preonly");
        set_default("-otj_fieldsplit_c_pc_type", "bjacobi");
        set_default("-otj_fieldsplit_c_sub_pc_type", "ilu");
        set_default("-otj_fieldsplit_c_sub_pc_factor_levels", "3"); // measured: 416 vs 706 GMRES its with ILU(0)
        set_default("-otj_fieldsplit_phi_ksp_type", "preonly");
        set_default("-otj_fieldsplit_phi_pc_type", "hypre");
        set_default("-otj_fieldsplit_phi_pc_hypre_type", "boomeramg");
        fields_set_ = true;
      }
  }

  DistributedLinearSolver::~DistributedLinearSolver()
  {
    if (ksp_)
      KSPDestroy(&ksp_);
  }

  void DistributedLinearSolver::initialize(const PETScWrappers::MPI::SparseMatrix &J)
  {
    initialize(J, static_cast<const Mat &>(J));
  }

  void DistributedLinearSolver::initialize(const PETScWrappers::MPI::SparseMatrix &J, Mat P)
  {
    if (!ksp_)
      {
        check_petsc(KSPCreate(comm_, &ksp_), "KSPCreate");
        check_petsc(KSPSetOptionsPrefix(ksp_, "otj_"), "KSPSetOptionsPrefix");
      }
    const Mat A = static_cast<const Mat &>(J);
    check_petsc(KSPSetOperators(ksp_, A, P), "KSPSetOperators");
    PC pc;
    check_petsc(KSPGetPC(ksp_, &pc), "KSPGetPC");
    if (params_.method == "direct")
      {
        check_petsc(KSPSetType(ksp_, KSPPREONLY), "KSPSetType");
        check_petsc(PCSetType(pc, PCLU), "PCSetType");
        check_petsc(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS), "PCFactorSetMatSolverType");
      }
    else
      {
        check_petsc(KSPSetType(ksp_, KSPGMRES), "KSPSetType");
        check_petsc(KSPGMRESSetRestart(ksp_, params_.gmres_restart), "KSPGMRESSetRestart");
        // right preconditioning: the tolerance applies to the true residual
        check_petsc(KSPSetPCSide(ksp_, PC_RIGHT), "KSPSetPCSide");
        if (params_.method == "gmres-amg")
          {
            check_petsc(PCSetType(pc, PCHYPRE), "PCSetType");
            check_petsc(PCHYPRESetType(pc, "boomeramg"), "PCHYPRESetType");
          }
        else if (params_.method == "fieldsplit")
          set_up_fieldsplit(pc, P);
        else
          check_petsc(PCSetType(pc, PCBJACOBI), "PCSetType");
        check_petsc(KSPSetTolerances(ksp_, params_.relative_tolerance, 1e-300, 1e30, params_.max_iterations),
              "KSPSetTolerances");
      }
    check_petsc(KSPSetFromOptions(ksp_), "KSPSetFromOptions");
    check_petsc(KSPSetUp(ksp_), "KSPSetUp");
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
    check_petsc(KSPSolve(ksp_, static_cast<const Vec &>(b_), static_cast<const Vec &>(x_)), "KSPSolve");
    KSPConvergedReason reason;
    PetscInt           its = 0;
    check_petsc(KSPGetConvergedReason(ksp_, &reason), "KSPGetConvergedReason");
    check_petsc(KSPGetIterationNumber(ksp_, &its), "KSPGetIterationNumber");
    last_iterations_ = its;
    total_iterations_ += its;
    copy(x_, x);
    return reason > 0;
  }
} // namespace otj
