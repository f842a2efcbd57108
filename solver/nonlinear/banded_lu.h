// LU factorisation of a banded sparse matrix with partial pivoting (the
// algorithm of LAPACK dgbtf2 / dgbtrs in LAPACK band storage, written out for
// the narrow bands of 1D meshes; Golub & Van Loan, Matrix Computations, 4th
// ed., 4.3).
//
// The 1D device Jacobian is banded: deal.II numbers the degrees of freedom of
// a 1D mesh cell by cell, so every coupling lies within a few rows of the
// diagonal. A band solve costs O(n kl (kl + ku)) with no fill analysis, where a
// general sparse LU (UMFPACK) repeats its ordering and symbolic analysis at
// every Newton iteration. The same interface as dealii::SparseDirectUMFPACK
// (initialize, vmult, solve) so that the Newton solver can use either; the
// band widths are read off the sparsity pattern (once per pattern, csr_view.h).
#pragma once

#include "nonlinear/csr_view.h"

#include <deal.II/lac/sparse_matrix.h>
#include <deal.II/lac/vector.h>

#include <vector>

namespace otj
{
  class BandedLU
  {
  public:
    /// Copies A into LAPACK band storage and factorises it. Throws
    /// std::runtime_error if A is exactly singular.
    void initialize(const dealii::SparseMatrix<double> &A);
    /// The same with A's pattern read already (`structure` must describe A's pattern and
    /// outlive the next call).
    void initialize(const dealii::SparseMatrix<double> &A, const CsrStructure &structure);

    /// b <- A^-1 b.
    void solve(dealii::Vector<double> &b) const;

    /// dst <- A^-1 src.
    void vmult(dealii::Vector<double> &dst, const dealii::Vector<double> &src) const;

    /// Sub- and super-diagonal band widths of the last factorised matrix.
    int lower_bandwidth() const { return kl_; }
    int upper_bandwidth() const { return ku_; }

  private:
    void factorize();
    template <int KL, int KV>
    void solve_fixed(double *x) const;

    int                 n_ = 0, kl_ = 0, ku_ = 0, ldab_ = 0;
    CsrStructure        own_csr_;   ///< the pattern read by initialize(A) without a structure
    const dealii::SparsityPattern *band_pattern_ = nullptr; ///< the pattern of band_pos_
    std::size_t         band_nonzeros_ = 0;
    std::vector<std::size_t> band_pos_; ///< per stored entry, its place in the band storage
    std::vector<double> ab_, row_scale_, inv_pivot_;
    std::vector<double> upper_rows_; ///< row j: U(j, j+k) / U(j, j), k = 1..kl+ku (solve_fixed)
    std::vector<int>    ipiv_;
  };
} // namespace otj
