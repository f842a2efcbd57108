// Direct access to the local rows of a PETSc AIJ matrix, for the few places
// that fill or read a matrix with a fixed pattern entry by entry
// (parallel/selfp_schur_matrix.h, parallel/box_stiffness_preconditioner.h):
// the diagonal block (columns local to the rank) and the off-diagonal block
// (columns of other ranks, compressed; `colmap` gives their global index) of
// an MPIAIJ matrix, or the whole SeqAIJ matrix. A position in the local rows
// is an index into the diagonal block's values, or nnz_d + an index into the
// off-diagonal block's (AijBlocks::value()).
#pragma once

#include "parallel/petsc_check.h"

#include <petscmat.h>

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
  };
} // namespace otj
