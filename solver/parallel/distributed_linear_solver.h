// Solves the linearised systems J x = b of the distributed Newton method with
// PETSc: a parallel direct solve (MUMPS LU, the default: robust), GMRES
// preconditioned by hypre BoomerAMG on the whole coupled Jacobian (which is
// nonsymmetric: drift terms and the Poisson-vacancy coupling; measured: ~200
// iterations at 3e4 DOFs on the manufactured problem, breakdown on the
// paper's device), GMRES with block-Jacobi ILU(0) per rank, or GMRES with a
// field-split (block) preconditioner (`fieldsplit`, see below). The
// preconditioner (or factorisation) is built once per Jacobian and reused for
// every right-hand side of that Newton iteration (the line search's
// simplified corrections). PETSc options with the prefix `otj_` override the
// choices at run time (e.g. -otj_ksp_monitor, -otj_pc_hypre_boomeramg_...).
//
// `fieldsplit`: PETSc PCFIELDSPLIT on the two fields (set_fields() gives the
// vacancy / potential flag of each locally owned row), vacancy densities
// first (split "c"), potential second (split "phi"); a Schur-complement
// factorisation (full), the Schur complement S = A_pp - A_pc diag(A_cc)^-1
// A_cp ("selfp"; assembled by parallel/selfp_schur_matrix.h on a pattern kept
// from one Newton iteration to the next, PETSc's own with
// -otj_pc_fieldsplit_schur_precondition selfp) preconditioned by one hypre
// BoomerAMG V-cycle (l1 Gauss-Seidel smoothing), the vacancy block by ILU(0) per rank (block Jacobi).
// The preconditioner is built from the Jacobian with the box-method Poisson
// stiffness on flat cells, on the five-point pattern
// (parallel/box_stiffness_preconditioner.h): with the Q1 stiffness AMG
// needs 5x more iterations, growing with the mesh; the five-point pattern
// halves the Schur complement's stencil (13 instead of 25 entries per row;
// 5 once its structural zeros are left out, selfp_schur_matrix.h). Why this structure:
// each row of the vacancy block is scaled by 1 / (vol / dt) (implicit step,
// discretization/drift_diffusion_system.h), so A_cc = I + dt L_c, L_c the
// exponentially fitted drift-diffusion operator; ILU is exact for 1D-like
// drift-dominated chains and cheap (measured: AMG on this block is no better). The Schur complement is the linearised
// Poisson operator (an M-matrix: -div eps grad plus the positive electron
// and vacancy screening terms), elliptic, for which algebraic multigrid
// costs O(N) (Y. Saad, Iterative Methods for Sparse Linear Systems, 2003,
// ch. 13; H. Elman, D. Silvester, A. Wathen, Finite Elements and Fast
// Iterative Solvers, 2014, ch. 9 for block preconditioners of coupled
// systems). Fallback: ILU(0) fails on the nearly singular vacancy blocks of
// very long implicit steps (dt L_c dominates the identity and L_c, with
// blocking contacts, conserves the vacancies: measured, GMRES breakdown in
// the equilibrium continuation beyond dt ~ 0.02 s); when the fast solve has
// not converged after fallback_after_iterations, the preconditioner is
// rebuilt with an LU factorisation of each rank's vacancy block (nested
// dissection order; options prefix otj_exact_) and used for the rest of that
// Newton solve. Every choice can be changed at run time: -otj_pc_fieldsplit_type,
// -otj_fieldsplit_phi_pc_type, -otj_fieldsplit_c_sub_pc_type, ...
// PETSc receives the preconditioning matrix as its four field blocks
// (parallel/field_block_matrix.h: no block extraction at each set-up);
// -otj_fieldsplit_aij_pmat hands it the AIJ matrix instead (PETSc then
// extracts the blocks itself; for comparison).
#pragma once

#include "parallel/distributed_drift_diffusion_system.h"
#include "parallel/field_block_matrix.h"
#include "parallel/selfp_schur_matrix.h"

#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <petscksp.h>

#include <memory>
#include <string>
#include <vector>

