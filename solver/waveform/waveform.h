// Source voltage waveforms: piecewise-linear V_s(t) given by corner points.
// Every pulse, train and sweep of the paper is a piecewise-linear waveform;
// the time integrator steps exactly onto its corners.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace otj
{
  class PiecewiseLinearWaveform
  {
  public:
    PiecewiseLinearWaveform() = default;
    /// Points (t_k, V_k) with t non-decreasing; a repeated time gives a jump.
    explicit PiecewiseLinearWaveform(std::vector<std::pair<double, double>> points);

    /// Parses "t0 V0; t1 V1; ..." (seconds, volts). Throws InputError naming
    /// `where` on bad syntax, non-finite values or times that go backwards.
    static PiecewiseLinearWaveform parse(const std::string &text, const std::string &where);

    double value(double t) const;
    double start_time() const;
    double end_time() const;
    /// The corner times (distinct, sorted).
    std::vector<double> corners() const;
    const std::vector<std::pair<double, double>> &points() const { return points_; }

    /// Appends another waveform shifted to start at end_time().
    void append(const PiecewiseLinearWaveform &other);

  private:
    std::vector<std::pair<double, double>> points_;
  };

  /// A trapezoidal pulse train: n pulses of amplitude V, flat-top width w
  /// (measured at full amplitude), rise/fall time tr, period T, starting at
  /// t0 from 0 V. Returns the waveform including a final hold to t_end.
  PiecewiseLinearWaveform pulse_train(double amplitude, double width, double rise, double period,
                                      unsigned n, double t0, double t_end);
} // namespace otj
