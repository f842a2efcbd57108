// Banded LU (see banded_lu.h).
#include "nonlinear/banded_lu.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

extern "C"
{
  // LAPACK reference interface (netlib), linked through deal.II's LAPACK.
  void dgbtrf_(const int *m, const int *n, const int *kl, const int *ku, double *ab, const int *ldab, int *ipiv,
               int *info);
  void dgbtrs_(const char *trans, const int *n, const int *kl, const int *ku, const int *nrhs, const double *ab,
               const int *ldab, const int *ipiv, double *b, const int *ldb, int *info);
}

namespace otj
{
  int BandedLU::bandwidth(const dealii::SparsityPattern &pattern, int &kl, int &ku)
  {
    kl = ku = 0;
    for (unsigned int i = 0; i < pattern.n_rows(); ++i)
      for (auto it = pattern.begin(i); it != pattern.end(i); ++it)
        {
          const int d = static_cast<int>(it->column()) - static_cast<int>(i);
          kl          = std::max(kl, -d);
          ku          = std::max(ku, d);
        }
    return kl + ku;
  }

  void BandedLU::initialize(const dealii::SparseMatrix<double> &A)
  {
    n_ = static_cast<int>(A.m());
    bandwidth(A.get_sparsity_pattern(), kl_, ku_);
    // LAPACK band storage with kl extra rows for the fill of the pivoting:
    // A(i, j) -> ab[kl + ku + i - j + j ldab] (0-based)
    ldab_ = 2 * kl_ + ku_ + 1;
    ab_.assign(static_cast<std::size_t>(ldab_) * n_, 0.0);
    ipiv_.resize(n_);
    // Rows scaled to unit max norm before the pivot search (as UMFPACK does by
    // default): the Poisson and vacancy rows differ by many orders of magnitude,
    // and partial pivoting on the unscaled rows picks pivots by the units.
    row_scale_.assign(n_, 1.0);
    for (int i = 0; i < n_; ++i)
      {
        double m = 0;
        for (auto it = A.begin(i); it != A.end(i); ++it)
          m = std::max(m, std::abs(it->value()));
        row_scale_[i] = m > 0 ? 1.0 / m : 1.0;
        for (auto it = A.begin(i); it != A.end(i); ++it)
          {
            const int j = static_cast<int>(it->column());
            ab_[static_cast<std::size_t>(kl_ + ku_ + i - j) + static_cast<std::size_t>(j) * ldab_] =
              row_scale_[i] * it->value();
          }
      }
    int info = 0;
    dgbtrf_(&n_, &n_, &kl_, &ku_, ab_.data(), &ldab_, ipiv_.data(), &info);
    if (info != 0)
      throw std::runtime_error("BandedLU: " +
                               (info > 0 ? "zero pivot in row " + std::to_string(info) + " (singular matrix)"
                                         : "illegal argument " + std::to_string(-info)));
  }

  void BandedLU::solve(dealii::Vector<double> &b) const
  {
    const char trans = 'N';
    const int  nrhs  = 1;
    int        info  = 0;
    for (int i = 0; i < n_; ++i)
      b[i] *= row_scale_[i];
    dgbtrs_(&trans, &n_, &kl_, &ku_, &nrhs, ab_.data(), &ldab_, ipiv_.data(), b.data(), &n_, &info);
    if (info != 0)
      throw std::runtime_error("BandedLU: dgbtrs failed, info = " + std::to_string(info));
  }

  void BandedLU::vmult(dealii::Vector<double> &dst, const dealii::Vector<double> &src) const
  {
    dst = src;
    solve(dst);
  }
} // namespace otj