namespace otj
{
  struct LinearSolverParameters
  {
    std::string  method             = "direct";    ///< direct (MUMPS) | gmres-amg | gmres-ilu | fieldsplit
    /// Krylov methods: relative tolerance on the true residual of the Newton
    /// direction (an inexact Newton method with a constant forcing term:
    /// quadratic convergence down to this level, then linear with this rate;
    /// R. S. Dembo, S. C. Eisenstat, T. Steihaug, SIAM J. Numer. Anal. 19, 400
    /// (1982)); measured on the 2D device: the same Newton iterations with 1e-6
    /// as with 1e-10, at 2.2x fewer Krylov iterations
    double       relative_tolerance = 1e-6;
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

    /// The field of each locally owned row (true: vacancy density), in the
    /// order of the matrix rows; needed by `fieldsplit`.
    /// New flags (a new system): the index sets and the Schur matrix are made afresh.
    void set_fields(const std::vector<bool> &is_vacancy_local)
    {
      is_vacancy_         = is_vacancy_local;
      primary_.fields_set = exact_.fields_set = false;
      schur_.reset();
      blocks_.reset();
      blocks_builds_ = 0;
    }

    /// New matrix: rebuilds the preconditioner or factorisation.
    void initialize(const dealii::PETScWrappers::MPI::SparseMatrix &J);
    /// New matrix J, preconditioner (or factorisation) built from P.
    void initialize(const dealii::PETScWrappers::MPI::SparseMatrix &J, Mat P);

    /// x = J^-1 b. Returns false if the Krylov method did not converge.
    /// relative_tolerance > 0 replaces the parameters' tolerance for this
    /// solve (Krylov methods; the direct solve ignores it).
    bool solve(const DistributedVector &b, DistributedVector &x, double relative_tolerance = -1);

    /// `fieldsplit`: back to the fast (ILU) vacancy block; called at the
    /// start of every Newton solve (the exact fallback, once triggered,
    /// serves the rest of that Newton solve).
    void use_fast_preconditioner() { exact_active_ = false; }

    unsigned int last_iterations() const { return last_iterations_; }
    unsigned int total_iterations() const { return total_iterations_; }
    /// Number of switches to the exact vacancy block.
    unsigned int fallbacks() const { return fallbacks_; }
    /// `fieldsplit`: number of preconditioner set-ups that used PETSc's selfp
    /// Schur matrix instead of the assembled one (selfp_schur_matrix.h: on
    /// request, or when a nonzero coupling reaches another rank's vacancy row).
    unsigned int petsc_selfp_setups() const { return petsc_selfp_setups_; }

    /// `fieldsplit`: GMRES iterations after which the fast preconditioner
    /// is abandoned for the exact one (a solve normally takes 5-40).
    static constexpr unsigned int fallback_after_iterations = 300;

  private:
    struct Krylov
    {
      KSP    ksp        = nullptr;
      bool   fields_set = false; ///< the field split has its index sets
      double tolerance  = -1;    ///< relative tolerance set on ksp
    };
    void set_up(Krylov &k, const std::string &prefix, bool exact_vacancy_block);
    void set_up_fieldsplit(Krylov &k, PC pc, Mat P, const std::string &prefix, bool exact_vacancy_block);
    bool run(Krylov &k, double rtol);
    /// The matrix the preconditioner is built from: the field blocks of P_, or P_.
    Mat preconditioning_matrix() const { return blocks_ ? blocks_->matrix() : P_; }

    MPI_Comm                           comm_;
    LinearSolverParameters             params_;
    Krylov                             primary_; ///< options prefix otj_
    Krylov                             exact_;   ///< `fieldsplit` with LU on the vacancy block, prefix otj_exact_
    bool                               exact_active_ = false;
    Mat                                A_ = nullptr, P_ = nullptr; ///< current operators (not owned)
    std::vector<bool>                  is_vacancy_;
    std::unique_ptr<SelfpSchurMatrix>  schur_; ///< `fieldsplit`: the Schur complement's preconditioning matrix
    std::unique_ptr<FieldBlockMatrix>  blocks_; ///< `fieldsplit`: P_ as its field blocks (null: P_ itself)
    unsigned int                       blocks_builds_ = 0; ///< blocks_->builds() when the splits took its index sets
    dealii::PETScWrappers::MPI::Vector b_, x_;
    unsigned int                       last_iterations_ = 0, total_iterations_ = 0, fallbacks_ = 0;
    unsigned int                       petsc_selfp_setups_ = 0;
};
} // namespace otj
