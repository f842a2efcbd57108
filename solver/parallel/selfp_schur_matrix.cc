// The selfp Schur complement on a fixed pattern (see selfp_schur_matrix.h).
#include "parallel/selfp_schur_matrix.h"
#include "parallel/aij_blocks.h"

#include <mpi.h>

#include <algorithm>
#include <stdexcept>

namespace otj
{

  SelfpSchurMatrix::SelfpSchurMatrix(Mat P, const std::vector<bool> &is_vacancy_local) : is_vacancy_(is_vacancy_local)
  {
    try
      {
        build_pattern(P);
        if (S_)
          update(P);
      }
    catch (...)
      {
        // no destructor runs for a half-built object
        if (S_)
          MatDestroy(&S_);
        throw;
      }
  }

  SelfpSchurMatrix::~SelfpSchurMatrix()
  {
    if (S_)
      MatDestroy(&S_);
  }

  void SelfpSchurMatrix::build_pattern(Mat P)
  {
    if (S_)
      MatDestroy(&S_);
    MPI_Comm comm;
    check_petsc(PetscObjectGetComm(reinterpret_cast<PetscObject>(P), &comm), "PetscObjectGetComm");
    PetscInt first = 0, end = 0;
    check_petsc(MatGetOwnershipRange(P, &first, &end), "MatGetOwnershipRange");
    const PetscInt n_local = end - first;
    if (is_vacancy_.size() != std::size_t(n_local))
      throw std::logic_error("SelfpSchurMatrix: one field flag per locally owned row needed");
    pattern_stamp_.record(P);

    // potential numbering: the potential rows of rank 0, then of rank 1, ...
    std::vector<PetscInt> phi_index(n_local, -1);
    PetscInt              n_phi = 0;
    for (PetscInt i = 0; i < n_local; ++i)
      if (!is_vacancy_[i])
        phi_index[i] = n_phi++;
    PetscInt phi_first = 0;
    MPI_Exscan(&n_phi, &phi_first, 1, MPIU_INT, MPI_SUM, comm);
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    if (rank == 0)
      phi_first = 0;

    AijBlocks       blocks;
    int             ok     = blocks.split(P);
    Mat             Ad = blocks.Ad, Ao = blocks.Ao;
    const PetscInt *colmap = blocks.colmap;
    std::vector<PetscInt> ghost_code; // per column of Ao: its potential index, or -1 (a vacancy)
    if (ok && Ao)
      {
        // the field and potential index of every ghost column, from its owner
        PetscInt n_ghost = 0;
        check_petsc(MatGetSize(Ao, nullptr, &n_ghost), "MatGetSize");
        Vec                  code = nullptr, ghost = nullptr;
        IS                   from    = nullptr;
        VecScatter           scatter = nullptr;
        DestroyOnExit<Vec>        free_code(code, VecDestroy), free_ghost(ghost, VecDestroy);
        DestroyOnExit<IS>         free_from(from, ISDestroy);
        DestroyOnExit<VecScatter> free_scatter(scatter, VecScatterDestroy);
        check_petsc(VecCreateMPI(comm, n_local, PETSC_DETERMINE, &code), "VecCreateMPI");
        PetscScalar *c;
        check_petsc(VecGetArray(code, &c), "VecGetArray");
        for (PetscInt i = 0; i < n_local; ++i)
          c[i] = is_vacancy_[i] ? -1.0 : double(phi_first + phi_index[i]);
        check_petsc(VecRestoreArray(code, &c), "VecRestoreArray");
        check_petsc(VecCreateSeq(PETSC_COMM_SELF, n_ghost, &ghost), "VecCreateSeq");
        check_petsc(ISCreateGeneral(PETSC_COMM_SELF, n_ghost, colmap, PETSC_COPY_VALUES, &from), "ISCreateGeneral");
        check_petsc(VecScatterCreate(code, from, ghost, nullptr, &scatter), "VecScatterCreate");
        check_petsc(VecScatterBegin(scatter, code, ghost, INSERT_VALUES, SCATTER_FORWARD), "VecScatterBegin");
        check_petsc(VecScatterEnd(scatter, code, ghost, INSERT_VALUES, SCATTER_FORWARD), "VecScatterEnd");
        const PetscScalar *g;
        check_petsc(VecGetArrayRead(ghost, &g), "VecGetArrayRead");
        ghost_code.resize(n_ghost);
        for (PetscInt k = 0; k < n_ghost; ++k)
          ghost_code[k] = PetscInt(g[k] + (g[k] < 0 ? -0.5 : 0.5));
        check_petsc(VecRestoreArrayRead(ghost, &g), "VecRestoreArrayRead");
      }

    rows_.clear();
    s_start_.assign(1, 0);
    s_columns_.clear();
    direct_start_.assign(1, 0), direct_src_.clear(), direct_dst_.clear();
    coupling_start_.assign(1, 0), coupling_a_.clear(), coupling_d_.clear();
    pair_start_.assign(1, 0), pair_src_.clear(), pair_dst_.clear();
    watched_.clear();
    std::vector<PetscInt> direct_col, pair_col; // S column of each term, before it is turned into a position
    if (ok)
      {
        const SeqAijView d(Ad, true), o(Ao, true);
        nnz_d_ = d.nnz();
        std::vector<PetscInt> row_cols;
        for (PetscInt i = 0; i < n_local && ok; ++i)
          {
            if (is_vacancy_[i])
              continue;
            rows_.push_back(phi_first + phi_index[i]);
            row_cols.clear();
            auto add_direct = [&](PetscInt src, PetscInt col) {
              direct_src_.push_back(src), direct_col.push_back(col), row_cols.push_back(col);
            };
            for (PetscInt e = d.ia[i]; e < d.ia[i + 1] && ok; ++e)
              {
                const PetscInt j = d.ja[e];
                if (!is_vacancy_[j])
                  add_direct(e, phi_first + phi_index[j]);
                else if (d.va[e] == 0)
                  watched_.push_back(e); // a structural zero (off-node coupling of a lumped charge)
                else
                  {
                    // P_pc(i, k): the vacancy row k = j, its diagonal and its potential columns
                    const PetscInt k = j;
                    const PetscInt *kk = std::lower_bound(d.ja + d.ia[k], d.ja + d.ia[k + 1], k);
                    if (kk == d.ja + d.ia[k + 1] || *kk != k)
                      {
                        ok = 0;
                        break;
                      }
                    coupling_a_.push_back(e);
                    coupling_d_.push_back(kk - d.ja);
                    for (PetscInt e2 = d.ia[k]; e2 < d.ia[k + 1]; ++e2)
                      if (!is_vacancy_[d.ja[e2]])
                        {
                          pair_src_.push_back(e2), pair_col.push_back(phi_first + phi_index[d.ja[e2]]);
                          row_cols.push_back(pair_col.back());
                        }
                    if (Ao)
                      for (PetscInt e2 = o.ia[k]; e2 < o.ia[k + 1]; ++e2)
                        if (ghost_code[o.ja[e2]] >= 0)
                          {
                            pair_src_.push_back(nnz_d_ + e2), pair_col.push_back(ghost_code[o.ja[e2]]);
                            row_cols.push_back(pair_col.back());
                          }
                    pair_start_.push_back(pair_src_.size());
                  }
              }
            if (Ao && ok)
              for (PetscInt e = o.ia[i]; e < o.ia[i + 1]; ++e)
                {
                  if (ghost_code[o.ja[e]] >= 0)
                    add_direct(nnz_d_ + e, ghost_code[o.ja[e]]);
                  else if (o.va[e] == 0)
                    watched_.push_back(nnz_d_ + e);
                  else
                    {
                      ok = 0; // a vacancy row of another rank is needed
                      break;
                    }
                }
            std::sort(row_cols.begin(), row_cols.end());
            row_cols.erase(std::unique(row_cols.begin(), row_cols.end()), row_cols.end());
            s_columns_.insert(s_columns_.end(), row_cols.begin(), row_cols.end());
            s_start_.push_back(s_columns_.size());
            direct_start_.push_back(direct_src_.size());
            coupling_start_.push_back(coupling_a_.size());
          }
      }
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, comm);
    if (!ok)
      return;

