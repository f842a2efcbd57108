// Tests of the synaptic-protocol machinery (postprocess/protocols/): the
// superposition of pre- and post-synaptic spikes, pulse trains, the NeuroSim
// nonlinearity fit, the PPF decay against the analytic relaxation rate of a
// one-slab compact model, and the energy integral against the analytic
// integral of V^2 / R over a trapezoidal pulse.
#include "protocols/synaptic_protocols.h"
#include "compact/extraction.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace otj;

namespace
{
  /// A one-slab compact model with analytic behaviour: the film slab v fills
  /// from the Pt layer with k+ = k0 * 100^V (1/s, log-linear in V between the
  /// nodes 0 and 1 V) and drains with k- = 1e6 1/s; the interface link is off
  /// (w stays 0); I(V, s) = V * g0 * exp(2 s), exact under the model's
  /// interpolation at the V nodes (asinh(I / 1e-15 A) = ln(2 I / 1e-15 A) to 1e-10).
  CompactModelParameters one_slab(double k0, double g0)
  {
    CompactModelParameters p;
    p.rate_voltages = {0.0, 1.0};
    p.film_cells    = 1;
    p.rates         = {{k0, 1e6, 0, 0}, {k0 * 100, 1e6, 0, 0}};
    p.kappa         = 1.0;
    p.read_voltage  = 0.1;
    for (int i = 0; i <= 120; ++i)
      p.current_voltages.push_back(0.01 * i);
    p.s_nodes = {0, 0.25, 0.5, 0.75, 1.0};
    for (double V : p.current_voltages)
      {
        std::vector<double> row;
        for (double s : p.s_nodes)
          row.push_back(V * g0 * std::exp(2 * s));
        p.current.push_back(row);
      }
    return p;
  }

  /// one_slab's table with two film slabs, both read (kappa 1), and the rates k (k0+, k0-,
  /// k1+, k1-, k2+, k2-: Pt-side link, film link, interface link) at both rate voltages.
  CompactModelParameters two_slabs(const std::vector<double> &k)
  {
    CompactModelParameters p = one_slab(1.0, 1e-9);
    p.film_cells             = 2;
    p.rates                  = {k, k};
    p.cell_kappa             = {1.0, 1.0};
    return p;
  }

  /// Classical RK4 of the model's derivative() at constant V over T in n steps (w and the
  /// film slabs, and w_d with the depth state): an integration independent of the
  /// exponential step, for reference.
  CompactState rk4_reference(const CompactModel &m, double V, CompactState s, double T, int n)
  {
    auto add = [](const CompactState &x, const CompactState &d, double h) {
      CompactState r = x;
      r.w += h * d.w;
      r.w_deep += h * d.w_deep;
      for (std::size_t i = 0; i < r.v.size(); ++i)
        r.v[i] += h * d.v[i];
      return r;
    };
    const double h = T / n;
    for (int i = 0; i < n; ++i)
      {
        const auto k1 = m.derivative(V, s), k2 = m.derivative(V, add(s, k1, h / 2)),
                   k3 = m.derivative(V, add(s, k2, h / 2)), k4 = m.derivative(V, add(s, k3, h));
        s.w += h / 6 * (k1.w + 2 * k2.w + 2 * k3.w + k4.w);
        s.w_deep += h / 6 * (k1.w_deep + 2 * k2.w_deep + 2 * k3.w_deep + k4.w_deep);
        for (std::size_t c = 0; c < s.v.size(); ++c)
          s.v[c] += h / 6 * (k1.v[c] + 2 * k2.v[c] + 2 * k3.v[c] + k4.v[c]);
      }
    return s;
  }
} // namespace

TEST(Protocols, SuperposedSpikesAreThePreMinusTheDelayedPost)
{
  NeuronSpike pre, post;
  pre.edge = post.edge = 1e-9;
  pre.segments         = {{-3e-6, -0.5, 1e-7}, {0.0, 0.8, 1e-6}};
  post.segments        = {{-1e-6, -1.0, 1e-7}, {0.0, 0.8, 1e-6}};
  const double t_pre = 5e-6, dt = 1.5e-6;
  const auto   V     = superpose(pre.corners(t_pre), 1.0, post.corners(t_pre + dt), -1.0, 0.0, 1e-5);
  // independent evaluation of each spike at a time t (trapezoids)
  auto spike = [](const NeuronSpike &s, double t) {
    for (const auto &g : s.segments)
      {
        const double a = g.offset, e = s.edge;
        if (t > a && t < a + e)
          return g.amplitude * (t - a) / e;
        if (t >= a + e && t <= a + e + g.width)
          return g.amplitude;
        if (t > a + e + g.width && t < a + 2 * e + g.width)
          return g.amplitude * (a + 2 * e + g.width - t) / e;
      }
    return 0.0;
  };
  for (double t = 0; t <= 1e-5; t += 0.37e-8)
    ASSERT_NEAR(V.value(t), spike(pre, t - t_pre) - spike(post, t - t_pre - dt), 1e-12) << "t = " << t;
  // the pre's positive pulse meets the post's last negative pulse: 0.8 + 1.0 V
  EXPECT_NEAR(V.value(t_pre + dt - 1e-6 + 5e-8), 1.8, 1e-12);
  NeuronSpike bad = pre;
  bad.segments[1].offset = -3e-6 + 5e-8; // overlaps the first segment
  EXPECT_THROW(bad.check(), std::invalid_argument);
}

TEST(Protocols, PulseTrainCornersAndOverlapRefused)
{
  SpikeTrain t(0.1, 1e-9);
  t.add_train(0.0, 0.6, 5e-8, 2e-7, 3);
  EXPECT_DOUBLE_EQ(t.top_end(2), 4e-7 + 1e-9 + 5e-8);
  const auto w = t.waveform(0.0, 1e-6);
  EXPECT_DOUBLE_EQ(w.value(2e-7 + 2e-8), 0.6);
  EXPECT_DOUBLE_EQ(w.value(1.5e-7), 0.1);
  EXPECT_NEAR(w.value(2e-7 + 0.5e-9), 0.35, 1e-12); // half-way up the edge
  EXPECT_THROW(t.add(4.2e-7, 1.0, 5e-8), std::invalid_argument);
}

TEST(Protocols, NeuroSimFitRecoversKnownNonlinearity)
{
  for (double A : {4.0, 25.0, -8.0})
    for (bool ltp : {true, false})
      {
        NonlinearityFit truth;
        truth.A     = A;
        truth.g_min = 1e-6;
        truth.g_max = 1e-5;
        std::vector<double> g;
        for (int k = 0; k <= 20; ++k)
          g.push_back(ltp ? truth.evaluate_ltp(k, 20) : truth.evaluate_ltd(k, 20));
        const NonlinearityFit f = fit_neurosim_nonlinearity(g, ltp);
        EXPECT_NEAR(f.A / A, 1.0, 1e-4) << "A = " << A << (ltp ? " LTP" : " LTD");
        EXPECT_LT(f.rms, 1e-12);
      }
}

