// Banded LU (see banded_lu.h).
#include "nonlinear/banded_lu.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <stdexcept>
#include <string>

namespace otj
{
  void BandedLU::initialize(const dealii::SparseMatrix<double> &A)
  {
    if (!own_csr_.describes(A.get_sparsity_pattern()))
      own_csr_.build(A.get_sparsity_pattern());
    initialize(A, own_csr_);
  }

  void BandedLU::initialize(const dealii::SparseMatrix<double> &A, const CsrStructure &csr)
  {
    n_ = static_cast<int>(A.m());
    // the band position of every stored entry is computed once per pattern
    if (band_pattern_ != csr.pattern || band_nonzeros_ != csr.nonzeros)
      {
        band_pattern_  = csr.pattern;
        band_nonzeros_ = csr.nonzeros;
        kl_            = csr.lower;
        ku_            = csr.upper;
        ldab_          = 2 * kl_ + ku_ + 1;
        band_pos_.resize(csr.nonzeros);
        for (int i = 0; i < n_; ++i)
          for (std::size_t k = csr.row_start[i]; k < csr.row_start[i + 1]; ++k)
            {
              // LAPACK band storage with kl extra rows for the fill of the pivoting:
              // A(i, j) -> ab[kl + ku + i - j + j ldab] (0-based)
              const int j  = static_cast<int>(csr.column[k]);
              band_pos_[k] = static_cast<std::size_t>(kl_ + ku_ + i - j) + static_cast<std::size_t>(j) * ldab_;
            }
      }
    ab_.assign(static_cast<std::size_t>(ldab_) * n_, 0.0);
    ipiv_.resize(n_);
    inv_pivot_.resize(n_);
    // Rows scaled to unit max norm before the pivot search (as UMFPACK does by
    // default): the Poisson and vacancy rows differ by many orders of magnitude,
    // and partial pivoting on the unscaled rows picks pivots by the units.
    row_scale_.assign(n_, 1.0);
    const double *const val = CsrStructure::values(A);
    for (int i = 0; i < n_; ++i)
      {
        double m = 0;
        for (std::size_t k = csr.row_start[i]; k < csr.row_start[i + 1]; ++k)
          m = std::max(m, std::abs(val[k]));
        const double s = m > 0 ? 1.0 / m : 1.0;
        row_scale_[i]  = s;
        for (std::size_t k = csr.row_start[i]; k < csr.row_start[i + 1]; ++k)
          ab_[band_pos_[k]] = s * val[k];
      }
    factorize();
  }

  // Gaussian elimination with partial pivoting in band storage, column by
  // column, the algorithm of LAPACK's unblocked dgbtf2 (Golub & Van Loan 4.3.5)
  // written out: with kl = ku = 3 the BLAS calls per column of dgbtrf cost more
  // than their arithmetic.
  void BandedLU::factorize()
  {
    const int kv = kl_ + ku_;
    auto      a  = [&](int r, int c) -> double & {
      return ab_[static_cast<std::size_t>(kv + r - c) + static_cast<std::size_t>(c) * ldab_];
    };
    int ju = 0; // last column touched by the row interchanges so far
    for (int j = 0; j < n_; ++j)
      {
        const int km = std::min(kl_, n_ - 1 - j);
        int       jp = 0;
        double    best = std::abs(a(j, j));
        for (int k = 1; k <= km; ++k)
          if (std::abs(a(j + k, j)) > best)
            {
              best = std::abs(a(j + k, j));
              jp   = k;
            }
        ipiv_[j] = j + jp;
        if (best == 0.0)
          throw std::runtime_error("BandedLU: zero pivot in row " + std::to_string(j + 1) + " (singular matrix)");
        ju = std::max(ju, std::min(j + ku_ + jp, n_ - 1));
        if (jp != 0)
          for (int c = j; c <= ju; ++c)
            std::swap(a(j, c), a(j + jp, c));
        inv_pivot_[j] = 1.0 / a(j, j);
        if (km > 0)
          {
            const double inv = inv_pivot_[j];
            double *const l  = &a(j + 1, j); // multipliers, contiguous in the column
            for (int k = 0; k < km; ++k)
              l[k] *= inv;
            for (int c = j + 1; c <= ju; ++c)
              {
                const double ajc = a(j, c);
                if (ajc != 0.0)
                  {
                    double *const col = &a(j + 1, c);
                    for (int k = 0; k < km; ++k)
                      col[k] -= l[k] * ajc;
                  }
              }
          }
      }
    // the rows of U divided by their pivots, for the row-wise back substitution of solve_fixed
    upper_rows_.assign(static_cast<std::size_t>(n_) * kv, 0.0);
    for (int j = 0; j < n_; ++j)
      for (int k = 1; k <= kv && j + k < n_; ++k)
        upper_rows_[static_cast<std::size_t>(j) * kv + k - 1] = a(j, j + k) * inv_pivot_[j];
  }

