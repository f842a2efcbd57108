// Compressed-row view of a deal.II SparseMatrix: the row starts and column indices of its
// SparsityPattern, read once, and the matrix's value array, so that the hot loops of the
// Newton solver (copying the Jacobian into band storage, the extended-precision residual of
// the iterative refinement) run over plain arrays instead of per-entry iterators.
//
// deal.II stores a SparseMatrix's values contiguously in the order of its (compressed)
// pattern, row after row, the diagonal first in each row of a square matrix (deal.II
// documentation of SparsityPattern and SparseMatrix::diag_element). The value array is
// reached through the writable diag_element(0), which is val[rowstart[0]] = val[0].
#pragma once

#include <deal.II/lac/sparse_matrix.h>
#include <deal.II/lac/sparsity_pattern.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <vector>

namespace otj
{
  struct CsrStructure
  {
    const dealii::SparsityPattern *pattern = nullptr;
    std::size_t                    nonzeros = 0;
    std::vector<std::size_t>       row_start; ///< n_rows + 1 offsets into the value array
    std::vector<unsigned int>      column;
    int                            lower = 0, upper = 0; ///< sub- and super-diagonal band widths

    /// True if this describes `p` (the same object with the same number of entries).
    bool describes(const dealii::SparsityPattern &p) const
    {
      return pattern == &p && nonzeros == p.n_nonzero_elements();
    }

    void build(const dealii::SparsityPattern &p)
    {
      if (!p.is_compressed())
        throw std::logic_error("CsrStructure: the sparsity pattern is not compressed");
      pattern  = &p;
      nonzeros = p.n_nonzero_elements();
      row_start.assign(p.n_rows() + 1, 0);
      column.clear();
      column.reserve(nonzeros);
      lower = upper = 0;
      for (unsigned int i = 0; i < p.n_rows(); ++i)
        {
          row_start[i + 1] = row_start[i] + p.row_length(i);
          if (p.row_length(i) > 0 && p.begin(i)->global_index() != row_start[i])
            throw std::logic_error("CsrStructure: the pattern's rows are not contiguous");
          for (auto it = p.begin(i); it != p.end(i); ++it)
            {
              column.push_back(static_cast<unsigned int>(it->column()));
              const int d = static_cast<int>(it->column()) - static_cast<int>(i);
              lower       = std::max(lower, -d);
              upper       = std::max(upper, d);
            }
        }
      if (column.size() != nonzeros)
        throw std::logic_error("CsrStructure: the pattern has unused entries");
    }

    /// The matrix's values in the order of `column` (A must be built on the described pattern).
    static const double *values(const dealii::SparseMatrix<double> &A)
    {
      return &const_cast<dealii::SparseMatrix<double> &>(A).diag_element(0);
    }
  };
} // namespace otj
