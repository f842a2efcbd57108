// The field-split preconditioning matrix handed to PETSc as its four field
// blocks (parallel/distributed_linear_solver.h, `fieldsplit`): for an AIJ
// matrix P whose rows and columns are vacancy densities (c) and potentials
// (phi), a PETSc MATNEST
//
//   [ P_cc  P_cp ]
//   [ P_pc  P_pp ]
//
// of four AIJ matrices, with the index sets of the two fields (each rank's
// rows of that field, in P's order). Each block's values are copied from P's
// at update() through the positions of P's entries, found once per pattern of
// P; nothing is communicated after that.
//
// Why: PCFIELDSPLIT takes the blocks of an AIJ preconditioning matrix with
// MatCreateSubMatrix at every set-up (four calls per Newton iteration):
// measured at 1.5e6
// DOFs, 1.89 s on one rank and 1.25 s on two over 10 Newton iterations, 6 %
// of the Newton step and the part of the preconditioner set-up that scaled
// worst (BENCHMARKS.md, nineteenth session). Given a MATNEST whose index sets
// are the split's, PETSc's MatCreateSubMatrix returns the block itself
// (PETSc manual pages MatCreateNest, PCFieldSplitSetIS; a field-split on a
// MATNEST is PETSc's documented use of the format).
//
// The positions: the blocks are made once with MatCreateSubMatrix from a
// copy of P whose every stored entry holds its own position (1-based) in P's
// local rows (aij_blocks.h): each block entry then names its source, with no
// bookkeeping of column numberings across ranks.
#pragma once

#include "parallel/aij_blocks.h"

#include <petscis.h>
#include <petscmat.h>

#include <vector>

namespace otj
{
  class FieldBlockMatrix
  {
  public:
    /// Blocks and positions from P (AIJ; its locally owned rows, the flag of
    /// each row in their order: true = vacancy density), values from P. Collective.
    FieldBlockMatrix(Mat P, const std::vector<bool> &is_vacancy_local);
    ~FieldBlockMatrix();
    FieldBlockMatrix(const FieldBlockMatrix &)            = delete;
    FieldBlockMatrix &operator=(const FieldBlockMatrix &) = delete;

    /// The blocks from the current values of P (a new pattern or another
    /// matrix rebuilds the blocks). Collective.
    void update(Mat P);

    /// The MATNEST (owned by this object; its values change with update()).
    Mat matrix() const { return nest_; }

    /// The index set of field f (0: vacancy densities, 1: potentials): the
    /// nest's, to be given to PCFieldSplitSetIS.
    IS field(unsigned int f) const { return is_[f]; }

    /// Block (r, s) of the nest (fields as in field()).
    Mat block(unsigned int r, unsigned int s) const { return block_[r][s]; }

    /// How many times the blocks (and the nest and its index sets) were made:
    /// a change tells the user of field() to take the new index sets.
    unsigned int builds() const { return builds_; }

  private:
    void build(Mat P);
    void fill(Mat P);
    void destroy();

    std::vector<bool>     is_vacancy_;
    MatPatternStamp       stamp_;       ///< the P (and its pattern) the positions were found for
    IS                    is_[2]       = {nullptr, nullptr};
    Mat                   block_[2][2] = {{nullptr, nullptr}, {nullptr, nullptr}};
    Mat                   nest_        = nullptr;
    unsigned int          builds_      = 0;
    /// per block, the position in P's local rows of each of its local entries
    /// (its diagonal part's values, then its off-diagonal part's)
    std::vector<PetscInt> source_[2][2];
  };
} // namespace otj
