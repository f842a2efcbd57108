// The reduced oxide model (postprocess/compact/reduced_oxide_model.h) against independent
// formulas (the substrate's depletion approximation) and against the PDE on the paper's device
// (electrostatics of frozen profiles, a read, the trapped share after a pulse, conservation).
#include "compact/compact_validation.h"
#include "compact/reduced_oxide_model.h"
#include "common/input_error.h"
#include "protocols/protocols_experiment.h"
#include "protocols/synaptic_protocols.h"
#include "simulation/transient_simulation.h"
#include "test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace otj;
using otj::test_support::paper_parameters;

namespace
{
  /// The PDE state u as the reduced model's node densities (control-volume averages).
  std::vector<double> project(const TransientSimulation &sim, const dealii::Vector<double> &u, const ReducedOxideModel &m)
  {
    return m.control_volume_averages([&](double a, double b) { return sim.system().vacancies_between(u, a, b); });
  }

  /// The paper's device without file output.
  RunParameters quiet_paper_parameters()
  {
    RunParameters p = paper_parameters();
    p.output.write_vtu = p.output.write_profiles = false;
    return p;
  }

  /// The paper device's pristine (equilibrium) state as the reduced model's node densities.
  std::vector<double> pristine_on(const ReducedOxideModel &m, const RunParameters &p)
  {
    TransientSimulation sim(p, true);
    sim.solve_initial_state();
    return project(sim, sim.state(), m);
  }

  double pde_potential_at(const TransientSimulation &sim, const dealii::Vector<double> &u, double V, double x)
  {
    const auto nv = sim.system().nodal_values(u, V);
    for (std::size_t k = 1; k < nv.size(); ++k)
      if (nv[k].x[0] >= x)
        {
          const double f = (x - nv[k - 1].x[0]) / (nv[k].x[0] - nv[k - 1].x[0]);
          return (1 - f) * nv[k - 1].phi + f * nv[k].phi;
        }
    return nv.back().phi;
  }
} // namespace

// Deep depletion of the Nb:SrTiO3 substrate: the first integral against the depletion
// approximation with its thermal correction, E_s = sqrt(2 e N (|psi| - kT/e) / eps_s) (Sze & Ng,
// Physics of Semiconductor Devices, 3rd ed., eq. (2.7)/(2.32); the degenerate electrons change
// the kT/e term by ~kT/e, 1 % of |psi| = 2 V); the profile reaches the bulk within the depletion
// width W = sqrt(2 eps_s |psi| / (e N)) and a few screening lengths, not before 0.8 W.
TEST(ReducedOxide, SubstrateFirstIntegralFollowsTheDepletionApproximation)
{
  const RunParameters          p = paper_parameters();
  const SubstrateFirstIntegral s(p.device);
  const Material              &m   = p.device.layers.back().material;
  const double                 eps = constants::vacuum_permittivity * m.relative_permittivity, N = m.donor_density;
  const double                 psi = -2.0, kT = constants::thermal_energy(300) / constants::elementary_charge;
  const double                 E   = s.field(s.bulk_potential() + psi);
  const double                 Ed  = -std::sqrt(2 * constants::elementary_charge * N * (-psi - kT) / eps);
  EXPECT_NEAR(E / Ed, 1.0, 0.01);
  // accumulation: the opposite sign, and a much stronger field for the same |psi| (electrons pile up)
  EXPECT_GT(s.field(s.bulk_potential() + 0.3), 0.0);
  // dE/dphi against a central difference
  double       d = 0;
  const double phi = s.bulk_potential() - 0.7;
  s.field(phi, &d);
  EXPECT_NEAR(d / ((s.field(phi + 1e-4) - s.field(phi - 1e-4)) / 2e-4), 1.0, 1e-4);
  std::vector<double> y, f;
  s.profile(s.bulk_potential() + psi, 60e-9, y, f);
  const double W = std::sqrt(2 * eps * -psi / (constants::elementary_charge * N));
  auto         at = [&](double yy) {
    for (std::size_t k = 1; k < y.size(); ++k)
      if (y[k] >= yy)
        return f[k];
    return f.back();
  };
  EXPECT_LT(std::abs(at(W + 5e-9) - s.bulk_potential()), 0.01);
  EXPECT_GT(std::abs(at(0.8 * W) - s.bulk_potential()), 0.05);
}