TEST(Protocols, PairedPulseFacilitationDecaysWithTheBaselineDrainRate)
{
  // PPF = exp(2 (s2 - s1)) - 1 and s2 - s1 is proportional to
  // exp(-r_b dt), r_b = k+(0.1 V) + k- the baseline drain rate, because the
  // slab equation is linear: ln(ln(1 + PPF) / 2) falls with slope -r_b in dt.
  const CompactModel model(one_slab(1e5, 1e-9));
  ProtocolSettings   set;
  set.rtol = 1e-8;
  SynapseProbe probe(model, set);
  const std::vector<double> dts{1e-6, 1.5e-6, 2e-6, 2.5e-6, 3e-6};
  const FacilitationResult  r   = paired_pulse_facilitation(probe, 0.6, 5e-8, dts, 10);
  const double              r_b = 1e5 * std::pow(100.0, 0.1) + 1e6;
  for (std::size_t k = 1; k < dts.size(); ++k)
    {
      const double y0 = std::log(std::log(1 + r.ppf[k - 1] / 100) / 2), y1 = std::log(std::log(1 + r.ppf[k] / 100) / 2);
      EXPECT_NEAR(-(y1 - y0) / (dts[k] - dts[k - 1]) / r_b, 1.0, 0.01) << "dt = " << dts[k];
    }
  EXPECT_GT(r.ppf.front(), 0.0);
  EXPECT_GT(r.ptp.front(), r.ppf.front()); // ten pulses build up more than two
  // the decay is exponential: the fit has a value and no reason against it
  EXPECT_TRUE(std::isfinite(r.ppf_tau)) << r.ppf_why;
  EXPECT_TRUE(r.ppf_why.empty());
  // three intervals are too few for a fit: no value, and the reason says why
  const FacilitationResult r3 = paired_pulse_facilitation(probe, 0.6, 5e-8, {1e-6, 2e-6, 3e-6}, 10);
  EXPECT_FALSE(std::isfinite(r3.ppf_tau));
  EXPECT_NE(r3.ppf_why.find("fewer than 4 points"), std::string::npos) << r3.ppf_why;
}

TEST(Protocols, LtpLtdCopiesCyclesOnlyOnceTheyArePeriodic)
{
  // one slab that fills at k+ = 1e5 * 100^V and drains at 1e5 1/s: a reset branch of 20 us
  // leaves e^-2 of the slab, so cycle 2 starts elsewhere than cycle 1 and the start converges
  // geometrically (a linear map). Copying the periodic cycles must reproduce every read of the
  // run that integrates all of them.
  CompactModelParameters p = one_slab(1e5, 1e-9);
  for (auto &k : p.rates)
    k[1] = 1e5;
  const CompactModel model(p);
  ProtocolSettings   set;
  set.rtol = 1e-8;
  SynapseProbe       all(model, set), periodic(model, set);
  const unsigned int cycles = 25;
  const LtpLtdResult a      = ltp_ltd(all, 1.0, -1.0, 5e-8, 1e-6, 20, cycles, 0.0);
  const LtpLtdResult b      = ltp_ltd(periodic, 1.0, -1.0, 5e-8, 1e-6, 20, cycles, 1e-6);
  EXPECT_EQ(a.computed_cycles, cycles);
  EXPECT_GE(b.computed_cycles, 3u);
  EXPECT_LT(b.computed_cycles, cycles / 2);
  EXPECT_LT(b.periodic_change, 1e-6);
  ASSERT_EQ(b.ltp.size(), cycles);
  // cycle 2 differs from cycle 1 (which starts from the rest state) by much more than the tolerance
  EXPECT_GT(std::abs(a.ltp[1][0] / a.ltp[0][0] - 1), 1e-3);
  for (unsigned int c = 0; c < cycles; ++c)
    for (unsigned int k = 0; k <= 20; ++k)
      {
        ASSERT_NEAR(b.ltp[c][k] / a.ltp[c][k], 1.0, 1e-5) << "cycle " << c + 1 << " LTP read " << k;
        ASSERT_NEAR(b.ltd[c][k] / a.ltd[c][k], 1.0, 1e-5) << "cycle " << c + 1 << " LTD read " << k;
      }
  EXPECT_NEAR(b.g_max / a.g_max, 1.0, 1e-6);
  EXPECT_NEAR(b.g_min / a.g_min, 1.0, 1e-6);
  EXPECT_LT(periodic.steps(), all.steps() / 2);
}

TEST(Protocols, ParallelRunsEqualTheSerialOnesAndReportTheirErrors)
{
  const CompactModel model(one_slab(1e5, 1e-9));
  ProtocolSettings   set;
  set.rtol = 1e-8;
  std::vector<double> serial(7), parallel(7);
  auto run = [&](unsigned int threads, std::vector<double> &out) {
    set.threads = threads;
    SynapseProbe probe(model, set);
    const CompactState rest = probe.rest_state();
    const unsigned long before = probe.steps();
    probe.for_each(out.size(), [&](std::size_t k, SynapseProbe &p) {
      out[k] = p.conductance(p.hold(rest, 0.2 + 0.1 * k, 1e-7 * (k + 1)));
    });
    return probe.steps() - before;
  };
  const unsigned long n1 = run(1, serial), n2 = run(2, parallel);
  EXPECT_EQ(n1, n2); // every worker's steps are counted once
  EXPECT_GT(n1, 7u);
  for (std::size_t k = 0; k < serial.size(); ++k)
    {
      EXPECT_EQ(serial[k], parallel[k]) << k;
      if (k > 0)
        {
          EXPECT_GT(serial[k], serial[k - 1]); // longer and higher holds fill the slab more
        }
    }
  set.threads = 2;
  SynapseProbe probe(model, set);
  EXPECT_EQ(probe.threads_for(5), 2u);
  EXPECT_EQ(probe.threads_for(1), 1u);
  EXPECT_THROW(probe.for_each(6, [](std::size_t k, SynapseProbe &) {
    if (k == 3)
      throw std::runtime_error("index 3");
  }),
               std::runtime_error);
}

TEST(Protocols, EnergyPerSpikeIsTheIntegralOfVSquaredOverR)
{
  // the interface and the slab stay empty (k0 = 0): I = V g0, E = g0 * int V^2 dt
  // = g0 A^2 (T + 2 e / 3) for a trapezoid of flat top T and edges e
  const double       g0 = 2e-9;
  const CompactModel model(one_slab(0.0, g0));
  SynapseProbe       probe(model, ProtocolSettings{});
  const auto         pts = energy_per_spike(probe, {0.5, 1.0}, 2e-8, 0.1);
  for (const auto &p : pts)
    {
      const double exact = g0 * p.amplitude * p.amplitude * (2e-8 + 2e-9 / 3);
      EXPECT_NEAR(p.energy / exact, 1.0, 2e-3) << p.amplitude << " V";
      EXPECT_FALSE(p.long_term);
    }
}

TEST(Protocols, ArrayLettersHaveThePaperShapes)
{
  auto count = [](const std::array<std::array<bool, 5>, 5> &m) {
    int n = 0;
    for (const auto &r : m)
      for (bool b : r)
        n += b;
    return n;
  };
  EXPECT_EQ(count(letter_mask('C')), 9);
  EXPECT_EQ(count(letter_mask('H')), 13);
  EXPECT_EQ(count(letter_mask('N')), 13);
  EXPECT_TRUE(letter_mask('H')[2][2]);  // the bar of the H
  EXPECT_FALSE(letter_mask('C')[2][4]); // the opening of the C
  EXPECT_THROW(letter_mask('Q'), std::invalid_argument);
}

