// Direct access to the local rows of a PETSc AIJ matrix, for the few places
// that fill or read a matrix with a fixed pattern entry by entry
// (parallel/selfp_schur_matrix.h, parallel/box_stiffness_preconditioner.h):
// the diagonal block (columns local to the rank) and the off-diagonal block
// (columns of other ranks, compressed; `colmap` gives their global index) of
// an MPIAIJ matrix, or the whole SeqAIJ matrix. A position in the local rows
// is an index into the diagonal block's values, or nnz_d + an index into the
// off-diagonal block's (AijBlocks::find() looks one up); MatPatternStamp tells whether
// positions cached for a matrix still hold.
#pragma once

#include "parallel/petsc_check.h"

#include <petscmat.h>

#include <algorithm>
#include <stdexcept>

namespace otj
{
  /// The compressed rows (ia, ja) and, if asked, the values of a SeqAIJ matrix; released on destruction.
  struct SeqAijView
  {
    Mat                M  = nullptr;
    PetscInt           n  = 0;
    const PetscInt    *ia = nullptr, *ja = nullptr;
    PetscScalar       *va = nullptr;
    bool               write = false;
    bool               got_values = false; ///< the values array was taken (restore it, even if empty)
    SeqAijView(Mat m, bool values, bool writable = false) : M(m), write(writable)
    {
      if (!M)
        return;
      PetscBool done = PETSC_FALSE;
      check_petsc(MatGetRowIJ(M, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done), "MatGetRowIJ");
      if (!done)
        throw std::runtime_error("SeqAijView: MatGetRowIJ gave no compressed rows");
      if (values && write)
        check_petsc(MatSeqAIJGetArray(M, &va), "MatSeqAIJGetArray");
      else if (values)
        check_petsc(MatSeqAIJGetArrayRead(M, const_cast<const PetscScalar **>(&va)), "MatSeqAIJGetArrayRead");
      got_values = values;
    }
    ~SeqAijView()
    {
      if (!M)
        return;
      PetscBool done = PETSC_FALSE;
      MatRestoreRowIJ(M, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done);
      if (got_values && write)
        MatSeqAIJRestoreArray(M, &va);
      else if (got_values)
        MatSeqAIJRestoreArrayRead(M, const_cast<const PetscScalar **>(&va));
    }
    SeqAijView(const SeqAijView &)            = delete;
    SeqAijView &operator=(const SeqAijView &) = delete;
    PetscInt nnz() const { return M ? ia[n] : 0; }
  };

  /// The diagonal and off-diagonal blocks of an AIJ matrix's local rows.
  struct AijBlocks
  {
    Mat             Ad = nullptr, Ao = nullptr; ///< Ao null for SeqAIJ
    const PetscInt *colmap = nullptr;           ///< global column of each column of Ao
    /// False if P is neither SeqAIJ nor MPIAIJ.
    bool split(Mat P)
    {
      PetscBool seq = PETSC_FALSE, mpi = PETSC_FALSE;
      check_petsc(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(P), MATSEQAIJ, &seq), "PetscObjectTypeCompare");
      check_petsc(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(P), MATMPIAIJ, &mpi), "PetscObjectTypeCompare");
      Ad = Ao = nullptr;
      colmap  = nullptr;
      if (seq)
        Ad = P;
      else if (mpi)
        check_petsc(MatMPIAIJGetSeqAIJ(P, &Ad, &Ao, &colmap), "MatMPIAIJGetSeqAIJ");
      return seq || mpi;
    }

    /// The position (see the file comment) of global column `col` in local row `r`, or -1 if
    /// the row has no such entry; d and o are the views of Ad and Ao, the rank's rows are
    /// first .. first + n_local - 1 (columns in that range live in Ad, numbered from first).
    PetscInt find(const SeqAijView &d, const SeqAijView &o, PetscInt first, PetscInt n_local, PetscInt r,
                  PetscInt col) const
    {
      if (col >= first && col < first + n_local)
        {
          const PetscInt *b = d.ja + d.ia[r], *e = d.ja + d.ia[r + 1];
          const PetscInt *it = std::lower_bound(b, e, col - first);
          return it != e && *it == col - first ? PetscInt(it - d.ja) : -1;
        }
      if (!Ao)
        return -1;
      const PetscInt *b = o.ja + o.ia[r], *e = o.ja + o.ia[r + 1];
      const PetscInt *it = std::lower_bound(b, e, col, [this](PetscInt k, PetscInt g) { return colmap[k] < g; });
      return it != e && colmap[*it] == col ? d.nnz() + PetscInt(it - o.ja) : -1;
    }
  };

  /// Which matrix, with which nonzero pattern, a cache of positions was built for:
  /// another matrix object or a changed pattern invalidates it.
  struct MatPatternStamp
  {
    PetscObjectState state = -1;
    PetscObjectId    id    = 0;
    void             record(Mat M)
    {
      check_petsc(MatGetNonzeroState(M, &state), "MatGetNonzeroState");
      check_petsc(PetscObjectGetId(reinterpret_cast<PetscObject>(M), &id), "PetscObjectGetId");
    }
    bool matches(Mat M) const
    {
      PetscObjectState s;
      PetscObjectId    i;
      check_petsc(MatGetNonzeroState(M, &s), "MatGetNonzeroState");
      check_petsc(PetscObjectGetId(reinterpret_cast<PetscObject>(M), &i), "PetscObjectGetId");
      return s == state && i == id;
    }
  };
} // namespace otj
