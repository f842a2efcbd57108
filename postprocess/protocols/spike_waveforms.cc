// Stimulus waveforms of the synaptic protocols (see the header).
#include "protocols/spike_waveforms.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace otj
{
  namespace
  {
    /// Linear interpolation in a continuous corner list; 0 outside it.
    double value_at(const std::vector<std::pair<double, double>> &c, double t)
    {
      if (c.empty() || t <= c.front().first || t >= c.back().first)
        return 0.0;
      const auto it = std::upper_bound(c.begin(), c.end(), t, [](double x, const auto &p) { return x < p.first; });
      const auto &b = *it, &a = *(it - 1);
      return b.first > a.first ? a.second + (b.second - a.second) * (t - a.first) / (b.first - a.first) : b.second;
    }
  } // namespace

  double NeuronSpike::first_time() const
  {
    return segments.empty() ? 0.0 : segments.front().offset;
  }

  double NeuronSpike::last_time() const
  {
    return segments.empty() ? 0.0 : segments.back().offset + 2 * edge + segments.back().width;
  }

  void NeuronSpike::check() const
  {
    if (!(edge > 0))
      throw std::invalid_argument("spike edge must be positive");
    for (std::size_t i = 0; i < segments.size(); ++i)
      {
        if (!(segments[i].width > 0) || !std::isfinite(segments[i].amplitude))
          throw std::invalid_argument("spike segment " + std::to_string(i) + " has a non-positive width");
        if (i > 0 && segments[i].offset < segments[i - 1].offset + 2 * edge + segments[i - 1].width - 1e-15)
          throw std::invalid_argument("spike segments " + std::to_string(i - 1) + " and " + std::to_string(i) +
                                      " overlap");
      }
  }

  std::vector<std::pair<double, double>> NeuronSpike::corners(const double t_fire) const
  {
    std::vector<std::pair<double, double>> c;
    for (const Segment &s : segments)
      {
        const double a = t_fire + s.offset;
        c.emplace_back(a, 0.0);
        c.emplace_back(a + edge, s.amplitude);
        c.emplace_back(a + edge + s.width, s.amplitude);
        c.emplace_back(a + 2 * edge + s.width, 0.0);
      }
    return c;
  }

  SpikeTrain::SpikeTrain(const double baseline, const double edge)
    : baseline_(baseline)
    , edge_(edge)
  {
    if (!(edge > 0))
      throw std::invalid_argument("SpikeTrain: the edge must be positive");
  }

  SpikeTrain &SpikeTrain::add(const double start, const double amplitude, const double width)
  {
    if (!(width > 0))
      throw std::invalid_argument("SpikeTrain: pulse width must be positive");
    if (!pulses_.empty() && start < end(size() - 1) - 1e-15)
      throw std::invalid_argument("SpikeTrain: pulses overlap or are not in time order");
    pulses_.push_back({start, amplitude, width});
    return *this;
  }

  SpikeTrain &SpikeTrain::add_train(const double start, const double amplitude, const double width, const double period,
                                    const unsigned int count)
  {
    for (unsigned int i = 0; i < count; ++i)
      add(start + i * period, amplitude, width);
    return *this;
  }

  double SpikeTrain::top_end(const unsigned int i) const
  {
    return pulses_.at(i).offset + edge_ + pulses_.at(i).width;
  }

  double SpikeTrain::end(const unsigned int i) const
  {
    return top_end(i) + edge_;
  }

  PiecewiseLinearWaveform SpikeTrain::waveform(const double t0, const double t_end) const
  {
    std::vector<std::pair<double, double>> pts{{t0, baseline_}};
    for (unsigned int i = 0; i < size(); ++i)
      {
        const double a = pulses_[i].offset;
        if (a < t0 || end(i) > t_end)
          throw std::invalid_argument("SpikeTrain: a pulse lies outside the waveform's time span");
        if (a > pts.back().first)
          pts.emplace_back(a, baseline_);
        pts.emplace_back(a + edge_, pulses_[i].amplitude);
        pts.emplace_back(top_end(i), pulses_[i].amplitude);
        pts.emplace_back(end(i), baseline_);
      }
    if (t_end > pts.back().first)
      pts.emplace_back(t_end, baseline_);
    return PiecewiseLinearWaveform(pts);
  }

  PiecewiseLinearWaveform superpose(const std::vector<std::pair<double, double>> &a, const double fa,
                                    const std::vector<std::pair<double, double>> &b, const double fb, const double t0,
                                    const double t_end)
  {
    std::vector<double> times{t0, t_end};
    for (const auto &p : a)
      times.push_back(p.first);
    for (const auto &p : b)
      times.push_back(p.first);
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    std::vector<std::pair<double, double>> pts;
    for (double t : times)
      if (t >= t0 && t <= t_end)
        pts.emplace_back(t, fa * value_at(a, t) + fb * value_at(b, t));
    return PiecewiseLinearWaveform(pts);
  }
} // namespace otj