  // The triangular solves with the band widths known at compile time (the 1D device's
  // kl = ku = 3: two unknowns per node, nearest-neighbour couplings). The forward sweep is
  // dgbtrs's (the interchanges applied as they come, done unconditionally: a swap of x[j] with
  // itself costs less than a mispredicted branch). The back substitution runs by rows on the
  // rows of U scaled by their reciprocal pivots (upper_rows_, factorize()):
  //   x_j = y_j / u_jj - sum_k (u_j,j+k / u_jj) x_j+k,
  // with the last KV unknowns held in registers, so that the chain from one unknown to the
  // next is one multiply-add instead of a multiply, a multiply-add and a store-to-load round
  // trip through memory (the solve is latency-bound: n = 374, 3-6 solves per time step).
  template <int KL, int KV>
  void BandedLU::solve_fixed(double *const x) const
  {
    const int n = n_;
    for (int j = 0; j < n - 1; ++j)
      {
        const int    p  = ipiv_[j];
        const double xj = x[p];
        x[p]            = x[j];
        x[j]            = xj;
        const double *const c = ab_.data() + static_cast<std::ptrdiff_t>(j) * ldab_ + KV - j;
        if (j + KL <= n - 1)
          for (int r = j + 1; r <= j + KL; ++r)
            x[r] -= c[r] * xj;
        else
          for (int r = j + 1; r <= n - 1; ++r)
            x[r] -= c[r] * xj;
      }
    // the last KV rows (or all, for a short matrix) with their shorter rows of U
    const int tail = std::max(0, n - KV);
    for (int j = n - 1; j >= tail; --j)
      {
        const double *const u = upper_rows_.data() + static_cast<std::ptrdiff_t>(j) * KV;
        double              s = x[j] * inv_pivot_[j];
        for (int k = 1; k <= KV && j + k < n; ++k)
          s -= u[k - 1] * x[j + k];
        x[j] = s;
      }
    if (tail == 0)
      return;
    double w[KV]; // w[k] = x[j + 1 + k]
    for (int k = 0; k < KV; ++k)
      w[k] = x[tail + k];
    for (int j = tail - 1; j >= 0; --j)
      {
        const double *const u = upper_rows_.data() + static_cast<std::ptrdiff_t>(j) * KV;
        double              s = x[j] * inv_pivot_[j];
        for (int k = KV - 1; k >= 1; --k)
          s -= u[k] * w[k];
        s -= u[0] * w[0];
        for (int k = KV - 1; k >= 1; --k)
          w[k] = w[k - 1];
        w[0] = s;
        x[j] = s;
      }
  }

  void BandedLU::solve(dealii::Vector<double> &b) const
  {
    const int     kv = kl_ + ku_;
    double *const x  = b.data();
    for (int i = 0; i < n_; ++i)
      x[i] *= row_scale_[i];
    if (kl_ == 3 && ku_ == 3)
      {
        solve_fixed<3, 6>(x);
        return;
      }
    // column j of the band: col(j)[r] = A(r, j) for j - kv <= r <= j + kl
    auto col = [&](int j) { return ab_.data() + static_cast<std::ptrdiff_t>(j) * ldab_ + kv - j; };
    // L y = P b (the interchanges applied as in dgbtrs)
    for (int j = 0; j < n_ - 1; ++j)
      {
        const int km = std::min(kl_, n_ - 1 - j);
        if (ipiv_[j] != j)
          std::swap(x[j], x[ipiv_[j]]);
        // (no test for x[j] == 0 as in dgbtrs: the branch waits on x[j], the rows are dense)
        const double        xj = x[j];
        const double *const c  = col(j);
        for (int r = j + 1; r <= j + km; ++r)
          x[r] -= c[r] * xj;
      }
    // U x = y (U has kl + ku superdiagonals after the pivoting); the reciprocal pivots
    // (factorize) keep a division out of the chain of dependent rows
    for (int j = n_ - 1; j >= 0; --j)
      {
        const double *const c = col(j);
        x[j] *= inv_pivot_[j];
        const double xj = x[j];
        for (int r = std::max(0, j - kv); r < j; ++r)
          x[r] -= c[r] * xj;
      }
  }

  void BandedLU::vmult(dealii::Vector<double> &dst, const dealii::Vector<double> &src) const
  {
    dst = src;
    solve(dst);
  }
} // namespace otj
