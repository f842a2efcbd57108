// Log-normal random field of the initial vacancy density (see lognormal_random_field.h).
#include "device/lognormal_random_field.h"

#include "common/input_error.h"

#include <cmath>
#include <random>
#include <string>

namespace otj
{
  namespace
  {
    /// Portable random numbers (see the header): uniform in (0, 1] and
    /// [0, 1) from the 53 high bits, normal from Box-Muller.
    class PortableNormal
    {
    public:
      explicit PortableNormal(std::uint64_t seed) : engine_(seed) {}
      double uniform_open_left() { return (double(engine_() >> 11) + 1.0) * 0x1.0p-53; }
      double uniform() { return double(engine_() >> 11) * 0x1.0p-53; }
      double normal()
      {
        const double u1 = uniform_open_left(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
      }

    private:
      std::mt19937_64 engine_;
    };
  } // namespace

  LognormalRandomField::LognormalRandomField(const RandomFieldParameters &p)
    : params_(p)
  {
    if (!(p.correlation_length > 0))
      throw InputError("random vacancy field: parameter 'correlation length' = " + std::to_string(p.correlation_length) +
                       ": expected > 0 (m), or infinity for a laterally uniform factor");
    if (!(p.log_std >= 0) || !std::isfinite(p.log_std))
      throw InputError("random vacancy field: parameter 'log standard deviation' = " + std::to_string(p.log_std) +
                       ": expected a finite number >= 0");
    if (p.n_modes == 0)
      throw InputError("random vacancy field: parameter 'modes' = 0: expected >= 1");
    PortableNormal rng(p.seed);
    // the first normal number: the uniform case (as vacancy_density_factor of the 1D sweep)
    uniform_value_ = rng.normal();
    if (std::isinf(p.correlation_length))
      return;
    modes_.resize(p.n_modes);
    for (auto &m : modes_)
      {
        m[0] = rng.normal() / p.correlation_length;
        m[1] = rng.normal() / p.correlation_length;
        m[2] = 2.0 * M_PI * rng.uniform();
      }
  }

  double LognormalRandomField::gaussian(const double x, const double z) const
  {
    if (modes_.empty())
      return uniform_value_;
    double s = 0;
    for (const auto &m : modes_)
      s += std::cos(m[0] * x + m[1] * z + m[2]);
    return std::sqrt(2.0 / modes_.size()) * s;
  }

  double LognormalRandomField::factor(const double x, const double z) const
  {
    return std::exp(params_.log_std * gaussian(x, z));
  }
} // namespace otj