// The interface link with its Frumkin couplings against closed forms.
// Release only (k_1- = k, the film slab drains to nothing that returns):
// dw/dt = -k w exp(g w), so E1(g w(t)) - E1(g w0) = k t (E1 the exponential
// integral, d E1(x)/dx = -exp(-x) / x): the logarithmic (Elovich) decay.
TEST(CompactModel, FrumkinReleaseFollowsTheExponentialIntegral)
{
  CompactModelParameters p = one_slab(1.0, 1e-9);
  const double           k = 1.0, g = 20.0, w0 = 0.9;
  p.rates                  = {{0, 0, 0, k}, {0, 0, 0, k}};
  p.capture_coupling       = {0, 0};
  p.release_coupling       = {g, g};
  const CompactModel   m(p);
  auto                 E1 = [](double x) { return -std::expint(-x); };
  std::vector<double>  times;
  for (double t = 1e-7; t < 0.5; t *= 10) // k t exp(g w) >> 1 until g w ~ 1 near t = 0.2 s
    times.push_back(t);
  unsigned   steps = 0;
  CompactState s0;
  s0.w = w0, s0.v = {0.0};
  const auto out = m.integrate(PiecewiseLinearWaveform({{0, 0.0}, {10, 0.0}}), s0, times, 1e-7, &steps);
  ASSERT_EQ(out.size(), times.size());
  for (std::size_t q = 0; q < times.size(); ++q)
    {
      // w(t) by bisection on E1(g w) = E1(g w0) + k t (E1 decreasing)
      const double target = E1(g * w0) + k * times[q];
      double       a = 1e-12, b = w0;
      for (int it = 0; it < 200; ++it)
        (E1(g * 0.5 * (a + b)) > target ? a : b) = 0.5 * (a + b);
      EXPECT_NEAR(out[q].state.w / (0.5 * (a + b)), 1.0, 1e-4) << "t = " << times[q];
      EXPECT_NEAR(out[q].state.w + out[q].state.v[0], w0, 1e-9); // the inventory is conserved
    }
  // the decay is logarithmic in time: w loses about 1/g per e-fold of time once k t exp(g w) >> 1
  EXPECT_GT(out[1].state.w - out[4].state.w, 0.8 * 3 * std::log(10.0) / g);
  EXPECT_LT(out[1].state.w - out[4].state.w, 1.2 * 3 * std::log(10.0) / g);
}

// Capture with repulsion behind a stiff supply: the Pt layer and the slab
// exchange at 1e12 1/s (so v = (1 - w) / 2 to 1e-6), the slab feeds the
// interface at k exp(-g w): dw/dt = k (1 - w) exp(-g w) / 2, whose solution is
// exp(g) [E1(g (1 - w)) - E1(g)] = k t / 2; the exponential Rosenbrock step
// follows it with steps far longer than the 1 ps exchange time.
TEST(CompactModel, FrumkinCaptureBehindAStiffSupplyFollowsTheClosedForm)
{
  CompactModelParameters p = one_slab(1.0, 1e-9);
  const double           k = 1e6, g = 10.0;
  p.rates                  = {{1e12, 1e12, k, 0}, {1e12, 1e12, k, 0}};
  p.capture_coupling       = {g, g};
  p.release_coupling       = {0.0, 0.0};
  const CompactModel m(p);
  auto               E1 = [](double x) { return -std::expint(-x); };
  CompactState       s0;
  s0.w = 0, s0.v = {0.5};
  std::vector<double> times;
  for (double t = 1e-7; t < 2e-2; t *= 10)
    times.push_back(t);
  unsigned   steps = 0;
  const auto out   = m.integrate(PiecewiseLinearWaveform({{0, 0.0}, {1e-1, 0.0}}), s0, times, 1e-7, &steps);
  ASSERT_EQ(out.size(), times.size());
  EXPECT_LT(steps, 100000u); // an explicit method would need ~1e11 steps of < 1 ps over the 0.1 s
  for (std::size_t q = 0; q < times.size(); ++q)
    {
      // w(t) by bisection on exp(g) (E1(g (1 - w)) - E1(g)) = k t / 2 (increasing in w)
      const double target = 0.5 * k * times[q];
      double       a = 0, b = 1 - 1e-12;
      for (int it = 0; it < 200; ++it)
        (std::exp(g) * (E1(g * (1 - 0.5 * (a + b))) - E1(g)) < target ? a : b) = 0.5 * (a + b);
      EXPECT_NEAR(out[q].state.w / (0.5 * (a + b)), 1.0, 1e-4) << "t = " << times[q];
      EXPECT_NEAR(out[q].state.v[0], 0.5 * (1 - out[q].state.w), 1e-5);
    }
}

// The read state s = w + sum kappa_i v_i with per-slab weights, and the JSON
// round trip of the interface couplings and the weights; a coupling list of
// the wrong length is refused.
TEST(CompactModel, PerSlabWeightsAndCouplingsSurviveTheJsonRoundTrip)
{
  CompactModelParameters p = one_slab(1.0, 1e-9);
  p.cell_kappa             = {2.5};
  p.capture_coupling       = {3.0, 4.0};
  p.release_coupling       = {5.0, 6.0};
  const CompactModel m(CompactModelParameters::from_json(p.to_json(), "round trip"));
  CompactState       s;
  s.w = 0.1, s.v = {0.2};
  // I = V g0 exp(2 s) with s = 0.1 + 2.5 * 0.2 = 0.6, at a V node (0.5 V)
  EXPECT_NEAR(m.current(0.5, s) / (0.5 * 1e-9 * std::exp(2 * 0.6)), 1.0, 1e-6);
  const auto g = m.couplings(0.25); // linear between the V nodes 0 and 1
  EXPECT_NEAR(g.first, 3.25, 1e-12);
  EXPECT_NEAR(g.second, 5.25, 1e-12);
  p.capture_coupling = {3.0};
  EXPECT_THROW(CompactModel{p}, std::invalid_argument);
}

// A hidden cell (released from the Pt interface, not yet in the film) sits in
// the chain but is neither read nor counted in the film population: with
// p -> h -> v at rates k_a, k_b the populations follow Bateman's solution
// (Bateman, Proc. Cambridge Phil. Soc. 15, 423 (1910)), the read current
// ignores h, and the JSON round trip keeps the number of hidden cells.
TEST(CompactModel, HiddenCellIsChainedButNotRead)
{
  const double           ka = 2e6, kb = 5e6, g0 = 1e-9;
  CompactModelParameters p  = one_slab(1.0, g0);
  p.film_cells              = 2;
  p.hidden_cells            = 1;
  p.rates                   = {{ka, 0, kb, 0, 0, 0}, {ka, 0, kb, 0, 0, 0}};
  const CompactModel m(CompactModelParameters::from_json(p.to_json(), "round trip"));
  EXPECT_EQ(m.parameters().hidden_cells, 1u);

  CompactState a, b;
  a.w = b.w = 0.1;
  a.v = {0.3, 0.2}, b.v = {0.0, 0.2};
  EXPECT_DOUBLE_EQ(m.current(0.5, a), m.current(0.5, b));
  EXPECT_NEAR(m.current(0.5, a) / (0.5 * g0 * std::exp(2 * (0.1 + 0.2))), 1.0, 1e-6);
  EXPECT_DOUBLE_EQ(m.film_share(a), 0.2);

  CompactState s0;
  s0.v = {0.0, 0.0};
  const std::vector<double> times{1e-7, 3e-7, 1e-6};
  const auto out = m.integrate(PiecewiseLinearWaveform({{0.0, 0.0}, {2e-6, 0.0}}), s0, times, 1e-7);
  ASSERT_EQ(out.size(), times.size());
  for (std::size_t q = 0; q < times.size(); ++q)
    {
      const double t = times[q], P = std::exp(-ka * t), H = ka / (kb - ka) * (std::exp(-ka * t) - std::exp(-kb * t));
      EXPECT_NEAR(out[q].state.v[0], H, 1e-5);
      EXPECT_NEAR(out[q].state.v[1], 1 - P - H, 1e-5);
    }
  p.hidden_cells = 2;
  EXPECT_THROW(CompactModel{p}, std::invalid_argument);
}

