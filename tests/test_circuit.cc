// The external circuit (SPEC 3): the root finder of the source / series
// resistance / compliance loop on analytic junctions, then the coupled PDE
// run on a lossless dielectric, where the junction is a plate capacitor
// C = eps A / d and everything has a closed form:
//   - RC charging through R_0 after a voltage step (ramp of t_r):
//       V_j(t) = V [1 - (tau / t_r)(exp(t_r / tau) - 1) exp(-t / tau)],  t > t_r
//   - energy: the source delivers C V^2 (1 - e^{-t/tau}), the capacitor
//     stores C V_j^2 / 2, the resistor dissipates the rest (half, at the end);
//   - compliance with R_0 = 0: the junction charges at constant current I_cc,
//     V_j = I_cc t / C, until it reaches V_s.
#include "circuit/external_circuit.h"
#include "experiments/switching_loops.h"
#include "simulation/transient_simulation.h"
#include "test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <tuple>

using namespace otj;
using namespace otj::test_support;

TEST(ExternalCircuit, SeriesResistorAndDiodeSatisfyKirchhoff)
{
  const double I0 = 1e-12, Vt = 0.0259;
  auto         diode = [&](double V) -> std::optional<double> { return I0 * std::expm1(V / Vt); };
  for (double R0 : {10.0, 1e3, 1e6})
    for (double Vs : {-1.0, 0.3, 2.0})
      {
        ExternalCircuit c({R0, 0.0});
        const auto      s = c.solve(Vs, Vs, 0.0, diode);
        ASSERT_TRUE(s.converged) << R0 << " " << Vs;
        EXPECT_NEAR(s.junction_voltage + R0 * s.current, Vs, 1e-6) << R0 << " " << Vs;
        EXPECT_NEAR(s.current, *diode(s.junction_voltage), 1e-6 * std::abs(s.current) + 1e-15);
      }
}

TEST(ExternalCircuit, ComplianceLimitsTheCurrent)
{
  const double I0 = 1e-12, Vt = 0.0259, Icc = 115e-9;
  auto         diode = [&](double V) -> std::optional<double> { return I0 * std::expm1(V / Vt); };
  // R_0 = 0: the source drops to the voltage where the diode draws I_cc
  ExternalCircuit ideal_cc({0.0, Icc});
  auto            s = ideal_cc.solve(1.0, 1.0, 0.0, diode);
  ASSERT_TRUE(s.converged);
  EXPECT_NEAR(s.current, Icc, 1e-6 * Icc);
  EXPECT_NEAR(s.junction_voltage, Vt * std::log1p(Icc / I0), 1e-6);
  EXPECT_TRUE(s.compliance_active);
  // below compliance the ideal source holds V_j = V_s
  s = ideal_cc.solve(0.2, 0.2, 0.0, diode);
  EXPECT_DOUBLE_EQ(s.junction_voltage, 0.2);
  EXPECT_FALSE(s.compliance_active);
  // reverse: -I_cc cannot be reached by the diode (saturates at -I0): V_j = V_s
  s = ideal_cc.solve(-1.0, -1.0, 0.0, diode);
  EXPECT_DOUBLE_EQ(s.junction_voltage, -1.0);
  // with R_0 the resistor limits first if (V_s - V_j)/R_0 < I_cc
  ExternalCircuit r_cc({1e8, Icc});
  s = r_cc.solve(1.0, 1.0, 0.0, diode);
  ASSERT_TRUE(s.converged);
  EXPECT_NEAR(s.junction_voltage + 1e8 * s.current, 1.0, 1e-6);
  EXPECT_LT(s.current, Icc);
}

namespace
{
  /// Lossless plate capacitor: a 4 nm dielectric (eps_r 100) with a few
  /// immobile, fully compensated vacancies and no electrons.
  RunParameters capacitor_run(double R0, double Icc, const std::string &waveform)
  {
    RunParameters p;
    // band edge 3 eV above both Fermi levels (Pt work function = affinity +
    // 3 eV, back contact potential -(affinity + 3 eV)/q): no electron current
    const Material m         = ionic_insulator(1e20, 3.0);
    p.device                 = single_layer_device(m, 4e-9, -(m.electron_affinity / constants::eV + 3.0));
    p.device.top_electrode.work_function = m.electron_affinity + 3.0 * constants::eV;
    p.mesh.smallest_cell     = 0.05e-9;
    p.mesh.largest_cell_film = 0.2e-9;
    p.experiment.initial_state = "as-grown";
    p.experiment.waveform    = PiecewiseLinearWaveform::parse(waveform, "test");
    p.output.directory       = "/tmp/otj-test-unused";
    p.output.write_vtu = p.output.write_profiles = false;
    p.circuit.series_resistance  = R0;
    p.circuit.current_compliance = Icc;
    p.time.relative_tolerance    = 1e-4;
    p.time.absolute_tolerance    = 1e-8;
    return p;
  }

  double plate_capacitance(const RunParameters &p)
  {
    return constants::vacuum_permittivity * 100 * p.device.electrode_area / 4e-9;
  }
} // namespace