// The frozen-state electrostatics of the pristine equilibrium (0 V) and of the state at the end
// of a 2.2 V / 100 ns set (w ~ 0.2, at 2.2 V) against the PDE's potentials: mid-film field and
// substrate-surface potential (the reduced model has no substrate mesh), and the 0.1 V read of
// the pristine state held 1 us at the read bias against the PDE's read (within 2 %).
TEST(ReducedOxide, ElectrostaticsAndReadMatchThePde)
{
  RunParameters p = paper_parameters();
  p.output.write_vtu = p.output.write_profiles = false;
  p.experiment.output_times = {};
  p.experiment.waveform     = PiecewiseLinearWaveform({{0, 0}, {1e-9, 2.2}, {1e-7, 2.2}});
  TransientSimulation sim(p, true);
  sim.solve_initial_state();
  const dealii::Vector<double> pristine = sim.state();
  sim.integrate_waveform(false);
  const ReducedOxideModel m(p.device, 112, p.time, p.newton);
  for (const auto &[u, V] : {std::pair<dealii::Vector<double>, double>{pristine, 0.0}, {sim.state(), 2.2}})
    {
      const auto   c   = project(sim, u, m);
      const auto   phi = m.potential(c, V);
      auto         at  = [&](double x) {
        const auto  &n = m.nodes();
        const auto   k = std::min<std::size_t>(std::upper_bound(n.begin(), n.end(), x) - n.begin() - 1, n.size() - 2);
        const double f = (x - n[k]) / (n[k + 1] - n[k]);
        return (1 - f) * phi[k] + f * phi[k + 1];
      };
      const double E_red = -(at(1.6e-9) - at(1.2e-9)) / 0.4e-9;
      const double E_pde = -(pde_potential_at(sim, u, V, 1.6e-9) - pde_potential_at(sim, u, V, 1.2e-9)) / 0.4e-9;
      EXPECT_NEAR(E_red / E_pde, 1.0, 0.01) << "V = " << V;
      EXPECT_NEAR(phi.back(), pde_potential_at(sim, u, V, 2.8e-9), 0.005) << "V = " << V;
    }
  // the read of the pristine state after 1 us at the read bias, each model from its own start (the
  // projection averages the Pt-side pile-up over the coarse cells; 1 us at 0.1 V re-forms it)
  RunParameters hold = p;
  hold.experiment.waveform = PiecewiseLinearWaveform({{0, 0.1}, {1e-6, 0.1}});
  TransientSimulation pde_hold(hold, true);
  pde_hold.restart_from(pristine);
  pde_hold.integrate_waveform(false);
  const double G_pde = 1.0 / pde_hold.read(pde_hold.state(), 0.1).resistance;
  const auto   held  = m.integrate(hold.experiment.waveform, project(sim, pristine, m), {1e-6}, false);
  ASSERT_EQ(held.size(), 1u);
  const double G_red = m.conductance(held[0].c, 0.1);
  EXPECT_NEAR(G_red / G_pde, 1.0, 0.02);
}