    // the terms' destinations: positions in S's local CSR
    auto position = [&](std::size_t r, PetscInt col) {
      const PetscInt *b = s_columns_.data() + s_start_[r], *e = s_columns_.data() + s_start_[r + 1];
      return PetscInt(std::lower_bound(b, e, col) - s_columns_.data());
    };
    direct_dst_.resize(direct_src_.size());
    pair_dst_.resize(pair_src_.size());
    for (std::size_t r = 0; r < rows_.size(); ++r)
      {
        for (PetscInt t = direct_start_[r]; t < direct_start_[r + 1]; ++t)
          direct_dst_[t] = position(r, direct_col[t]);
        for (PetscInt c = coupling_start_[r]; c < coupling_start_[r + 1]; ++c)
          for (PetscInt t = pair_start_[c]; t < pair_start_[c + 1]; ++t)
            pair_dst_[t] = position(r, pair_col[t]);
      }
    s_values_.assign(s_columns_.size(), 0.0);

    std::vector<PetscInt> d_nnz(rows_.size()), o_nnz(rows_.size());
    for (std::size_t r = 0; r < rows_.size(); ++r)
      for (PetscInt e = s_start_[r]; e < s_start_[r + 1]; ++e)
        (s_columns_[e] >= phi_first && s_columns_[e] < phi_first + n_phi ? d_nnz : o_nnz)[r]++;
    check_petsc(MatCreateAIJ(comm, n_phi, n_phi, PETSC_DETERMINE, PETSC_DETERMINE, 0, d_nnz.data(), 0, o_nnz.data(), &S_),
                "MatCreateAIJ");
    check_petsc(MatSetOption(S_, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE), "MatSetOption");
    assembled_ = false;
  }

  void SelfpSchurMatrix::update(Mat P)
  {
    if (!pattern_stamp_.matches(P)) // (unavailable for this pattern: not retried until it changes)
      build_pattern(P);
    if (!S_)
      return;
    AijBlocks blocks;
    blocks.split(P);
    Mat Ad = blocks.Ad, Ao = blocks.Ao;
    {
      // the couplings left out must still be zero; otherwise a new pattern (or PETSc's selfp)
      const SeqAijView d(Ad, true), o(Ao, true);
      int              changed = 0;
      for (const PetscInt pos : watched_)
        changed |= (pos < nnz_d_ ? d.va[pos] : o.va[pos - nnz_d_]) != 0;
      MPI_Comm comm;
      check_petsc(PetscObjectGetComm(reinterpret_cast<PetscObject>(P), &comm), "PetscObjectGetComm");
      MPI_Allreduce(MPI_IN_PLACE, &changed, 1, MPI_INT, MPI_MAX, comm);
      if (changed)
        build_pattern(P);
    }
    if (!S_)
      return;
    const SeqAijView   d(Ad, true), o(Ao, true);
    const PetscScalar *vd = d.va, *vo = o.va;
    const PetscInt     nd = nnz_d_;
    auto value = [vd, vo, nd](PetscInt pos) { return pos < nd ? vd[pos] : vo[pos - nd]; };
    std::fill(s_values_.begin(), s_values_.end(), 0.0);
    for (std::size_t r = 0; r < rows_.size(); ++r)
      {
        for (PetscInt t = direct_start_[r]; t < direct_start_[r + 1]; ++t)
          s_values_[direct_dst_[t]] += value(direct_src_[t]);
        for (PetscInt c = coupling_start_[r]; c < coupling_start_[r + 1]; ++c)
          {
            // a zero vacancy diagonal contributes nothing (as PETSc's selfp, whose
            // VecReciprocal leaves zeros alone) instead of an inf in S
            const PetscScalar d_kk = value(coupling_d_[c]);
            if (d_kk == 0)
              continue;
            const PetscScalar f = value(coupling_a_[c]) / d_kk;
            for (PetscInt t = pair_start_[c]; t < pair_start_[c + 1]; ++t)
              s_values_[pair_dst_[t]] -= f * value(pair_src_[t]);
          }
        if (assembled_)
          // the row's values in the order of its (assembled, sorted) pattern
          check_petsc(MatSetValuesRow(S_, rows_[r], s_values_.data() + s_start_[r]), "MatSetValuesRow");
        else
          {
            const PetscInt row = rows_[r], n = s_start_[r + 1] - s_start_[r];
            check_petsc(MatSetValues(S_, 1, &row, n, s_columns_.data() + s_start_[r], s_values_.data() + s_start_[r],
                                     INSERT_VALUES),
                        "MatSetValues");
          }
      }
    assembled_ = true;
    check_petsc(MatAssemblyBegin(S_, MAT_FINAL_ASSEMBLY), "MatAssemblyBegin");
    check_petsc(MatAssemblyEnd(S_, MAT_FINAL_ASSEMBLY), "MatAssemblyEnd");
  }
} // namespace otj