// The current table's extension above the LRS: only candidates above both the
// last node and its conductance, in increasing s, kept only while G rises
// (a table that is not monotone in s would make the read ambiguous), thinned
// evenly to the requested count with the most conductive one kept.
TEST(CompactExtraction, TableExtensionIsAboveTheTopAndMonotone)
{
  const std::vector<std::pair<double, double>> c{{1.05, 3e-5}, {0.9, 5e-5}, {1.2, 2e-5}, {1.1, 4e-5},
                                                 {1.3, 3.5e-5}, {1.4, 6e-5}, {1.6, 9e-5}, {1.5, 8e-5}};
  // s_top 1.0, g_top 2.5e-5: {0.9} is below s_top, {1.2, 2e-5} below g_top; of the rest in s
  // order 1.05 (3e-5), 1.1 (4e-5), 1.3 (3.5e-5: G falls, dropped), 1.4, 1.5, 1.6
  const auto all = select_table_extension(1.0, 2.5e-5, c, 10);
  EXPECT_EQ(all, (std::vector<std::size_t>{0, 3, 5, 7, 6}));
  const auto two = select_table_extension(1.0, 2.5e-5, c, 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two.back(), 6u); // the most conductive is kept
  EXPECT_LT(c[two[0]].first, c[two[1]].first);
  EXPECT_TRUE(select_table_extension(2.0, 2.5e-5, c, 5).empty());
}

// The screened capture exp(-g w_s (1 - exp(-w / w_s))) behind the same stiff
// supply as above: dw/dt = k (1 - w) / 2 exp(-g w_s (1 - exp(-w / w_s))), so
// k t / 2 = int_0^w exp(g w_s (1 - exp(-u / w_s))) / (1 - u) du (Simpson's rule
// here); the plain Frumkin form (w_s = 0) would capture far less at large w
// (exp(-g w) against the screened floor exp(-g w_s)).
TEST(CompactExtraction, CaptureLawOfThePrefitReproducesTheFittedRate)
{
  // the pre-fit's ln k_eff(w) = a + b exp(-w / w_s), turned into k_N+ and g+, is the
  // compact model's capture rate (dw/dt) / v_N at every w (no release)
  const double a = 14.0, b = 2.5, ws = 0.2;
  const auto   law = capture_law_of_prefit(a, b, ws, 40.0);
  EXPECT_NEAR(law.g, b / ws, 1e-12);
  CompactModelParameters p = one_slab(1.0, 1e-9);
  const double           k = std::exp(law.ln_k);
  p.rates                  = {{0, 0, k, 0}, {0, 0, k, 0}};
  p.capture_coupling       = {law.g, law.g};
  p.release_coupling       = {0.0, 0.0};
  p.capture_screening      = ws;
  const CompactModel m(p);
  for (double w : {0.0, 0.05, 0.2, 0.5, 0.9})
    {
      CompactState s;
      s.w = w, s.v = {0.3};
      EXPECT_NEAR(std::log(m.derivative(0.0, s).w / 0.3), a + b * std::exp(-w / ws), 1e-9) << "w = " << w;
    }
  // a coupling beyond the cap is clamped; k_N+ follows so that the screened limit (w >> w_s),
  // ln k_eff = a, is kept
  const auto capped = capture_law_of_prefit(a, 20.0, ws, 40.0);
  EXPECT_DOUBLE_EQ(capped.g, 40.0);
  EXPECT_NEAR(capped.ln_k - capped.g * ws, a, 1e-12);
}

// The rate-smoothing prior: weight times the difference to the previous voltage's
// parameters, for the first n of them, and nothing without a weight or a previous fit.
TEST(CompactExtraction, RateSmoothingPriorIsTheWeightedDifferenceToThePreviousVoltage)
{
  const std::vector<double> x{1.0, -2.0, 3.0, 0.5, 7.0}, previous{0.0, -1.0, 3.5, 0.5};
  std::vector<double>       r{9.0};
  append_rate_smoothing_residuals(r, x, previous, 3, 0.1);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_DOUBLE_EQ(r[0], 9.0); // the trajectory residuals before it are kept
  EXPECT_NEAR(r[1], 0.1, 1e-15);
  EXPECT_NEAR(r[2], -0.1, 1e-15);
  EXPECT_NEAR(r[3], -0.05, 1e-15);
  append_rate_smoothing_residuals(r, x, previous, 10, 0.1); // limited by the previous fit's size
  EXPECT_EQ(r.size(), 8u);
  append_rate_smoothing_residuals(r, x, previous, 3, 0.0);
  append_rate_smoothing_residuals(r, x, {}, 3, 0.1);
  EXPECT_EQ(r.size(), 8u);
}

TEST(CompactModel, ScreenedCaptureFollowsItsQuadrature)
{
  CompactModelParameters p = one_slab(1.0, 1e-9);
  const double           k = 1e6, g = 10.0, ws = 0.2;
  p.rates                  = {{1e12, 1e12, k, 0}, {1e12, 1e12, k, 0}};
  p.capture_coupling       = {g, g};
  p.release_coupling       = {0.0, 0.0};
  p.capture_screening      = ws;
  const CompactModel m(CompactModelParameters::from_json(p.to_json(), "round trip"));
  auto integral = [&](double w) {
    const int n = 2000;
    auto      f = [&](double u) { return std::exp(g * ws * (1 - std::exp(-u / ws))) / (1 - u); };
    double    h = w / n, s = f(0) + f(w);
    for (int i = 1; i < n; ++i)
      s += (i % 2 ? 4 : 2) * f(i * h);
    return s * h / 3;
  };
  CompactState s0;
  s0.w = 0, s0.v = {0.5};
  const std::vector<double> times{1e-7, 1e-6, 1e-5, 1e-4, 1e-3};
  const auto out = m.integrate(PiecewiseLinearWaveform({{0, 0.0}, {1e-2, 0.0}}), s0, times, 1e-7);
  ASSERT_EQ(out.size(), times.size());
  for (std::size_t q = 0; q < times.size(); ++q)
    {
      double a = 0, b = 1 - 1e-9;
      for (int it = 0; it < 60; ++it)
        (integral(0.5 * (a + b)) < 0.5 * k * times[q] ? a : b) = 0.5 * (a + b);
      EXPECT_NEAR(out[q].state.w / (0.5 * (a + b)), 1.0, 1e-4) << "t = " << times[q];
    }
  // at w = 0.5 the capture is exp(-g w_s (1 - e^-2.5)) = exp(-1.836), not exp(-5)
  CompactState s;
  s.w = 0.5, s.v = {0.25};
  EXPECT_NEAR(m.derivative(0.0, s).w / (k * 0.25 * std::exp(-g * ws * (1 - std::exp(-0.5 / ws)))), 1.0, 1e-9);
  p.capture_screening = -0.1;
  EXPECT_THROW(CompactModel{p}, std::invalid_argument);
}