// One 3.3 V / 20 ns pulse (above the 2.9 V threshold) from the pristine state at the 0.1 V read
// bias, 1 us: the share beyond 2.4 nm and the read against the PDE's (within 5 % at 0.025 nm
// cells), and the vacancies conserved to 1e-9 (the step's balance correction).
TEST(ReducedOxide, PulseTrapsThePdeShareAndConservesVacancies)
{
  RunParameters p = paper_parameters();
  p.output.write_vtu = p.output.write_profiles = false;
  p.experiment.output_times = {};
  const PiecewiseLinearWaveform wf({{0, 0.1}, {1e-9, 3.3}, {2.1e-8, 3.3}, {2.2e-8, 0.1}, {1e-6, 0.1}});
  p.experiment.waveform = wf;
  TransientSimulation sim(p, true);
  sim.solve_initial_state();
  const ReducedOxideModel m(p.device, 112, p.time, p.newton);
  const auto              c0 = project(sim, sim.state(), m);
  sim.integrate_waveform(false);
  const double w_pde = sim.system().vacancies_between(sim.state(), 2.4e-9, 1.0) / sim.system().total_vacancies(sim.state());
  const auto   out   = m.integrate(wf, c0, {1e-6}, false);
  ASSERT_EQ(out.size(), 1u);
  const double w_red = m.share_between(out[0].c, 2.4e-9, 2.8e-9);
  std::printf("share beyond 2.4 nm after the pulse: PDE %.4g, reduced %.4g (pristine %.4g); G PDE %.4g S, reduced %.4g S\n",
              w_pde, w_red, m.share_between(c0, 2.4e-9, 2.8e-9), 1.0 / sim.read(sim.state(), 0.1).resistance,
              m.conductance(out[0].c, 0.1));
  EXPECT_NEAR(w_red / w_pde, 1.0, 0.05);
  // the pulse did set the junction (the pristine reads ~8.8e-9 S; measured 5.1e-6 S), and the
  // reduced model's read follows the PDE's (measured 2.3 %). The share beyond 2.4 nm grows by
  // only 7e-4 in the PDE (2.4e-3 in the reduced model): the read follows where the vacancies sit
  // within the interface layer's ramp more than how many are beyond 2.4 nm
  const double G_pde = 1.0 / sim.read(sim.state(), 0.1).resistance, G_red = m.conductance(out[0].c, 0.1);
  EXPECT_GT(G_pde, 1e-7);
  EXPECT_NEAR(G_red / G_pde, 1.0, 0.05);
  double n0 = 0, n1 = 0;
  for (std::size_t i = 0; i < c0.size(); ++i)
    n0 += c0[i] * m.volumes()[i], n1 += out[0].c[i] * m.volumes()[i];
  EXPECT_NEAR(n1 / n0, 1.0, 1e-9);
}
// Issue 5's validation on an unseen sequence, as `otj extract` runs it (compact.prm's third
// validation train: 5 x 3.3 V / 50 ns at 500 kHz, above the 50 ns threshold, with the reads of
// validation_schedule): the reduced oxide model on compact.prm's 224 cells follows the PDE's
// read conductance within 10 % at every read (measured 0.8 %; 112 cells: 11.2 %), and the
// train does set the junction (the read rises > 100x), so the comparison is not of two resting
// states.
TEST(ReducedOxide, FollowsThePdeAlongASettingTrainOn224Cells)
{
  RunParameters p = paper_parameters();
  p.output.write_vtu = p.output.write_profiles = false;
  p.experiment.output_times = {};
  ValidationSequence seq;
  seq.amplitude = 3.3, seq.width = 5e-8, seq.period = 2e-6, seq.count = 5;
  const double           Vr    = p.experiment.read_voltage;
  const SequenceSchedule sched = validation_schedule(seq, Vr);
  std::vector<std::pair<double, double>> corners = sched.corners;
  const PiecewiseLinearWaveform          wf(corners);
  p.experiment.waveform = wf;
  TransientSimulation sim(p, true);
  sim.solve_initial_state();
  const ReducedOxideModel m(p.device, 224, p.time, p.newton, p.concentration_scale);
  // compact.prm's grid: the same fine cell, twice as large from the Pt to 2.1 nm (143 cells)
  ReducedGridCoarsening coarse;
  coarse.from = 0, coarse.to = 2.1e-9, coarse.factor = 2;
  const ReducedOxideModel mc(p.device, 224, p.time, p.newton, p.concentration_scale, coarse);
  const auto              c0  = project(sim, sim.state(), m);
  const auto              c0c = project(sim, sim.state(), mc);
  const double            G0  = 1.0 / sim.read(sim.state(), Vr).resistance; // the pristine read
  std::vector<double>     G_pde;
  for (double t : sched.reads)
    {
      sim.integrate_waveform(false, t);
      G_pde.push_back(1.0 / sim.read(sim.state(), Vr).resistance);
    }
  for (const auto &[model, start] : {std::pair<const ReducedOxideModel *, const std::vector<double> *>{&m, &c0}, {&mc, &c0c}})
    {
      const auto out = model->integrate(wf, *start, sched.reads, false);
      ASSERT_EQ(out.size(), sched.reads.size());
      double worst = 0;
      for (std::size_t k = 0; k < out.size(); ++k)
        worst = std::max(worst, std::abs(model->conductance(out[k].c, Vr) / G_pde[k] - 1));
      std::printf("%zu cells, %zu reads: G_pde %.3g (pristine) -> %.3g S, largest |G_reduced / G_pde - 1| = %.3g\n",
                  model->nodes().size() - 1, G_pde.size(), G0, G_pde.back(), worst);
      // measured 0.8 % on both grids
      EXPECT_LT(worst, 0.10);
    }
  EXPECT_GT(G_pde.back(), 100 * G0);
  EXPECT_EQ(mc.nodes().size(), 144u);
}

