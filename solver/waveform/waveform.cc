// Piecewise-linear waveforms (see waveform.h).
#include "waveform/waveform.h"

#include "common/input_error.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace otj
{
  PiecewiseLinearWaveform::PiecewiseLinearWaveform(std::vector<std::pair<double, double>> points)
    : points_(std::move(points))
  {
    if (points_.empty())
      throw InputError("waveform: no points");
    for (std::size_t i = 0; i < points_.size(); ++i)
      {
        if (!std::isfinite(points_[i].first) || !std::isfinite(points_[i].second))
          throw InputError("waveform: point " + std::to_string(i) + " is not finite");
        if (i > 0 && points_[i].first < points_[i - 1].first)
          throw InputError("waveform: time of point " + std::to_string(i) +
                           " goes backwards (a negative duration)");
      }
  }

  PiecewiseLinearWaveform PiecewiseLinearWaveform::parse(const std::string &text, const std::string &where)
  {
    std::vector<std::pair<double, double>> pts;
    std::stringstream                      ss(text);
    std::string                            item;
    while (std::getline(ss, item, ';'))
      {
        if (item.find_first_not_of(" \t\n") == std::string::npos)
          continue;
        std::istringstream in(item);
        std::string        ts, vs, extra;
        in >> ts >> vs;
        if (ts.empty() || vs.empty() || (in >> extra))
          throw InputError(where + ": waveform item '" + item + "': expected 'time voltage' (seconds, volts)");
        double t, v;
        try
          {
            std::size_t p1, p2;
            t = std::stod(ts, &p1);
            v = std::stod(vs, &p2);
            if (p1 != ts.size() || p2 != vs.size())
              throw std::invalid_argument("trailing characters");
          }
        catch (const std::exception &)
          {
            throw InputError(where + ": waveform item '" + item + "': expected two numbers 'time voltage'");
          }
        if (!std::isfinite(t) || !std::isfinite(v))
          throw InputError(where + ": waveform item '" + item + "': expected finite numbers, got NaN or inf");
        if (!pts.empty() && t < pts.back().first)
          throw InputError(where + ": waveform item '" + item + "': time " + ts +
                           " s is before the previous point: expected non-decreasing times (no negative durations)");
        pts.emplace_back(t, v);
      }
    if (pts.empty())
      throw InputError(where + ": empty waveform: expected 't0 V0; t1 V1; ...'");
    return PiecewiseLinearWaveform(pts);
  }

  double PiecewiseLinearWaveform::value(const double t) const
  {
    if (t <= points_.front().first)
      return points_.front().second;
    if (t >= points_.back().first)
      return points_.back().second;
    // last point with time <= t (a jump takes the later value)
    auto it = std::upper_bound(points_.begin(), points_.end(), t,
                               [](double x, const std::pair<double, double> &p) { return x < p.first; });
    const auto &b = *it;
    const auto &a = *(it - 1);
    if (b.first == a.first)
      return b.second;
    return a.second + (b.second - a.second) * (t - a.first) / (b.first - a.first);
  }

  double PiecewiseLinearWaveform::start_time() const { return points_.front().first; }
  double PiecewiseLinearWaveform::end_time() const { return points_.back().first; }

  std::vector<double> PiecewiseLinearWaveform::corners() const
  {
    std::vector<double> c;
    for (const auto &p : points_)
      if (c.empty() || p.first > c.back())
        c.push_back(p.first);
    return c;
  }

  void PiecewiseLinearWaveform::append(const PiecewiseLinearWaveform &other)
  {
    const double shift = end_time() - other.start_time();
    for (const auto &p : other.points())
      points_.emplace_back(p.first + shift, p.second);
  }

  PiecewiseLinearWaveform pulse_train(const double amplitude, const double width, const double rise,
                                      const double period, const unsigned n, const double t0, const double t_end)
  {
    if (!(width >= 0) || !(rise > 0) || !(period >= width + 2 * rise))
      throw InputError("pulse_train: expected width >= 0, rise > 0 and period >= width + 2 rise");
    std::vector<std::pair<double, double>> p{{0.0, 0.0}};
    for (unsigned k = 0; k < n; ++k)
      {
        const double s = t0 + k * period;
        if (s > p.back().first)
          p.emplace_back(s, 0.0);
        p.emplace_back(s + rise, amplitude);
        p.emplace_back(s + rise + width, amplitude);
        p.emplace_back(s + 2 * rise + width, 0.0);
      }
    if (t_end > p.back().first)
      p.emplace_back(t_end, 0.0);
    return PiecewiseLinearWaveform(p);
  }
} // namespace otj
