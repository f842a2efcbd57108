// Tests of the figure-of-merit tools: the threshold search on models with a
// known threshold, the exponential relaxation fit on synthetic data, the
// energy integral on an analytic waveform, and the pulse lab's restart from a
// stored state (the same state as a fresh equilibrium solve).
#include "analysis/exponential_fit.h"
#include "analysis/threshold_search.h"
#include "circuit/external_circuit.h"
#include "merits/pulse_lab.h"
#include "test_helpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace otj;

TEST(ThresholdSearch, FindsTheThresholdOfAnExponentialResponse)
{
  // response 0.1 exp((V - 1.3) / 0.05): reaches the criterion 0.1 at 1.3 V
  const auto model = [](double V) -> std::optional<double> { return 0.1 * std::exp((V - 1.3) / 0.05); };
  for (double start : {0.3, 1.3, 4.0})
    {
      ThresholdSearchOptions o;
      o.start = start;
      const auto r = find_threshold(model, 0.1, o);
      ASSERT_TRUE(r.bracketed) << "start " << start;
      EXPECT_TRUE(r.converged);
      EXPECT_NEAR(r.threshold, 1.3, 0.01 * 1.3) << "start " << start;
      EXPECT_LE(r.evaluations, 15u);
    }
}

TEST(ThresholdSearch, BracketsAStepAndWorksAroundFailures)
{
  // a step response (no slope information) with failing evaluations above 3 V
  const double Vt    = 2.345;
  const auto   model = [&](double V) -> std::optional<double> {
    if (V > 3.0)
      return std::nullopt;
    return V >= Vt ? 1.0 : 1e-3;
  };
  ThresholdSearchOptions o;
  o.start              = 1.0;
  o.growth             = 2.0; // the first step up (4 V) fails
  o.relative_tolerance = 0.005;
  o.max_evaluations    = 40;
  const auto r = find_threshold(model, 0.1, o);
  ASSERT_TRUE(r.bracketed);
  EXPECT_TRUE(r.converged);
  EXPECT_GT(r.failures, 0u);
  EXPECT_LE(r.below, Vt);
  EXPECT_GE(r.above, Vt);
  EXPECT_NEAR(r.threshold, Vt, 0.006 * Vt);
  // no response up to the upper limit: not bracketed
  ThresholdSearchOptions o2;
  o2.upper     = 2.0;
  const auto r2 = find_threshold(model, 0.1, o2);
  EXPECT_FALSE(r2.bracketed);
}

TEST(ExponentialFit, RecoversASingleTimeConstantFromNoisyData)
{
  std::mt19937                     rng(7);
  std::normal_distribution<double> noise(0.0, 0.002);
  std::vector<double>              t, y;
  for (int k = 0; k < 60; ++k)
    {
      t.push_back(1e-9 * std::pow(1e6, k / 59.0)); // 1 ns .. 1 ms, log-spaced as the EPSC reads
      y.push_back(2.0 + 1.0 * std::exp(-t.back() / 3.3e-6) + noise(rng));
    }
  const auto f = fit_exponential_decay(t, y);
  EXPECT_EQ(f.terms, 1u);
  EXPECT_NEAR(f.taus[0] / 3.3e-6, 1.0, 0.02);
  EXPECT_NEAR(f.amplitudes[0], 1.0, 0.02);
  EXPECT_NEAR(f.offset, 2.0, 0.01);
  EXPECT_LT(f.relative_rms, 0.005);
}

// An STDP branch sampled at dt = -8 .. -1 us is fitted in |dt|, so its times arrive in
// decreasing order: the fit must not depend on the order of the points (it once took the
// smallest time step from consecutive increasing points only, found none and returned NaN).
TEST(ExponentialFit, DoesNotDependOnTheOrderOfThePoints)
{
  const std::vector<double> up{1e-6, 1.5e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6, 8e-6};
  std::vector<double>       y_up, down(up.rbegin(), up.rend()), y_down;
  for (double t : up)
    y_up.push_back(-60.0 * std::exp(-t / 2.2e-6) - 4.0);
  for (double t : down)
    y_down.push_back(-60.0 * std::exp(-t / 2.2e-6) - 4.0);
  ExponentialFitOptions one;
  one.max_terms = 1;
  const auto a = fit_exponential_decay(up, y_up, one), b = fit_exponential_decay(down, y_down, one);
  ASSERT_EQ(b.terms, 1u);
  EXPECT_NEAR(b.taus[0] / 2.2e-6, 1.0, 1e-3);
  EXPECT_NEAR(b.amplitudes[0], -60.0, 0.06);
  EXPECT_NEAR(b.offset, -4.0, 0.01);
  EXPECT_NEAR(b.taus[0] / a.taus[0], 1.0, 1e-9);
}