// The coarsened grid (ReducedGridCoarsening): the fine cell outside the stretch, `factor` times it
// inside (between the ramps), the cell size continuous (neighbours within the ramp's slope), the
// landscape's kinks on nodes, and a 3.3 V / 20 ns pulse on it conserving the vacancies to 1e-9.
TEST(ReducedOxide, CoarsenedGridKeepsTheFineCellsOutsideItsStretch)
{
  const RunParameters   p = quiet_paper_parameters();
  ReducedGridCoarsening g;
  g.from = 0.5e-9, g.to = 2.0e-9, g.factor = 3, g.ramp = 0.2e-9;
  const ReducedOxideModel m(p.device, 112, p.time, p.newton, p.concentration_scale, g);
  const auto             &x = m.nodes();
  const double            L = x.back(), h = L / 112;
  EXPECT_DOUBLE_EQ(x.front(), 0.0);
  EXPECT_NEAR(L, 2.8e-9, 1e-15);
  // cells: F = Int_0^L dx / s(x), the fine cells outside the stretch, the coarse ones between the
  // ramps, and each ramp (s linear from h to factor h) ramp / (h (factor - 1)) ln(factor)
  const double F = (L - (g.to - g.from)) / h + (g.to - g.from - 2 * g.ramp) / (g.factor * h) +
                   2 * g.ramp / (h * (g.factor - 1)) * std::log(g.factor);
  EXPECT_EQ(x.size() - 1, static_cast<std::size_t>(std::lround(F)));
  const double a = p.device.vacancy_transition_width();
  for (std::size_t i = 0; i + 1 < x.size(); ++i)
    {
      const double len = x[i + 1] - x[i], mid = 0.5 * (x[i] + x[i + 1]);
      ASSERT_GT(len, 0);
      // a node moved onto a kink changes its two cells by up to h/2
      bool near_kink = false;
      for (const double k : {2.4e-9 - 0.5 * a, 2.4e-9 + 0.5 * a, 2.8e-9 - 0.5 * a})
        near_kink = near_kink || std::abs(mid - k) < 1.5 * h;
      if (near_kink)
        continue;
      if (mid < g.from || mid > g.to)
        EXPECT_NEAR(len / h, 1.0, 0.02) << "cell at " << mid;
      else if (mid > g.from + g.ramp && mid < g.to - g.ramp)
        EXPECT_NEAR(len / h, g.factor, 0.06) << "cell at " << mid;
      if (i > 0)
        EXPECT_LT(std::abs(len / (x[i] - x[i - 1]) - 1), 0.35) << "cell at " << mid;
    }
  for (const double k : {2.4e-9 - 0.5 * a})
    EXPECT_TRUE(std::any_of(x.begin(), x.end(), [&](double n) { return std::abs(n - k) < 1e-18; })) << "kink " << k;
  // a setting pulse on the coarsened grid keeps the inventory
  const PiecewiseLinearWaveform wf({{0, 0.1}, {1e-9, 3.3}, {2.1e-8, 3.3}, {2.2e-8, 0.1}, {1e-6, 0.1}});
  const auto                    c0  = pristine_on(m, p);
  const auto                    out = m.integrate(wf, c0, {1e-6}, false);
  double                        n0 = 0, n1 = 0;
  for (std::size_t i = 0; i < c0.size(); ++i)
    n0 += c0[i] * m.volumes()[i], n1 += out[0].c[i] * m.volumes()[i];
  EXPECT_NEAR(n1 / n0, 1.0, 1e-9);
  EXPECT_GT(m.share_between(out[0].c, 2.4e-9, 2.8e-9), m.share_between(c0, 2.4e-9, 2.8e-9) + 0.003);
  EXPECT_THROW(ReducedOxideModel(p.device, 112, p.time, p.newton, p.concentration_scale,
                                 ReducedGridCoarsening{1e-9, 3.5e-9, 2, 1e-10}),
               std::invalid_argument);
}

