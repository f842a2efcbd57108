// Stimulus waveforms of the synaptic protocols, built as piecewise-linear
// source voltages (the compact model and the PDE step onto their corners):
//   SpikeTrain     rectangular pulses with finite edges on a baseline (the read
//                  voltage between pulses, so that the EPSC is visible);
//   NeuronSpike    the voltage a neuron puts on its terminal around its firing
//                  time: a list of rectangular segments (offset, amplitude,
//                  width) relative to the firing time;
//   superpose()    the voltage across a synapse between a pre- and a
//                  post-synaptic neuron, V(t) = V_pre(t - t_pre) - V_post(t - t_post)
//                  (pre on the Pt electrode, post on the Nb:STO electrode), the
//                  scheme of Snider, Nanotechnology 19, 055201 (2008) and of
//                  Zamarreno-Ramos et al., Front. Neurosci. 5, 26 (2011).
// Segments and pulses have edges of finite duration, so every waveform here is
// continuous and the sum of two of them is again piecewise linear with its
// corners at the union of theirs.
#pragma once

#include "waveform/waveform.h"

#include <vector>

namespace otj
{
  struct Segment
  {
    double offset    = 0; ///< start of the rising edge relative to the firing time (s)
    double amplitude = 0; ///< V
    double width     = 0; ///< flat top (s)
  };

  /// A neuron's spike shape: segments relative to its firing time, in time
  /// order and not overlapping (edges included); `edge` is every edge's duration.
  struct NeuronSpike
  {
    std::vector<Segment> segments;
    double               edge = 1e-9;
    double               first_time() const; ///< earliest corner relative to firing (s)
    double               last_time() const;  ///< latest corner relative to firing (s)
    /// The piecewise-linear corners of the spike fired at `t_fire`, 0 V outside.
    std::vector<std::pair<double, double>> corners(double t_fire) const;
    /// Throws std::invalid_argument if segments overlap or have non-positive width.
    void check() const;
  };

  /// Trains of rectangular pulses on a baseline.
  class SpikeTrain
  {
  public:
    SpikeTrain(double baseline, double edge);
    /// Adds a pulse of `amplitude` whose rising edge starts at `start` (flat top `width`).
    SpikeTrain &add(double start, double amplitude, double width);
    /// Adds `count` identical pulses every `period` from `start`.
    SpikeTrain &add_train(double start, double amplitude, double width, double period, unsigned int count);
    /// Time at which pulse `i`'s flat top ends (its peak response).
    double top_end(unsigned int i) const;
    /// Time at which pulse `i`'s falling edge is over.
    double end(unsigned int i) const;
    unsigned int size() const { return static_cast<unsigned int>(pulses_.size()); }
    /// The waveform from `t0` to `t_end` (pulses must lie inside and not overlap).
    PiecewiseLinearWaveform waveform(double t0, double t_end) const;

  private:
    double                  baseline_, edge_;
    std::vector<Segment>    pulses_; // offset = start time
  };

  /// Sum a(t) * fa + b(t) * fb of two piecewise-linear functions given by corners
  /// (continuous; each zero outside its corners' span), on [t0, t_end].
  PiecewiseLinearWaveform superpose(const std::vector<std::pair<double, double>> &a, double fa,
                                    const std::vector<std::pair<double, double>> &b, double fb, double t0, double t_end);
} // namespace otj