TEST(ExponentialFit, KeepsTwoTermsOnlyWhenTheDataDemandIt)
{
  std::vector<double> t, y;
  for (int k = 0; k < 80; ++k)
    {
      t.push_back(1e-9 * std::pow(1e6, k / 79.0));
      y.push_back(0.5 + 1.0 * std::exp(-t.back() / 2e-7) + 0.6 * std::exp(-t.back() / 5e-5));
    }
  const auto f = fit_exponential_decay(t, y);
  ASSERT_EQ(f.terms, 2u);
  EXPECT_NEAR(f.taus[0] / 2e-7, 1.0, 0.05);
  EXPECT_NEAR(f.taus[1] / 5e-5, 1.0, 0.05);
  EXPECT_NEAR(f.amplitudes[0], 1.0, 0.03);
  EXPECT_NEAR(f.amplitudes[1], 0.6, 0.03);
  EXPECT_GT(f.single_relative_rms, 0.01); // one exponential cannot describe it
  // the same call with one term allowed gives the worse single fit
  ExponentialFitOptions one;
  one.max_terms = 1;
  EXPECT_EQ(fit_exponential_decay(t, y, one).terms, 1u);
  EXPECT_THROW(fit_exponential_decay({1, 2, 3}, {1, 2, 3}), std::invalid_argument);
}

// Energy delivered to an RC load by V = V0 sin(w t) over a quarter period
// (to the voltage maximum): Int V I dt = V0^2 T / (8 R) + C V0^2 / 2. The
// running trapezoid of the simulation (EnergyAccount) must converge to it at
// second order (a full period would be integrated exactly by the trapezoid).
TEST(EnergyIntegral, SinusoidOnAnRcLoadConvergesAtSecondOrder)
{
  const double V0 = 1.5, R = 2e3, C = 1e-10, T = 1e-6, w = 2 * constants::pi / T;
  const double exact = V0 * V0 * T / (8 * R) + 0.5 * C * V0 * V0;
  auto energy = [&](unsigned n) {
    EnergyAccount e;
    const double  dt = 0.25 * T / n;
    auto          V  = [&](double t) { return V0 * std::sin(w * t); };
    auto          I  = [&](double t) { return V(t) / R + C * V0 * w * std::cos(w * t); };
    for (unsigned k = 0; k < n; ++k)
      e.add(dt, V(k * dt), V(k * dt), I(k * dt), V((k + 1) * dt), V((k + 1) * dt), I((k + 1) * dt));
    return e.junction;
  };
  const double e1 = std::abs(energy(50) - exact), e2 = std::abs(energy(100) - exact);
  EXPECT_LT(std::abs(energy(400) / exact - 1), 1e-3);
  EXPECT_NEAR(std::log2(e1 / e2), 2.0, 0.1);
  // a ramp 0 -> V1 over tau into the same load: C V1^2 / 2 + V1^2 tau / (3 R)
  const double V1 = 2.0, tau = 5e-7;
  EnergyAccount ramp;
  const unsigned n = 2000;
  for (unsigned k = 0; k < n; ++k)
    {
      const double a = V1 * k / n, b = V1 * (k + 1) / n, Ic = C * V1 / tau;
      ramp.add(tau / n, a, a, Ic + a / R, b, b, Ic + b / R);
    }
  EXPECT_NEAR(ramp.junction / (0.5 * C * V1 * V1 + V1 * V1 * tau / (3 * R)), 1.0, 1e-5);
}