// The protocols' SynapseProbe on the reduced oxide model: its rest state is the pristine state
// held at the read bias (the interface layer's share w that of the pristine state: the
// calibrated landscape traps ~5 % of the vacancies there at equilibrium), its samples carry the
// model's own Tsu-Esaki current, and w is the share in the interface layer (beyond 2.4 nm),
// which a 3.3 V / 20 ns pulse (above the 2.9 V threshold) raises.
TEST(ReducedOxide, SynapseProbeRunsTheReducedModel)
{
  const RunParameters     p = quiet_paper_parameters();
  const ReducedOxideModel m(p.device, 56, p.time, p.newton);
  ProtocolSettings        set;
  set.settle = 1e-6;
  const auto         pristine = pristine_on(m, p);
  SynapseProbe       probe(m, pristine, set);
  const CompactState rest = probe.rest_state();
  const double       w0   = m.share_between(pristine, 2.4e-9, 2.8e-9);
  EXPECT_NEAR(rest.w, w0, 1e-3 * w0 + 1e-9);
  EXPECT_DOUBLE_EQ(probe.conductance(rest), m.conductance(rest.c, 0.1));
  const PiecewiseLinearWaveform wf({{0, 0.1}, {1e-9, 3.3}, {2.1e-8, 3.3}, {2.2e-8, 0.1}, {1e-6, 0.1}});
  std::vector<CompactSample>    samples;
  const CompactState            end = probe.apply(wf, rest, {1e-8}, &samples);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_DOUBLE_EQ(samples[0].current, m.current(samples[0].state.c, 3.3));
  EXPECT_NEAR(end.w, m.share_between(end.c, 2.4e-9, 2.8e-9), 1e-12);
  std::printf("interface share: pristine %.4g, at rest %.4g, after the pulse %.4g\n", w0, rest.w, end.w);
  // measured: 0.0471 -> 0.0576
  EXPECT_GT(end.w - rest.w, 0.006);
  EXPECT_LT(end.w - rest.w, 0.02);
  EXPECT_GT(probe.steps(), 10u);
}

