// The approximate Schur complement from which the field-split preconditioner
// builds its potential-block solver (parallel/distributed_linear_solver.h,
// `fieldsplit`): for a matrix P split into vacancy rows/columns (c) and
// potential rows/columns (phi),
//
//   S = P_pp - P_pc diag(P_cc)^-1 P_cp,
//
// PETSc's "selfp" approximation (PCFieldSplitSetSchurPre, PETSc users manual
// on PCFIELDSPLIT; H. Elman, D. Silvester, A. Wathen, Finite Elements and Fast
// Iterative Solvers, 2014, ch. 9), in the numbering of the potential index
// set (rank by rank, the potential rows of each rank in their order in P).
//
// Why our own: PETSc (3.18) rebuilds the selfp matrix at every set-up with a
// symbolic sparse product and a sum of different patterns (measured at 1.5e6
// DOFs over 10 Newton iterations: 5.5 s of the 11 s preconditioner set-up on
// one rank, 4.8 s on two: the part of the set-up that does not scale).
// Here the pattern is computed once, from P's pattern (fixed: the box
// stiffness matrix of parallel/box_stiffness_preconditioner.h never changes
// it), and update() only fills the values, row by row.
//
// The product's terms are those of the nonzero P_pc entries at construction:
// with the space charge lumped onto the nodes (the drift-diffusion assembly),
// the potential row of a node couples to the vacancy density of that node
// only (both on one rank); the other P_pc entries of the pattern are zeros,
// left out and watched: should one become nonzero, the pattern is rebuilt.
// Requirement: no nonzero P_pc entry in a vacancy column of another rank
// (its row would be needed); available() is false otherwise, and the caller
// keeps PETSc's selfp.
#pragma once

#include "parallel/aij_blocks.h"

#include <petscmat.h>
#include <petscvec.h>

#include <vector>

namespace otj
{
  class SelfpSchurMatrix
  {
  public:
    /// Pattern from P (its locally owned rows, the flag of each row in the
    /// order of the rows: true = vacancy density). Collective.
    SelfpSchurMatrix(Mat P, const std::vector<bool> &is_vacancy_local);
    ~SelfpSchurMatrix();
    SelfpSchurMatrix(const SelfpSchurMatrix &)            = delete;
    SelfpSchurMatrix &operator=(const SelfpSchurMatrix &) = delete;

    /// False if P couples a local potential row to a vacancy column of
    /// another rank, lacks a vacancy diagonal entry or is not AIJ (see the
    /// file comment); then matrix() is null.
    bool available() const { return S_ != nullptr; }

    /// S from the current values of P (a changed pattern of P is followed). Collective.
    void update(Mat P);

    /// S (owned by this object; its values change with update()).
    Mat matrix() const { return S_; }

  private:
    void build_pattern(Mat P);

    std::vector<bool>         is_vacancy_;
    MatPatternStamp           pattern_stamp_; ///< the P (and its pattern) the pattern was built from
    // Positions of P's entries (the *_src_, coupling_a_ / _d_ and watched_
    // lists): an index into the values of P's diagonal block (0 .. nnz_d - 1)
    // or, offset by nnz_d, of its off-diagonal block (aij_blocks.h).
    PetscInt                  nnz_d_         = 0;
    std::vector<PetscInt>     rows_;               ///< global row in S of each local potential row
    std::vector<PetscInt>     s_start_;            ///< S's local CSR: entries of each local row
    std::vector<PetscInt>     s_columns_;          ///< global columns (potential numbering)
    std::vector<PetscScalar>  s_values_;
    std::vector<PetscInt>     direct_start_, direct_src_, direct_dst_; ///< S(i, j) += P_pp(i, j)
    /// per local potential row, the couplings to vacancy rows k: f = P_pc(i, k) / P_cc(k, k)
    /// (positions a and d), then S(i, j) -= f P_cp(k, j) for the pairs of that coupling
    std::vector<PetscInt>     coupling_start_, coupling_a_, coupling_d_;
    std::vector<PetscInt>     pair_start_, pair_src_, pair_dst_;
    std::vector<PetscInt>     watched_;            ///< positions of the P_pc zeros left out
    bool                      assembled_ = false; ///< S has been assembled once (its pattern is set)
    Mat                       S_ = nullptr;
  };
} // namespace otj
