// PDE pulse experiments on stored states (see the header).
#include "merits/pulse_lab.h"

#include "waveform/waveform.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace otj
{
  using dealii::Vector;

  namespace
  {
    PiecewiseLinearWaveform points(std::vector<std::pair<double, double>> p) { return PiecewiseLinearWaveform(std::move(p)); }

    /// A key that identifies a stored state and a duration (for caches).
    std::vector<double> key_of(const Vector<double> &u, std::initializer_list<double> extra)
    {
      std::vector<double> k{double(u.size()), u.l2_norm(), u.mean_value()};
      k.insert(k.end(), extra.begin(), extra.end());
      return k;
    }
  } // namespace

  PulseLab::PulseLab(const RunParameters &device)
    : device_(device)
  {
    device_.output.write_vtu = device_.output.write_profiles = false;
    device_.experiment.output_times  = {};
    device_.experiment.initial_state = "equilibrium";
  }

  RunParameters PulseLab::with_waveform(const PiecewiseLinearWaveform &w,
                                        const std::optional<CircuitParameters> &circuit) const
  {
    RunParameters p        = device_;
    p.experiment.waveform  = w;
    if (circuit)
      p.circuit = *circuit;
    return p;
  }

  const Vector<double> &PulseLab::pristine()
  {
    if (!pristine_)
      {
        TransientSimulation sim(with_waveform(points({{0, 0}, {1, 0}}), std::nullopt), true);
        sim.solve_initial_state();
        ++runs_;
        pristine_ = sim.state();
      }
    return *pristine_;
  }

  const Vector<double> &PulseLab::written(const double V, const double width, const double relax)
  {
    const std::vector<double> key{V, width, relax};
    auto                      it = written_.find(key);
    if (it != written_.end())
      return it->second;
    return written_.emplace(key, write(pristine(), V, width, relax)).first->second;
  }

  void PulseLab::merge(const PulseLab &copy, const unsigned int runs_at_copy)
  {
    written_.insert(copy.written_.begin(), copy.written_.end()); // keeps entries already here
    reference_.insert(copy.reference_.begin(), copy.reference_.end());
    if (!pristine_ && copy.pristine_)
      pristine_ = copy.pristine_;
    runs_ += copy.runs_ - runs_at_copy;
  }

  Vector<double> PulseLab::write(const Vector<double> &start, const double V, const double width, const double relax)
  {
    const double e = 1e-7; // the loops' write edges
    TransientSimulation sim(with_waveform(points({{0, 0}, {e, V}, {e + width, V}, {2 * e + width, 0},
                                                  {2 * e + width + relax, 0}}),
                                          std::nullopt),
                            true);
    sim.restart_from(start);
    sim.integrate_waveform(false);
    ++runs_;
    return sim.state();
  }

  ReadResult PulseLab::read(const Vector<double> &state)
  {
    TransientSimulation sim(with_waveform(points({{0, 0}, {1, 0}}), std::nullopt), true);
    sim.restart_from(state);
    return sim.read(sim.state(), device_.experiment.read_voltage);
  }

  Vector<double> PulseLab::hold(const Vector<double> &state, const double duration, const std::vector<double> &read_times,
                                std::vector<ReadResult> *reads)
  {
    TransientSimulation sim(with_waveform(points({{0, 0}, {duration, 0}}), std::nullopt), true);
    sim.restart_from(state);
    ++runs_;
    for (double t : read_times)
      {
        if (t > duration)
          break;
        sim.integrate_waveform(false, t);
        if (reads)
          reads->push_back(sim.read(sim.state(), device_.experiment.read_voltage));
      }
    sim.integrate_waveform(false);
    return sim.state();
  }

  PulseOutcome PulseLab::pulse(const Vector<double> &start, const PulseSpec &s,
                               const std::optional<CircuitParameters> &circuit)
  {
    if (!(s.width > 0) || !(s.edge > 0) || s.read_delay < 0)
      throw std::invalid_argument("PulseLab::pulse: need width > 0, edge > 0, read delay >= 0");
    const double t_top = s.edge + s.width, t_fall = 2 * s.edge + s.width, t_end = t_fall + s.read_delay;
    PulseOutcome o;
    o.G_before = 1.0 / read(start).resistance;

    // the reference: the same time at 0 V without the pulse (the start state may itself relax)
    const auto key = key_of(start, {t_end});
    auto       ref = reference_.find(key);
    if (ref == reference_.end())
      {
        std::vector<ReadResult> r;
        hold(start, t_end, {t_end}, &r);
        ref = reference_.emplace(key, Vector<double>(1)).first;
        ref->second[0] = r.empty() ? std::nan("") : 1.0 / r.back().resistance;
      }
    o.G_reference = ref->second[0];

    std::vector<std::pair<double, double>> w{{0, 0}, {s.edge, s.amplitude}, {t_top, s.amplitude}, {t_fall, 0}};
    if (s.read_delay > 0)
      w.push_back({t_end, 0});
    TransientSimulation sim(with_waveform(points(w), circuit), true);
    sim.restart_from(start);
    ++runs_;
    sim.integrate_waveform(false, t_top);
    o.end_tunnel_current = sim.steps().empty() ? 0.0 : sim.steps().back().tunnel_current;
    sim.integrate_waveform(false, t_fall);
    o.energy_junction = sim.energy().junction;
    o.energy_source   = sim.energy().source;
    for (const auto &st : sim.steps())
      {
        o.peak_terminal_current = std::max(o.peak_terminal_current, std::abs(st.current));
        o.peak_junction_voltage = std::max(o.peak_junction_voltage, std::abs(st.junction_voltage));
      }
    sim.integrate_waveform(false);
    o.steps           = sim.steps().size();
    o.state           = sim.state();
    o.G_after         = 1.0 / sim.read(sim.state(), device_.experiment.read_voltage).resistance;
    o.relative_change = o.G_after / o.G_reference - 1.0;
    return o;
  }

  PulseLab::ReadTrace PulseLab::read_current_after_pulse(const Vector<double> &start, const PulseSpec &s,
                                                         const std::vector<double> &times)
  {
    if (times.empty())
      return {};
    const double Vr = device_.experiment.read_voltage, t_fall = 2 * s.edge + s.width;
    TransientSimulation sim(with_waveform(points({{0, 0}, {s.edge, s.amplitude}, {s.edge + s.width, s.amplitude},
                                                  {t_fall, Vr}, {t_fall + times.back(), Vr}}),
                                          std::nullopt),
                            true);
    sim.restart_from(start);
    ++runs_;
    ReadTrace tr;
    for (double t : times)
      {
        sim.integrate_waveform(false, t_fall + t);
        tr.current.push_back(sim.terminal_current());
        tr.centroid.push_back(sim.system().vacancy_centroid(sim.state()));
      }
    return tr;
  }
} // namespace otj
