// Laterally inhomogeneous as-grown vacancy density (SPEC section 4): a
// log-normal random factor f(x) = exp(sigma g(x)) on the initial vacancy
// density of the film, g a stationary Gaussian random field of the lateral
// coordinates with zero mean, unit variance and the Gaussian covariance
//   E[g(x) g(x + d)] = exp(-|d|^2 / (2 l^2))          (l: correlation length).
// So ln f is normal with mean 0 and standard deviation sigma (median of f 1,
// mean exp(sigma^2 / 2)), and the correlation of ln f drops to e^-1/2 at a
// lateral distance l.
//
// g is built by the spectral (random Fourier mode) method (R. H. Kraichnan,
// Phys. Fluids 13, 22 (1970); M. Shinozuka and G. Deodatis, Appl. Mech. Rev.
// 44, 191 (1991)): g(x) = sqrt(2 / N) sum_i cos(k_i . x + phi_i), with
// phases phi_i uniform in [0, 2 pi) and wave vectors k_i drawn from the
// spectral density of the covariance (normal, standard deviation 1 / l per
// lateral component). Its covariance is the requested one for every N; its
// one-point distribution tends to the normal one as N grows (N = 512: excess
// kurtosis -3/(2N) ~ -0.003). g is an explicit function of position: the
// same on every MPI rank and every mesh, for a given seed.
//
// The random numbers come from std::mt19937_64(seed) (fully specified by
// the C++ standard) with uniform numbers from its 53 high bits and normal
// numbers from the Box-Muller transform, as the 1D sweep's
// vacancy_density_factor (drivers/sweep/sweep_cases.h): no
// implementation-defined std:: distributions, the field is the same on every
// platform. With l = infinity the field is uniform, g(x) = z for all x with
// z the first Box-Muller number of the seed: exactly the 1D uniformity
// sweep's device-to-device lognormal factor exp(spread z) of that seed (the
// uniform special case).
#pragma once

#include <deal.II/base/point.h>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace otj
{
  struct RandomFieldParameters
  {
    double       correlation_length = std::numeric_limits<double>::infinity(); ///< l (m); infinity: uniform
    double       log_std            = 0.0;  ///< sigma, standard deviation of ln f
    std::uint64_t seed              = 1;
    unsigned int n_modes            = 512;  ///< N
  };

  class LognormalRandomField
  {
  public:
    /// Throws InputError for l <= 0 or NaN, sigma < 0 or NaN, N = 0.
    explicit LognormalRandomField(const RandomFieldParameters &p);

    /// g at lateral position (x, z) (z = 0 in 2D): zero mean, unit variance.
    double gaussian(double x, double z = 0.0) const;

    /// f = exp(sigma g).
    double factor(double x, double z = 0.0) const;

    /// f at a point of a dim-dimensional mesh whose last coordinate is the depth.
    template <int dim>
    double factor(const dealii::Point<dim> &p) const
    {
      static_assert(dim >= 2 && dim <= 3, "lateral coordinates: the first dim - 1");
      return factor(p[0], dim == 3 ? p[1] : 0.0);
    }

    const RandomFieldParameters &parameters() const { return params_; }

  private:
    RandomFieldParameters             params_;
    double                            uniform_value_ = 0; ///< g for l = infinity
    std::vector<std::array<double, 3>> modes_;            ///< (k_x, k_z, phi)
  };
} // namespace otj