// Film coupling: with w frozen (interface link off) the slab exchanges with the
// Pt layer at a = k+ exp(-g_f w) and b = k- exp(+g_f w), so
// v(t) = a (1 - w) / (a + b) (1 - exp(-(a + b) t)); a coupling applied to one
// direction only, or with the wrong sign, misses v_eq by exp(g_f w) = 1.8 or more.
TEST(CompactModel, FilmCouplingScreensBothDirectionsOfTheFilmLinks)
{
  CompactModelParameters p = one_slab(1.0, 1e-9);
  const double           kp = 3e6, km = 1e6, gf = 2.0, w = 0.3;
  p.rates                  = {{kp, km, 0, 0}, {kp, km, 0, 0}};
  p.film_coupling          = {gf, gf};
  const CompactModel m(CompactModelParameters::from_json(p.to_json(), "round trip"));
  EXPECT_DOUBLE_EQ(m.film_coupling(0.5), gf);
  CompactState s0;
  s0.w = w, s0.v = {0.0};
  const std::vector<double> times{1e-7, 3e-7, 1e-6, 1e-5};
  const auto out = m.integrate(PiecewiseLinearWaveform({{0.0, 0.0}, {2e-5, 0.0}}), s0, times, 1e-8);
  ASSERT_EQ(out.size(), times.size());
  const double a = kp * std::exp(-gf * w), b = km * std::exp(gf * w);
  for (std::size_t q = 0; q < times.size(); ++q)
    {
      const double v = a * (1 - w) / (a + b) * (1 - std::exp(-(a + b) * times[q]));
      EXPECT_NEAR(out[q].state.v[0] / v, 1.0, 1e-6) << "t = " << times[q];
      EXPECT_DOUBLE_EQ(out[q].state.w, w);
    }
  p.film_coupling = {gf};
  EXPECT_THROW(CompactModel{p}, std::invalid_argument);
}

// The link out of the Pt-side layer with its own coupling g_0: with one slab and no capture
// (w frozen) only that link carries flux, so v(t) follows the closed form above with g_0 in
// place of g_f, and g_f does not enter; the film links still take g_f (two slabs, derivative()).
TEST(CompactModel, PtLinkCouplingReplacesTheFilmCouplingOnTheFirstLinkOnly)
{
  CompactModelParameters p = one_slab(1.0, 1e-9);
  const double           kp = 3e6, km = 1e6, gf = 2.0, g0 = 5.0, w = 0.3;
  p.rates                  = {{kp, km, 0, 0}, {kp, km, 0, 0}};
  p.film_coupling          = {gf, gf};
  p.pt_link_coupling       = {g0, g0};
  const CompactModel m(CompactModelParameters::from_json(p.to_json(), "round trip"));
  EXPECT_DOUBLE_EQ(m.pt_link_coupling(0.5), g0);
  CompactState s0;
  s0.w = w, s0.v = {0.0};
  const std::vector<double> times{1e-7, 1e-6, 1e-5};
  const auto out = m.integrate(PiecewiseLinearWaveform({{0.0, 0.0}, {2e-5, 0.0}}), s0, times, 1e-8);
  ASSERT_EQ(out.size(), times.size());
  const double a = kp * std::exp(-g0 * w), b = km * std::exp(g0 * w);
  for (std::size_t q = 0; q < times.size(); ++q)
    EXPECT_NEAR(out[q].state.v[0] / (a * (1 - w) / (a + b) * (1 - std::exp(-(a + b) * times[q]))), 1.0, 1e-6);
  // two slabs: flux_0 with g_0, flux_1 (between the slabs) with g_f
  p.film_cells       = 2;
  p.rates            = {{kp, km, 2 * kp, 2 * km, 0, 0}, {kp, km, 2 * kp, 2 * km, 0, 0}};
  p.cell_kappa       = {1.0, 1.0};
  const CompactModel m2(p);
  CompactState       s;
  s.w = w, s.v = {0.1, 0.05};
  const auto   d  = m2.derivative(0.5, s);
  const double f0 = kp * std::exp(-g0 * w) * (1 - w - 0.15) - km * std::exp(g0 * w) * 0.1;
  const double f1 = 2 * kp * std::exp(-gf * w) * 0.1 - 2 * km * std::exp(gf * w) * 0.05;
  EXPECT_NEAR(d.v[0], f0 - f1, 1e-9 * std::abs(f0));
  EXPECT_NEAR(d.v[1], f1, 1e-9 * std::abs(f1));
  p.pt_link_coupling = {g0};
  EXPECT_THROW(CompactModel{p}, std::invalid_argument);
}

// The Pt-side layer's self-interaction on link 0, k0+ p e^{g_p p} - k0- v_1 e^{-g_p p}: derivative()
// against the formula, and the exponential step (linearised in p) against RK4 while the layer
// empties into two slabs and a capturing interface (with the film and Pt link couplings on).
TEST(CompactModel, PtLayerSelfCouplingFollowsItsFormulaAndTheEquations)
{
  CompactModelParameters p = two_slabs({2e6, 3e7, 5e7, 1e7, 3e7, 1e3});
  p.film_coupling          = {1.0, 1.0};
  p.pt_link_coupling       = {3.0, 3.0};
  p.capture_coupling       = {2.0, 2.0};
  p.pt_self_coupling       = {4.0, 4.0};
  const CompactModel m(CompactModelParameters::from_json(p.to_json(), "round trip"));
  EXPECT_DOUBLE_EQ(m.pt_self_coupling(0.5), 4.0);
  CompactState s;
  s.w = 0.1, s.v = {0.05, 0.02};
  const double P  = 1 - 0.1 - 0.07;
  const double f0 = 2e6 * P * std::exp(4.0 * P - 3.0 * 0.1) - 3e7 * 0.05 * std::exp(-4.0 * P + 3.0 * 0.1);
  const double f1 = 5e7 * 0.05 * std::exp(-1.0 * 0.1) - 1e7 * 0.02 * std::exp(1.0 * 0.1);
  const auto   d  = m.derivative(0.5, s);
  EXPECT_NEAR(d.v[0], f0 - f1, 1e-9 * std::abs(f0));
  const double T   = 3e-7;
  const auto   out = m.integrate(PiecewiseLinearWaveform({{0.0, 0.5}, {T, 0.5}}), s, {T}, 1e-8);
  ASSERT_EQ(out.size(), 1u);
  const CompactState ref = rk4_reference(m, 0.5, s, T, 100000);
  EXPECT_GT(ref.w, 0.4); // the layer has emptied far enough for e^{g_p p} to change 4x
  EXPECT_NEAR(out[0].state.w / ref.w, 1.0, 1e-5);
  for (std::size_t c = 0; c < 2; ++c)
    EXPECT_NEAR(out[0].state.v[c] / ref.v[c], 1.0, 1e-5);
}

// With capture the film rates change as w grows: the exponential Rosenbrock
// step linearises the film links in w; against a classical RK4 integration of
// derivative() with 1e5 steps (an independent path through the same equations),
// two slabs, film coupling and a Frumkin capture.
TEST(CompactModel, FilmCouplingStepFollowsTheEquationsWhileWGrows)
{
  CompactModelParameters p = two_slabs({4e7, 1e7, 6e7, 2e7, 3e7, 1e3});
  p.film_coupling          = {3.0, 3.0};
  p.capture_coupling       = {2.0, 2.0};
  p.release_coupling       = {1.0, 1.0};
  const CompactModel m(p);
  CompactState       s;
  s.w = 0.05, s.v = {0.0, 0.0};
  const double T = 4e-7;
  const auto   out = m.integrate(PiecewiseLinearWaveform({{0.0, 0.5}, {T, 0.5}}), s, {T}, 1e-8);
  ASSERT_EQ(out.size(), 1u);
  s = rk4_reference(m, 0.5, s, T, 100000);
  EXPECT_GT(s.w, 0.3); // w grows far enough for the coupling to matter (exp(-3 * 0.3) = 0.4)
  EXPECT_NEAR(out[0].state.w / s.w, 1.0, 1e-5);
  for (std::size_t c = 0; c < 2; ++c)
    EXPECT_NEAR(out[0].state.v[c] / s.v[c], 1.0, 1e-5);
}

