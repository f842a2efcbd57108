// The field-split preconditioning matrix as a MATNEST of its field blocks (see field_block_matrix.h).
#include "parallel/field_block_matrix.h"

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace otj
{
  FieldBlockMatrix::FieldBlockMatrix(Mat P, const std::vector<bool> &is_vacancy_local) : is_vacancy_(is_vacancy_local)
  {
    try
      {
        update(P);
      }
    catch (...)
      {
        destroy(); // no destructor runs for a half-built object
        throw;
      }
  }

  FieldBlockMatrix::~FieldBlockMatrix() { destroy(); }

  void FieldBlockMatrix::destroy()
  {
    if (nest_)
      MatDestroy(&nest_);
    for (auto &row : block_)
      for (Mat &b : row)
        if (b)
          MatDestroy(&b);
    for (IS &is : is_)
      if (is)
        ISDestroy(&is);
  }

  void FieldBlockMatrix::update(Mat P)
  {
    if (!nest_ || !stamp_.matches(P))
      build(P);
    fill(P);
  }

  void FieldBlockMatrix::build(Mat P)
  {
    destroy();
    MPI_Comm comm;
    check_petsc(PetscObjectGetComm(reinterpret_cast<PetscObject>(P), &comm), "PetscObjectGetComm");
    PetscInt first = 0, end = 0;
    check_petsc(MatGetOwnershipRange(P, &first, &end), "MatGetOwnershipRange");
    AijBlocks p;
    // checked on every rank before the collective calls below (a throw on one rank only
    // would leave the others waiting in them)
    int fine = is_vacancy_.size() == std::size_t(end - first) && p.split(P);
    MPI_Allreduce(MPI_IN_PLACE, &fine, 1, MPI_INT, MPI_MIN, comm);
    if (!fine)
      throw std::logic_error("FieldBlockMatrix: an AIJ matrix and one field flag per locally owned row needed");
    stamp_.record(P);

    std::vector<PetscInt> rows[2];
    for (PetscInt r = first; r < end; ++r)
      rows[is_vacancy_[r - first] ? 0 : 1].push_back(r);
    for (unsigned int f = 0; f < 2; ++f)
      check_petsc(ISCreateGeneral(comm, rows[f].size(), rows[f].data(), PETSC_COPY_VALUES, &is_[f]), "ISCreateGeneral");

    // P's entries labelled with their own positions (1-based: no zero that a
    // sub-matrix could drop) while the four blocks are cut from it; P's values
    // are put back on leaving, by a throw as well
    struct Labels
    {
      Mat                      P;
      std::vector<PetscScalar> saved;
      PetscInt                 n_source = 0;
      explicit Labels(Mat m) : P(m)
      {
        AijBlocks        l;
        l.split(P);
        const SeqAijView ld(l.Ad, true, true), lo(l.Ao, true, true);
        const PetscInt   nd = ld.nnz();
        n_source            = nd + lo.nnz();
        saved.assign(ld.va, ld.va + nd);
        saved.insert(saved.end(), lo.va, lo.va + lo.nnz());
        for (PetscInt e = 0; e < n_source; ++e)
          (e < nd ? ld.va[e] : lo.va[e - nd]) = double(e + 1);
      }
      ~Labels()
      {
        try
          {
            AijBlocks        l;
            l.split(P);
            const SeqAijView ld(l.Ad, true, true), lo(l.Ao, true, true);
            const PetscInt   nd = ld.nnz();
            for (PetscInt e = 0; e < n_source; ++e)
              (e < nd ? ld.va[e] : lo.va[e - nd]) = saved[e];
          }
        catch (...)
          {
            // PETSc refused the arrays it gave a moment ago: nothing left to restore with
          }
      }
    } labels(P);
    const PetscInt n_source = labels.n_source;
    int            sourced  = 1; // every block entry came from an entry of P (checked on all ranks at the end)
    for (unsigned int r = 0; r < 2; ++r)
      for (unsigned int s = 0; s < 2; ++s)
        {
          check_petsc(MatCreateSubMatrix(P, is_[r], is_[s], MAT_INITIAL_MATRIX, &block_[r][s]),
                      "MatCreateSubMatrix");
          AijBlocks        b;
          b.split(block_[r][s]);
          const SeqAijView bd(b.Ad, true), bo(b.Ao, true);
          auto            &src = source_[r][s];
          src.resize(bd.nnz() + bo.nnz());
          for (PetscInt e = 0; e < PetscInt(src.size()); ++e)
            {
              const double label = e < bd.nnz() ? bd.va[e] : bo.va[e - bd.nnz()];
              const PetscInt position = PetscInt(std::lround(label)) - 1;
              if (position < 0 || position >= n_source || double(position + 1) != label)
                sourced = 0;
              src[e] = std::max<PetscInt>(0, std::min(position, n_source - 1));
            }
        }
    MPI_Allreduce(MPI_IN_PLACE, &sourced, 1, MPI_INT, MPI_MIN, comm);
    if (!sourced)
      throw std::logic_error("FieldBlockMatrix: a block entry without a source in P");
    check_petsc(MatCreateNest(comm, 2, is_, 2, is_, &block_[0][0], &nest_), "MatCreateNest");
    ++builds_;
  }

  void FieldBlockMatrix::fill(Mat P)
  {
    AijBlocks p;
    p.split(P);
    const SeqAijView   pd(p.Ad, true), po(p.Ao, true);
    const PetscScalar *vd = pd.va, *vo = po.va;
    const PetscInt     nd = pd.nnz();
    for (unsigned int r = 0; r < 2; ++r)
      for (unsigned int s = 0; s < 2; ++s)
        {
          AijBlocks b;
          b.split(block_[r][s]);
          const SeqAijView bd(b.Ad, true, true), bo(b.Ao, true, true);
          const auto      &src = source_[r][s];
          const PetscInt   nb  = bd.nnz();
          for (PetscInt e = 0; e < PetscInt(src.size()); ++e)
            {
              const PetscInt k = src[e];
              (e < nb ? bd.va[e] : bo.va[e - nb]) = k < nd ? vd[k] : vo[k - nd];
            }
        }
    // the values changed behind PETSc's back: an assembly gives the blocks and
    // the nest a new state (the preconditioner is then rebuilt); nothing is stashed
    check_petsc(MatAssemblyBegin(nest_, MAT_FINAL_ASSEMBLY), "MatAssemblyBegin");
    check_petsc(MatAssemblyEnd(nest_, MAT_FINAL_ASSEMBLY), "MatAssemblyEnd");
  }
} // namespace otj