// Cycle jumps (envelope following) of the LTP/LTD protocol against integrating every cycle, on
// the paper device's reduced oxide model (56 cells) with the paper's sub-threshold pulses
// (+2.2 / -2.5 V, 50 ns, 20 per branch, 60 cycles): the reads drift slowly from cycle to
// cycle (no periodic cycle), the jumps extrapolate that drift (linearly, then with its own
// change per cycle), and every read of every cycle stays within 2x the jump tolerance of the
// integrated one while fewer cycles are integrated.
TEST(ReducedOxide, LtpLtdCycleJumpsFollowTheIntegratedDrift)
{
  const RunParameters     p = quiet_paper_parameters();
  const ReducedOxideModel m(p.device, 56, p.time, p.newton);
  ProtocolSettings        set;
  set.settle               = 1e-6;
  const auto         c0    = pristine_on(m, p);
  const unsigned int cycles = 60, pulses = 20;
  const double       tol    = 1e-3;
  SynapseProbe       all(m, c0, set), jumping(m, c0, set);
  const LtpLtdResult a = ltp_ltd(all, 2.2, -2.5, 5e-8, 1e-6, pulses, cycles, 0.0, 0.0);
  const LtpLtdResult b = ltp_ltd(jumping, 2.2, -2.5, 5e-8, 1e-6, pulses, cycles, 0.0, tol);
  ASSERT_EQ(b.ltp.size(), cycles);
  ASSERT_EQ(b.integrated.size(), cycles);
  EXPECT_EQ(a.computed_cycles, cycles);
  EXPECT_EQ(a.jumped_cycles, 0u);
  EXPECT_EQ(b.computed_cycles + b.jumped_cycles, cycles);
  EXPECT_GE(b.jumped_cycles, 30u);
  EXPECT_TRUE(b.integrated.back()); // the last cycle is integrated
  // the drift the jumps follow: the first read of the last cycle against the second cycle's
  const double drift = a.ltp[cycles - 1][0] / a.ltp[1][0] - 1;
  double       worst = 0;
  for (unsigned int c = 0; c < cycles; ++c)
    for (unsigned int k = 0; k <= pulses; ++k)
      worst = std::max({worst, std::abs(b.ltp[c][k] / a.ltp[c][k] - 1), std::abs(b.ltd[c][k] / a.ltd[c][k] - 1)});
  // measured: drift 10.4 %, 16 integrated and 44 jumped (the last jumps with the drift's change
  // per cycle from >= 10 cycles back: 29 cycles), largest difference 1.09e-3, steps 0.27x; with
  // the jump at most 3x the linear bound instead of 2x: 11 integrated, 2.86e-3. (24 cycles and
  // linear jumps over a 3-cycle baseline, before 2026-12-02: 18 and 6 of 24, 1.8e-4, 0.75x)
  std::printf("drift over the cycles %.3g; %u integrated, %u jumped; largest read difference %.3g; steps %lu / %lu\n",
              drift, b.computed_cycles, b.jumped_cycles, worst, jumping.steps(), all.steps());
  for (bool i : b.integrated) // the pattern of integrated (1) and extrapolated (0) cycles
    std::printf("%d", int(i));
  std::printf("\n");
  EXPECT_GT(std::abs(drift), 10 * tol); // a drift the jumps have to follow, not a periodic cycle
  EXPECT_LT(worst, 2 * tol);
  EXPECT_LT(jumping.steps(), 0.4 * all.steps()); // measured 0.27
}