// The pulse lab reuses stored states: a restart from the equilibrium must
// reproduce the read of a fresh equilibrium solve, and a pulse of zero
// amplitude must leave no change against its no-pulse reference.
TEST(PulseLab, RestartFromAStoredStateIsExact)
{
  auto p = test_support::paper_parameters();
  p.output.write_vtu = p.output.write_profiles = false;
  p.experiment.output_times = {};
  p.experiment.waveform = PiecewiseLinearWaveform::parse("0 0; 1 0", "test");
  TransientSimulation fresh(p, true);
  fresh.solve_initial_state();
  const double R_fresh = fresh.read(fresh.state(), 0.1).resistance;
  // the compartment counts of the compact model's states add up to the inventory
  const auto  &sys = fresh.system();
  const double N   = sys.total_vacancies(fresh.state());
  EXPECT_NEAR(sys.vacancies_between(fresh.state(), -1.0, 1.0) / N, 1.0, 1e-12);
  EXPECT_NEAR((sys.vacancies_between(fresh.state(), -1.0, 1e-9) + sys.vacancies_between(fresh.state(), 1e-9, 1.0)) / N,
              1.0, 1e-12);

  PulseLab lab(p);
  const auto &s0 = lab.pristine();
  EXPECT_NEAR(lab.read(s0).resistance / R_fresh, 1.0, 1e-10);
  const auto zero = lab.pulse(s0, PulseSpec{0.0, 2e-8, 1e-9, 1e-6});
  EXPECT_NEAR(zero.relative_change, 0.0, 1e-6);
  EXPECT_NEAR(zero.energy_junction, 0.0, 1e-30);
  // a sub-threshold pulse charges and discharges the junction: its energy is positive
  const auto small = lab.pulse(s0, PulseSpec{0.5, 2e-8, 1e-9, 1e-6});
  EXPECT_GT(small.energy_junction, 0.0);
  EXPECT_GE(small.energy_source, small.energy_junction * (1 - 1e-9));
  EXPECT_NEAR(small.peak_junction_voltage, 0.5, 0.01); // ideal source of the paper device
}

// The compact model's exponential integrator on a stiff linear case with an
// analytic solution: k_in = k_trap = 0, so w = w0 exp(-k_d t) and
// v = v0 exp(-k_o t) + k_d w0 (exp(-k_d t) - exp(-k_o t)) / (k_o - k_d),
// with k_o = 1e9 1/s (the volatile drain) and k_d = 10 1/s over 1 s: an
// explicit method would need ~1e9 steps.
#include "compact/compact_model.h"

TEST(CompactModel, ExponentialIntegratorMatchesTheStiffAnalyticSolution)
{
  CompactModelParameters p;
  const double           ko = 1e9, kd = 10;
  p.rate_voltages    = {-1, 1};
  p.film_cells       = 1;
  p.rates            = {{0, ko, 0, kd}, {0, ko, 0, kd}};
  p.current_voltages = {-1, 1};
  p.s_nodes          = {0, 1};
  p.current          = {{-1e-9, -1e-6}, {1e-9, 1e-6}};
  const CompactModel m(p);
  const auto wf = PiecewiseLinearWaveform::parse("0 0; 1 0", "test");
  std::vector<double> times{1e-9, 1e-6, 1e-3, 0.1, 1.0};
  unsigned steps = 0;
  const auto out = m.integrate(wf, CompactState{0.8, {0.1}, 0.0, {}}, times, 1e-6, &steps);
  ASSERT_EQ(out.size(), times.size());
  for (const auto &s : out)
    {
      const double w = 0.8 * std::exp(-kd * s.t);
      const double v = 0.1 * std::exp(-ko * s.t) + kd * 0.8 * (std::exp(-kd * s.t) - std::exp(-ko * s.t)) / (ko - kd);
      EXPECT_NEAR(s.state.w / w, 1.0, 1e-6) << "t = " << s.t;
      EXPECT_NEAR(s.state.v[0] / v, 1.0, 1e-4) << "t = " << s.t;
    }
  EXPECT_LT(steps, 200u);
  // the current table interpolates asinh(I / 1e-15 A) bilinearly: at s = 0.5 and V = 1 the geometric-like mean
  const double I = m.current(1.0, CompactState{0.5, {0.0}, 0.0, {}});
  EXPECT_NEAR(std::asinh(I / 1e-15), 0.5 * (std::asinh(1e-9 / 1e-15) + std::asinh(1e-6 / 1e-15)), 1e-9);
  // a table with a negative rate is refused
  p.rates[0][1] = -1;
  EXPECT_THROW(CompactModel bad(p), std::invalid_argument);
}