// A 16-slab chain takes the rational (1, 2)-Pade step instead of the dense exponential: during
// a drift with film coupling, Frumkin capture and the depth state, against RK4 with 1e5 steps
// of derivative(); and over a 1 s hold (steps ~1e8 times the fastest rate's inverse) to the
// detailed-balance equilibrium x_{i+1} / x_i = k+ / k- of an uncoupled chain.
TEST(CompactModel, LongChainRationalStepFollowsTheEquationsAndReachesEquilibrium)
{
  const unsigned         N = 16;
  CompactModelParameters p = one_slab(1.0, 1e-9);
  p.film_cells             = N;
  std::vector<double> k;
  for (unsigned i = 0; i < N; ++i)
    k.insert(k.end(), {4e8, 1e8});
  k.insert(k.end(), {3e8, 1e3});
  p.rates            = {k, k};
  p.film_coupling    = {2.0, 2.0};
  p.capture_coupling = {2.0, 2.0};
  p.release_coupling = {1.0, 1.0};
  p.cell_kappa.assign(N, 1.0);
  p.depth_rates    = {{5e7, 1e7}, {5e7, 1e7}};
  p.depth_coupling = {1.0, 1.0};
  const CompactModel m(p);
  CompactState       s;
  s.w = 0.02, s.w_deep = 0.01, s.v.assign(N, 0.0);
  const double T   = 2e-7;
  unsigned     steps = 0;
  const auto   out = m.integrate(PiecewiseLinearWaveform({{0.0, 0.5}, {T, 0.5}}), s, {T}, 1e-8, &steps);
  ASSERT_EQ(out.size(), 1u);
  const CompactState ref = rk4_reference(m, 0.5, s, T, 100000);
  EXPECT_GT(ref.w, 0.2); // the front has crossed and w has grown
  EXPECT_NEAR(out[0].state.w / ref.w, 1.0, 1e-5);
  EXPECT_NEAR(out[0].state.w_deep / ref.w_deep, 1.0, 1e-5);
  for (unsigned c = 0; c < N; ++c)
    EXPECT_NEAR(out[0].state.v[c], ref.v[c], 1e-6 + 1e-5 * ref.v[c]) << "slab " << c;

  // uncoupled chain, 1 s: x_i ~ 4^i (film links), w = 3e5 v_N (the interface link)
  p.film_coupling = p.capture_coupling = p.release_coupling = {0.0, 0.0};
  p.depth_rates.clear(), p.depth_coupling.clear();
  const CompactModel u(p);
  CompactState       s0;
  s0.w = 0, s0.v.assign(N, 0.0);
  steps            = 0;
  const auto held = u.integrate(PiecewiseLinearWaveform({{0.0, 0.5}, {1.0, 0.5}}), s0, {1.0}, 1e-6, &steps);
  ASSERT_EQ(held.size(), 1u);
  std::vector<double> x{1.0};
  for (unsigned i = 0; i < N; ++i)
    x.push_back(x.back() * 4.0);
  x.push_back(x.back() * 3e5);
  double total = 0;
  for (double a : x)
    total += a;
  EXPECT_NEAR(held[0].state.w / (x.back() / total), 1.0, 1e-6);
  for (unsigned c = 0; c < N; ++c)
    EXPECT_NEAR(held[0].state.v[c], x[c + 1] / total, 1e-14 + 1e-5 * x[c + 1] / total) << "slab " << c;
  EXPECT_LT(steps, 2000u); // long steps once the chain has settled
}