// `otj protocols` on a reduced model file without its cells: an input error naming the model file
// and what it needs (exit code 2 in the program), nothing written.
TEST(ReducedOxide, ProtocolsRefuseAnIncompleteReducedModelFile)
{
  const std::string dir = (std::filesystem::temp_directory_path() / "otj-test-reduced-bad").string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream m(dir + "/reduced_model.json");
    m << "{\"kind\": \"reduced_oxide_model\", \"device_file\": \""
      << otj::test_support::source_path("drivers/paper_device/writes.prm")
      << "\", \"read_voltage_V\": 0.1, \"pristine_densities_m3\": [1, 2, 3]}\n";
    std::ofstream p(dir + "/protocols.prm");
    p << "subsection Protocols\n  set Compact model = " << dir << "/reduced_model.json\n  set Output directory = " << dir
      << "/out\nend\n";
  }
  ProtocolsExperiment px(dir + "/protocols.prm");
  try
    {
      px.run(true);
      FAIL() << "no error";
    }
  catch (const InputError &e)
    {
      const std::string what = e.what();
      EXPECT_NE(what.find(dir + "/reduced_model.json"), std::string::npos) << what;
      EXPECT_NE(what.find("cells"), std::string::npos) << what;
    }
  EXPECT_FALSE(std::filesystem::exists(dir + "/out/protocols.json"));
  // a file whose nodes are not the grid its cells and grid_coarsening give (an edited factor)
  {
    std::ofstream m(dir + "/reduced_model.json");
    m << "{\"kind\": \"reduced_oxide_model\", \"device_file\": \""
      << otj::test_support::source_path("drivers/paper_device/writes.prm")
      << "\", \"cells\": 8, \"read_voltage_V\": 0.1, \"grid_coarsening\": {\"from_m\": 0, \"to_m\": 2.1e-9, "
         "\"factor\": 2, \"ramp_m\": 1e-10}, \"nodes_m\": [0, 0.35e-9, 0.7e-9, 1.05e-9, 1.4e-9, 1.75e-9, 2.1e-9, 2.45e-9, 2.8e-9], "
         "\"pristine_densities_m3\": [1, 1, 1, 1, 1, 1, 1, 1, 1]}\n";
  }
  try
    {
      ProtocolsExperiment(dir + "/protocols.prm").run(true);
      FAIL() << "no error";
    }
  catch (const InputError &e)
    {
      const std::string what = e.what();
      EXPECT_NE(what.find(dir + "/reduced_model.json"), std::string::npos) << what;
      EXPECT_NE(what.find("nodes_m"), std::string::npos) << what;
    }
  EXPECT_FALSE(std::filesystem::exists(dir + "/out/protocols.json"));
  std::filesystem::remove_all(dir);
}

// The grid: uniform cells with the nodes nearest to the linear landscape's kinks (each layer
// boundary -+ a/2) moved onto them, so that no edge holds a kink; the control volumes tile the
// oxide; the smoothstep landscape (no kinks) keeps the uniform grid.
TEST(ReducedOxide, GridHasANodeOnEveryKinkOfTheLandscape)
{
  auto        p = paper_parameters();
  const auto &d = p.device;
  const double a = d.vacancy_transition_width(), L = d.film_thickness();
  for (const unsigned cells : {56u, 112u, 224u})
    {
      const ReducedOxideModel m(d, cells, p.time, p.newton);
      const auto             &x = m.nodes();
      double                  top = 0, vol = 0;
      for (double v : m.volumes())
        vol += v;
      EXPECT_NEAR(vol / L, 1.0, 1e-12) << cells;
      unsigned kinks = 0;
      for (std::size_t k = 0; k + 1 < d.layers.size(); ++k)
        {
          top += d.layers[k].thickness;
          for (const double kink : {top - 0.5 * a, top + 0.5 * a})
            if (kink > 0 && kink < L)
              {
                ++kinks;
                const double nearest = *std::min_element(x.begin(), x.end(), [&](double u, double v) {
                  return std::abs(u - kink) < std::abs(v - kink);
                });
                EXPECT_NEAR(nearest, kink, 1e-15) << cells << " cells, kink at " << kink;
              }
        }
      EXPECT_EQ(kinks, 3u); // 2.4 nm -+ a/2 and 2.8 nm - a/2 on the paper's device
      for (std::size_t i = 0; i + 1 < x.size(); ++i)
        {
          EXPECT_GE(x[i + 1] - x[i], 0.5 * L / cells - 1e-18) << i;
          EXPECT_LE(x[i + 1] - x[i], 1.5 * L / cells + 1e-18) << i;
        }
    }
  p.device.smooth_vacancy_transition = true;
  const ReducedOxideModel s(p.device, 112, p.time, p.newton);
  for (std::size_t i = 0; i < s.nodes().size(); ++i)
    EXPECT_NEAR(s.nodes()[i], i * L / 112, 1e-18) << i;
}
