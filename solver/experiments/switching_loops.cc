// R-V and I-V loops of the PDE model (see switching_loops.h).
#include "experiments/switching_loops.h"

#include "physics/constants.h"
#include "simulation/transient_simulation.h"

#include <cmath>
#include <limits>

namespace otj
{
  std::vector<double> resistance_loop_amplitudes(const ResistanceLoopParameters &p)
  {
    // 0 -> +V_set -> 0 -> V_reset -> 0 in steps of voltage_step (the end
    // points hit exactly), as the paper's loop direction (Fig. 1b): the
    // pristine HRS first goes to the LRS under positive writes.
    std::vector<double> v;
    auto ramp = [&](double from, double to) {
      const unsigned n = std::max(1u, static_cast<unsigned>(std::ceil(std::abs(to - from) / p.voltage_step - 1e-9)));
      for (unsigned k = 1; k <= n; ++k)
        v.push_back(from + (to - from) * k / n);
    };
    ramp(0.0, p.set_voltage);
    ramp(p.set_voltage, 0.0);
    v.pop_back(); // no 0 V write
    ramp(0.0, p.reset_voltage);
    ramp(p.reset_voltage, 0.0);
    v.pop_back();
    return v;
  }

  std::vector<IvPoint> static_iv(TransientSimulation &sim, const std::vector<double> &voltages)
  {
    std::vector<IvPoint> r;
    for (double V : voltages)
      {
        if (V == 0.0)
          {
            r.push_back({0.0, 0.0, {}});
            continue;
          }
        const auto rd = sim.read(sim.state(), V);
        r.push_back({V, V / rd.resistance, rd.shares});
      }
    return r;
  }

  std::vector<ResistanceLoopPoint> run_resistance_loop(const RunParameters &run, const ResistanceLoopParameters &p,
                                                       const std::function<void(const ResistanceLoopPoint &)> &progress,
                                                       std::vector<std::pair<std::string, std::vector<IvPoint>>> *iv,
                                                       const std::vector<double> &iv_voltages,
                                                       IntegratorStatistics *statistics,
                                                       std::vector<std::pair<std::string, dealii::Vector<double>>> *states)
  {
    const std::vector<double> amps = resistance_loop_amplitudes(p);
    // one waveform: per pulse an edge, the write, an edge, the read delay at 0 V
    std::vector<std::pair<double, double>> pts{{0.0, 0.0}};
    std::vector<double>                    read_times;
    double                                 t = 0;
    for (double V : amps)
      {
        pts.push_back({t + p.edge_time, V});
        pts.push_back({t + p.edge_time + p.write_time, V});
        pts.push_back({t + 2 * p.edge_time + p.write_time, 0.0});
        t += 2 * p.edge_time + p.write_time + p.read_delay;
        pts.push_back({t, 0.0});
        read_times.push_back(t);
      }
    RunParameters rp               = run;
    rp.experiment.waveform         = PiecewiseLinearWaveform(pts);
    rp.experiment.output_times     = {};
    rp.output.write_vtu            = false;
    rp.output.write_profiles       = false;
    TransientSimulation sim(rp, true);
    sim.set_current_at_every_step(false); // only the reads are recorded
    sim.solve_initial_state();
    const double Vr = rp.experiment.read_voltage;
    std::vector<ResistanceLoopPoint> out;
    auto read_point = [&](unsigned k, double V) {
      const auto rd = sim.read(sim.state(), Vr);
      ResistanceLoopPoint pt{k, V, sim.time(), rd.resistance, rd.shares, sim.system().vacancy_centroid(sim.state()) / constants::nm};
      out.push_back(pt);
      if (progress)
        progress(pt);
    };
    read_point(0, 0.0);
    if (iv)
      iv->push_back({"pristine", static_iv(sim, iv_voltages)});
    if (states)
      states->push_back({"pristine", sim.state()});
    // the states after the last set (largest positive write) and reset writes
    std::size_t last_set = 0, last_reset = 0;
    for (std::size_t k = 0; k < amps.size(); ++k)
      {
        if (amps[k] == p.set_voltage)
          last_set = k;
        if (amps[k] == p.reset_voltage)
          last_reset = k;
      }
    for (std::size_t k = 0; k < amps.size(); ++k)
      {
        sim.integrate_waveform(false, read_times[k]);
        read_point(k + 1, amps[k]);
        if (iv && k == last_set)
          iv->push_back({"LRS", static_iv(sim, iv_voltages)});
        if (iv && k == last_reset)
          iv->push_back({"HRS", static_iv(sim, iv_voltages)});
        if (states && k == last_set)
          states->push_back({"LRS", sim.state()});
        if (states && k == last_reset)
          states->push_back({"HRS", sim.state()});
      }
    if (statistics)
      *statistics = sim.statistics();
    return out;
  }

  std::vector<IvLoopPoint> run_iv_loop(const RunParameters &run, const IvLoopParameters &p)
  {
    std::vector<std::pair<double, double>> pts{{0.0, 0.0}};
    std::vector<double>                    cycle_end;
    double                                 t = 0;
    for (unsigned c = 0; c < p.cycles; ++c)
      {
        for (double V : {p.set_voltage, 0.0, p.reset_voltage, 0.0})
          {
            t += std::abs(V - pts.back().second) / p.sweep_rate;
            pts.push_back({t, V});
          }
        cycle_end.push_back(t);
      }
    RunParameters rp           = run;
    rp.experiment.waveform     = PiecewiseLinearWaveform(pts);
    rp.experiment.output_times = {};
    rp.output.write_vtu = rp.output.write_profiles = false;
    // resolve the sweep: at most 20 mV of source change per step
    rp.time.largest_step = std::min(rp.time.largest_step, 0.02 / p.sweep_rate);
    TransientSimulation sim(rp, true);
    sim.solve_initial_state();
    sim.integrate_waveform(false);
    std::vector<IvLoopPoint> out;
    for (const auto &s : sim.steps())
      {
        unsigned c = 0;
        while (c + 1 < cycle_end.size() && s.time > cycle_end[c])
          ++c;
        out.push_back({c, s.time, s.voltage, s.junction_voltage, s.current, s.tunnel_current});
      }
    return out;
  }
} // namespace otj