// The depth exchange within the interface layer at a frozen w (no chain flow):
// with g_d = 0 it is linear, w_d(t) = w k+ / (k+ + k-) (1 - exp(-(k+ + k-) t)) from
// w_d = 0; with g_d > 0 against a classical RK4 integration of the scalar ODE
// dw_d/dt = k+ e^{-g w_d} (w - w_d) - k- e^{g w_d} w_d written out here.
TEST(CompactModel, DepthExchangeFollowsItsClosedFormAndItsOde)
{
  CompactModelParameters p = one_slab(1.0, 1e-9);
  p.rates                  = {{0, 0, 0, 0}, {0, 0, 0, 0}};
  const double kp = 3e6, km = 1e6, w = 0.6;
  p.depth_rates    = {{kp, km}, {kp, km}};
  p.depth_coupling = {0.0, 0.0};
  p.depth_split_nm = 0.1;
  const CompactModel m(CompactModelParameters::from_json(p.to_json(), "round trip"));
  ASSERT_TRUE(m.parameters().has_depth());
  CompactState s0;
  s0.w = w, s0.v = {0.0};
  const std::vector<double> times{1e-7, 3e-7, 1e-6, 1e-5};
  const auto out = m.integrate(PiecewiseLinearWaveform({{0.0, 0.5}, {2e-5, 0.5}}), s0, times, 1e-8);
  ASSERT_EQ(out.size(), times.size());
  for (std::size_t q = 0; q < times.size(); ++q)
    {
      const double wd = w * kp / (kp + km) * (1 - std::exp(-(kp + km) * times[q]));
      EXPECT_NEAR(out[q].state.w_deep / wd, 1.0, 1e-6) << "t = " << times[q];
      EXPECT_DOUBLE_EQ(out[q].state.w, w); // w itself is not touched
    }
  // with the interaction among the deep sites
  const double g = 4.0;
  p.depth_coupling = {g, g};
  const CompactModel mg(p);
  const double       T   = 2e-6;
  const auto         end = mg.integrate(PiecewiseLinearWaveform({{0.0, 0.5}, {T, 0.5}}), s0, {T}, 1e-9);
  ASSERT_EQ(end.size(), 1u);
  auto f = [&](double x) { return kp * std::exp(-g * x) * (w - x) - km * std::exp(g * x) * x; };
  double     x = 0;
  const int  n = 200000;
  const double h = T / n;
  for (int i = 0; i < n; ++i)
    {
      const double k1 = f(x), k2 = f(x + h / 2 * k1), k3 = f(x + h / 2 * k2), k4 = f(x + h * k3);
      x += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
  EXPECT_LT(x, 0.5 * w * kp / (kp + km)); // the interaction holds w_d well below its g = 0 value
  EXPECT_NEAR(end[0].state.w_deep / x, 1.0, 1e-5);
  // a depth table of the wrong length is refused
  p.depth_rates = {{kp, km}};
  EXPECT_THROW(CompactModel{p}, std::invalid_argument);
}

// The step's error is that of the state it accepts (projected onto 0 <= w_d <= w): the depth
// state pressed against w_d = w while w is released (the interface link releases from all of
// w, the deep exchange pushes w_d up to w) is clamped at every step; measured unprojected, the
// clamp left an error that did not shrink with h and the steps stalled. w follows its closed
// form w0 exp(-k t) (no coupling), and w_d stays within [0, w].
TEST(CompactModel, DepthStatePressedAgainstWDoesNotStallTheSteps)
{
  CompactModelParameters p = one_slab(1.0, 1e-9);
  const double           k = 1e5, w0 = 0.8, T = 2e-5;
  p.rates                  = {{0, 1e6, 0, k}, {0, 1e6, 0, k}};
  p.depth_rates            = {{3e8, 1.0}, {3e8, 1.0}};
  p.depth_coupling         = {0.0, 0.0};
  p.depth_split_nm         = 0.1;
  const CompactModel m(p);
  CompactState       s0;
  s0.w = w0, s0.w_deep = w0, s0.v = {0.0};
  std::vector<double> times;
  for (int i = 1; i <= 20; ++i)
    times.push_back(T * i / 20);
  unsigned int steps = 0;
  const auto   out   = m.integrate(PiecewiseLinearWaveform({{0.0, 0.0}, {T, 0.0}}), s0, times, 1e-6, &steps, 200000);
  ASSERT_EQ(out.size(), times.size());
  for (const auto &o : out)
    {
      EXPECT_NEAR(o.state.w / (w0 * std::exp(-k * o.t)), 1.0, 1e-5) << "t = " << o.t;
      EXPECT_LE(o.state.w_deep, o.state.w);
      EXPECT_GE(o.state.w_deep, 0.0);
    }
  // a second-order step at tolerance 1e-6 over two decay times: a few hundred steps (the
  // unprojected estimate took more than 200000)
  EXPECT_LT(steps, 5000u);
}

// The depth correction of the current: asinh(I / I0) = u_table(V, s) + beta (phi - phi_table(s))
// with phi = w_d / w, checked against the formula evaluated by hand at a node, and zero
// correction where phi equals the table's depth.
TEST(CompactModel, DepthCorrectionShiftsTheCurrentInAsinhSpace)
{
  CompactModelParameters p = one_slab(1.0, 1e-9);
  p.depth_rates            = {{0, 0}, {0, 0}};
  p.depth_coupling         = {0, 0};
  p.node_depth             = {0.9, 0.9, 0.8, 0.7, 0.6};
  const double beta        = -2.0;
  p.depth_slope.assign(p.current_voltages.size(), std::vector<double>(p.s_nodes.size(), beta));
  const CompactModel m(CompactModelParameters::from_json(p.to_json(), "round trip"));
  CompactState       s;
  s.v = {0.0};
  s.w = 0.75, s.w_deep = 0.75 * 0.7; // phi = the table's depth at s = 0.75
  const double I_table = 0.1 * 1e-9 * std::exp(2 * 0.75);
  EXPECT_NEAR(m.current(0.1, s) / I_table, 1.0, 1e-9);
  s.w_deep = 0.75 * 0.9; // deeper than the table's states by 0.2
  const double expected = 1e-15 * std::sinh(std::asinh(I_table / 1e-15) + beta * 0.2);
  EXPECT_NEAR(m.current(0.1, s) / expected, 1.0, 1e-9);
  EXPECT_NEAR(m.current(0.1, s) / I_table, std::exp(-0.4), 1e-6); // asinh ~ ln at I >> I0
  // with the regression's phi range [0.5, 0.85] the depth is clamped to it: phi = 0.9 reads as
  // 0.85 (beta * 0.15) and phi = 0.01 as 0.5 (beta * -0.2), not extrapolated
  p.depth_phi_range = {0.5, 0.85};
  const CompactModel clamped(CompactModelParameters::from_json(p.to_json(), "round trip"));
  EXPECT_NEAR(clamped.current(0.1, s) / I_table, std::exp(-2.0 * 0.15), 1e-6);
  s.w_deep = 0.75 * 0.01;
  EXPECT_NEAR(clamped.current(0.1, s) / I_table, std::exp(2.0 * 0.2), 1e-6);
  EXPECT_NEAR(m.current(0.1, s) / I_table, std::exp(2.0 * 0.69), 1e-6); // unclamped: extrapolated
  p.depth_phi_range = {0.9, 0.5};
  EXPECT_THROW(p.check("test"), std::invalid_argument);
}

// The film term gamma(V, s) v_film of the read: with a constant gamma the current is
// I0 sinh(asinh(I_table(s) / I0) + gamma v_film), s = w + kappa v_film; without film it is the table.
TEST(CompactModel, FilmReadTermShiftsTheCurrentInAsinhSpace)
{
  CompactModelParameters p = one_slab(1.0, 1e-9);
  const double           gamma = 1.5;
  p.film_slope.assign(p.current_voltages.size(), std::vector<double>(p.s_nodes.size(), gamma));
  const CompactModel m(CompactModelParameters::from_json(p.to_json(), "round trip"));
  CompactState       s;
  s.w = 0.3, s.v = {0.2};
  const double I_table = 0.1 * 1e-9 * std::exp(2 * 0.5); // s = 0.3 + 1.0 * 0.2
  const double I_expected = 1e-15 * std::sinh(std::asinh(I_table / 1e-15) + gamma * 0.2);
  EXPECT_NEAR(m.current(0.1, s) / I_expected, 1.0, 1e-9);
  EXPECT_NEAR(m.current(0.1, s) / I_table, std::exp(0.3), 1e-6); // a 35 % shift at v_film 0.2
  s.v = {0.0};
  EXPECT_NEAR(m.current(0.1, s) / (0.1 * 1e-9 * std::exp(2 * 0.3)), 1.0, 1e-9);
  p.film_slope.pop_back(); // one row short
  EXPECT_THROW(p.check("test"), std::invalid_argument);
}

// fit_depth_slope recovers beta(s) from exact samples du = beta(s) dphi, where beta is
// linear in s (in the span of the hat functions), and a node without samples takes its
// neighbours' value through the smoothing.
TEST(CompactExtraction, DepthSlopeRegressionRecoversALinearSlope)
{
  const std::vector<double> nodes{0.0, 0.25, 0.5, 0.75, 1.0, 1.2};
  auto                      beta = [](double s) { return -1.0 - 3.0 * s; };
  std::vector<std::array<double, 3>> samples;
  for (int k = 0; k <= 40; ++k)
    {
      const double s = k / 40.0, dphi = (k % 3 == 0 ? -0.2 : 0.15);
      samples.push_back({{s, dphi, beta(s) * dphi}});
    }
  const auto b = fit_depth_slope(nodes, samples, 1e-6);
  ASSERT_EQ(b.size(), nodes.size());
  for (std::size_t j = 0; j + 1 < nodes.size(); ++j)
    EXPECT_NEAR(b[j], beta(nodes[j]), 1e-3) << "node " << nodes[j];
  EXPECT_NEAR(b.back(), b[b.size() - 2], 1e-3); // no samples above s = 1: held by the smoothing
}

// The screened film coupling exp(-+g_f w_f (1 - exp(-w / w_f))): at a frozen w the film
// link is linear with the screened factors (closed form), and while w grows the step
// (linearised with the slope exp(-w / w_f)) follows an RK4 integration of derivative().
TEST(CompactModel, ScreenedFilmCouplingFollowsItsClosedFormAndTheEquations)
{
  CompactModelParameters p = one_slab(1.0, 1e-9);
  const double           kp = 3e6, km = 1e6, gf = 4.0, wf = 0.2, w = 0.5;
  p.rates                  = {{kp, km, 0, 0}, {kp, km, 0, 0}};
  p.film_coupling          = {gf, gf};
  p.film_screening         = wf;
  const CompactModel m(CompactModelParameters::from_json(p.to_json(), "round trip"));
  CompactState       s0;
  s0.w = w, s0.v = {0.0};
  const std::vector<double> times{1e-7, 1e-6, 1e-5};
  const auto out = m.integrate(PiecewiseLinearWaveform({{0.0, 0.0}, {2e-5, 0.0}}), s0, times, 1e-8);
  ASSERT_EQ(out.size(), times.size());
  const double c = wf * (1 - std::exp(-w / wf)); // 0.184: the linear form would use 0.5
  const double a = kp * std::exp(-gf * c), b = km * std::exp(gf * c);
  for (std::size_t q = 0; q < times.size(); ++q)
    {
      const double v = a * (1 - w) / (a + b) * (1 - std::exp(-(a + b) * times[q]));
      EXPECT_NEAR(out[q].state.v[0] / v, 1.0, 1e-6) << "t = " << times[q];
    }
  // two slabs with capture: w grows from 0.02 past w_f
  CompactModelParameters q = two_slabs({4e7, 1e7, 6e7, 2e7, 3e7, 1e3});
  q.film_coupling          = {3.0, 3.0};
  q.film_screening         = wf;
  const CompactModel mq(q);
  CompactState       s;
  s.w = 0.02, s.v = {0.0, 0.0};
  const double T   = 4e-7;
  const auto   end = mq.integrate(PiecewiseLinearWaveform({{0.0, 0.5}, {T, 0.5}}), s, {T}, 1e-8);
  ASSERT_EQ(end.size(), 1u);
  s = rk4_reference(mq, 0.5, s, T, 100000);
  EXPECT_GT(s.w, 0.3);
  EXPECT_NEAR(end[0].state.w / s.w, 1.0, 1e-5);
  for (std::size_t c2 = 0; c2 < 2; ++c2)
    EXPECT_NEAR(end[0].state.v[c2] / s.v[c2], 1.0, 1e-5);
}

// The validation schedule: reads in each pulse's middle (at the amplitude), a quarter into
// the rest and at the period's end (at the read bias), then 1 us and 25 us after the last
// period; the waveform through its corners is the pulse train.
TEST(CompactValidation, ScheduleReadsEachPulseAndItsRest)
{
  ValidationSequence seq;
  seq.amplitude = 0.6, seq.width = 5e-8, seq.period = 1.5e-7, seq.count = 2;
  const double           Vr = 0.1;
  const SequenceSchedule s  = validation_schedule(seq, Vr);
  ASSERT_EQ(s.reads.size(), 3u * seq.count + 2u);
  EXPECT_TRUE(std::is_sorted(s.reads.begin(), s.reads.end()));
  const PiecewiseLinearWaveform wf(s.corners);
  for (unsigned k = 0; k < seq.count; ++k)
    {
      const double t0 = 10e-9 + k * seq.period; // the baseline settles for 10 ns
      EXPECT_NEAR(s.reads[3 * k] / (t0 + 1e-9 + 0.5 * seq.width), 1.0, 1e-12);
      EXPECT_DOUBLE_EQ(wf.value(s.reads[3 * k]), seq.amplitude);
      EXPECT_NEAR(s.reads[3 * k + 1] / (t0 + 2e-9 + seq.width + 0.25 * (seq.period - seq.width - 2e-9)), 1.0, 1e-12);
      EXPECT_NEAR(s.reads[3 * k + 2] / (t0 + seq.period), 1.0, 1e-12);
      EXPECT_DOUBLE_EQ(wf.value(s.reads[3 * k + 1]), Vr);
      EXPECT_DOUBLE_EQ(wf.value(s.reads[3 * k + 2]), Vr);
    }
  const double t_end = 10e-9 + seq.count * seq.period;
  EXPECT_NEAR(s.reads[3 * seq.count] - t_end, 1e-6, 1e-15);
  EXPECT_NEAR(s.reads.back() - t_end, 2.5e-5, 1e-15);
  EXPECT_DOUBLE_EQ(wf.value(s.reads.back()), Vr);
}

// The error measures: the largest relative errors, the conductance split into the reads at
// the read bias and the states read during pulses.
TEST(CompactValidation, ErrorsSplitIntoReadBiasAndPulses)
{
  const double               Vr = 0.1;
  std::vector<SequencePoint> pts{
    {1e-8, 0.6, 1e-8, 1.20e-8, 1.01e-8, 1e-4, 0.9e-4},  // during a pulse: G +20 %, read model +1 %, I -10 %
    {2e-8, Vr, 2e-8, 1.90e-8, 2.10e-8, 2e-9, 1.90e-9},  // at the read bias: G -5 %, read model +5 %, I -5 %
    {3e-8, Vr, 4e-8, 4.12e-8, 3.96e-8, 4e-9, 4.12e-9}}; // at the read bias: G +3 %, read model -1 %, I +3 %
  const SequenceErrors e = sequence_errors(pts, Vr);
  EXPECT_NEAR(e.G, 0.20, 1e-12);
  EXPECT_NEAR(e.G_during_pulses, 0.20, 1e-12);
  EXPECT_NEAR(e.G_at_read_bias, 0.05, 1e-12);
  EXPECT_NEAR(e.I, 0.10, 1e-12);
  EXPECT_NEAR(e.read_model, 0.05, 1e-12);
  EXPECT_NEAR(e.read_model_at_read_bias, 0.05, 1e-12);
  // without the pulse point the largest G error is the read bias's
  pts.erase(pts.begin());
  EXPECT_NEAR(sequence_errors(pts, Vr).G, 0.05, 1e-12);
  EXPECT_EQ(sequence_errors(pts, Vr).G_during_pulses, 0.0);
}

// The PDE reference's own error: |G_pde / G_pde_refined - 1| and the compact model against
// the refined PDE, over the points that have a refined read; -1 where none has one; the
// validation table shows the two columns only when a sequence has them.
TEST(CompactValidation, RefinedReferenceErrorIsTheLargestChangeOfThePdeRead)
{
  const double               Vr = 0.1;
  std::vector<SequencePoint> pts{
    {1e-8, 0.6, 1e-8, 1.10e-8, 1e-8, 1e-4, 1e-4, 1.25e-8}, // PDE -20 % of the refined one; compact -12 %
    {2e-8, Vr, 2e-8, 2.00e-8, 2e-8, 2e-9, 2e-9, 1.90e-8},  // PDE +5.3 %; compact +5.3 %
    {3e-8, Vr, 4e-8, 4.00e-8, 4e-8, 4e-9, 4e-9, 0.0}};     // no refined read
  const SequenceErrors e = sequence_errors(pts, Vr);
  EXPECT_NEAR(e.reference, 0.20, 1e-12);
  EXPECT_NEAR(e.G_refined, 0.12, 1e-12);
  for (auto &p : pts)
    p.G_pde_refined = 0.0;
  EXPECT_EQ(sequence_errors(pts, Vr).reference, -1.0);
  EXPECT_EQ(sequence_errors(pts, Vr).G_refined, -1.0);

  nlohmann::json row = {{"sequence", "train"}, {"role", "validation"}, {"points", 3},
                        {"max_conductance_error_at_read_bias", 0.05}, {"max_conductance_error_of_states_during_pulses", 0.1},
                        {"max_current_error", 0.1}, {"max_read_model_error", 0.01},
                        {"max_read_model_error_at_read_bias", 0.01}, {"compact_steps", 10}, {"passes", false}};
  std::ostringstream without;
  write_validation_table(without, nlohmann::json::array({row}), "m.json", 0.1, 0.2, Vr);
  EXPECT_EQ(without.str().find("refinement"), std::string::npos) << without.str();
  row["reference_uncertainty"]                  = 0.2;
  row["max_conductance_error_against_refined"] = 0.12;
  std::ostringstream with;
  write_validation_table(with, nlohmann::json::array({row}), "m.json", 0.1, 0.2, Vr);
  EXPECT_NE(with.str().find("| 20 % | 12 % |"), std::string::npos) << with.str();
}