TEST(ExternalCircuit, RcChargingOfTheJunctionMatchesTheExponential)
{
  const double R0 = 50, V = 1.0, tr = 1e-12;
  auto         p  = capacitor_run(R0, 0.0, "0 0; 1e-12 1; 3e-8 1");
  const double C = plate_capacitance(p), tau = R0 * C; // 69.5 pF, 3.5 ns
  TransientSimulation sim(p, true);
  sim.solve_initial_state();
  const double Q0 = sim.electrode_charge();
  sim.integrate_waveform(false);

  double worst = 0;
  for (const auto &s : sim.steps())
    if (s.time > 2 * tr)
      {
        const double exact = V * (1 - tau / tr * std::expm1(tr / tau) * std::exp(-s.time / tau));
        worst              = std::max(worst, std::abs(s.junction_voltage - exact));
        // Kirchhoff around the loop
        EXPECT_NEAR(s.voltage - s.junction_voltage, R0 * s.current, 1e-9 + 1e-6 * std::abs(R0 * s.current));
      }
  EXPECT_LT(worst, 5e-3 * V);
  // capacitance from the Gauss-law charge: C = dQ/dV
  EXPECT_NEAR((sim.electrode_charge() - Q0) / sim.junction_voltage(), C, 2e-3 * C);

  // energy: source C V^2 (1 - e^{-T/tau}), capacitor C V_j^2 / 2, resistor the rest
  const double T  = 3e-8;
  const auto & e  = sim.energy();
  const double Vj = sim.junction_voltage();
  EXPECT_NEAR(e.source, C * V * V * (1 - std::exp(-T / tau)), 1e-2 * C * V * V);
  EXPECT_NEAR(e.junction, 0.5 * C * Vj * Vj, 5e-3 * C * V * V);
  EXPECT_NEAR(e.resistor, 0.5 * C * V * V * (1 - std::exp(-2 * T / tau)), 1e-2 * C * V * V);
  EXPECT_NEAR(e.source, e.resistor + e.junction, 1e-12 * e.source);
}

TEST(ExternalCircuit, ComplianceChargesTheJunctionAtConstantCurrent)
{
  const double Icc = 1e-3, V = 1.0;
  auto         p   = capacitor_run(0.0, Icc, "0 0; 1e-12 1; 1.5e-7 1");
  const double C   = plate_capacitance(p), t_full = C * V / Icc; // 69.5 ns
  TransientSimulation sim(p, true);
  sim.solve_initial_state();
  sim.integrate_waveform(false);
  unsigned limited = 0;
  for (const auto &s : sim.steps())
    {
      EXPECT_LE(std::abs(s.current), Icc * (1 + 1e-6));
      if (s.time < 0.95 * t_full && s.time > 1e-11)
        {
          ++limited;
          EXPECT_NEAR(s.junction_voltage, Icc * s.time / C, 5e-3 * V) << s.time;
        }
      if (s.time > 1.05 * t_full)
        {
          EXPECT_NEAR(s.junction_voltage, V, 1e-6);
        }
    }
  EXPECT_GT(limited, 3u);
  // the source delivered V I_cc t_full (at V_j = V_s after charging: no loss)
  EXPECT_NEAR(sim.energy().junction, 0.5 * C * V * V, 1e-2 * C * V * V);
}

// The R-V loop's write sequence: 0 -> +V_set -> 0 -> V_reset -> 0 in equal steps
// no larger than the requested one, hitting both extremes, without 0 V writes.
TEST(ResistanceLoop, WriteSequenceSweepsBothExtremes)
{
  ResistanceLoopParameters p; // +2.2 / -4.3 V, 0.2 V steps
  const auto               v = resistance_loop_amplitudes(p);
  EXPECT_EQ(v.size(), 11u + 10u + 22u + 21u);
  EXPECT_DOUBLE_EQ(v[10], 2.2);
  EXPECT_DOUBLE_EQ(*std::min_element(v.begin(), v.end()), -4.3);
  EXPECT_EQ(std::count(v.begin(), v.end(), 0.0), 0);
  for (std::size_t k = 1; k < v.size(); ++k) // steps <= 0.2 V (2 steps across the skipped 0 V)
    EXPECT_LE(std::abs(v[k] - v[k - 1]), (v[k] * v[k - 1] < 0 ? 0.4 : 0.2) + 1e-12);
}

// With an ideal source the tunnelling current does not act back on the state,
// so the R-V loop may skip it at the write steps
// (TransientSimulation::set_current_at_every_step(false)): a 20 ns, 1.8 V
// pulse on the paper's device then takes the same steps to the same state
// and the same 0.1 V read, while the steps carry only the displacement
// current (zero tunnel current), and with it on the tunnel current is there.
TEST(ResistanceLoop, SkippingTheStepCurrentLeavesStateAndReadUnchanged)
{
  RunParameters p              = paper_parameters();
  p.experiment.waveform        = PiecewiseLinearWaveform({{0, 0}, {1e-9, 1.8}, {2.1e-8, 1.8}, {2.2e-8, 0}, {1e-7, 0}});
  p.experiment.output_times    = {};
  p.output.write_vtu           = false;
  p.output.write_profiles      = false;
  auto run = [&](bool current) {
    TransientSimulation sim(p, true);
    sim.set_current_at_every_step(current);
    sim.solve_initial_state();
    sim.integrate_waveform(false);
    double peak_tunnel = 0;
    for (const auto &s : sim.steps())
      peak_tunnel = std::max(peak_tunnel, std::abs(s.tunnel_current));
    return std::make_tuple(sim.state(), sim.read(sim.state(), 0.1).resistance, sim.steps().size(), peak_tunnel);
  };
  const auto [u_on, R_on, n_on, I_on]     = run(true);
  const auto [u_off, R_off, n_off, I_off] = run(false);
  EXPECT_EQ(n_on, n_off);
  EXPECT_GT(I_on, 1e-6); // amperes flow through the forward-biased junction at 1.8 V
  EXPECT_EQ(I_off, 0.0);
  EXPECT_NEAR(R_off / R_on, 1.0, 1e-12);
  double worst = 0;
  for (unsigned int i = 0; i + 4 < u_on.size(); ++i) // the device unknowns, not the circuit block
    worst = std::max(worst, std::abs(u_on[i] - u_off[i]) / (std::abs(u_on[i]) + 1e-6));
  EXPECT_LT(worst, 1e-12);
}
