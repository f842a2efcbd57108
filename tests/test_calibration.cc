// The least-squares engine of `otj calibrate` (Levenberg-Marquardt with
// projection and failing models) on problems with known minima.
#include "calibration/calibration.h"
#include "calibration/levenberg_marquardt.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <string>

using namespace otj;

namespace
{
  auto identity = [](const std::vector<double> &x) { return x; };
  auto never    = [](const std::vector<double> &) { return false; };
} // namespace

// Exponential decay y = a exp(-t/tau), exact data: a = 2, tau = 0.7 recovered
// from a start a factor 2-3 away.
TEST(LevenbergMarquardt, RecoversExponentialDecayParameters)
{
  std::vector<double> t, y;
  for (int k = 0; k < 20; ++k)
    t.push_back(0.1 * k), y.push_back(2.0 * std::exp(-0.1 * k / 0.7));
  auto model = [&](const std::vector<double> &p, const char *) -> std::optional<std::vector<double>> {
    std::vector<double> r;
    for (std::size_t k = 0; k < t.size(); ++k)
      r.push_back(p[0] * std::exp(-t[k] / p[1]) - y[k]);
    return r;
  };
  LevenbergMarquardtOptions o;
  o.max_iterations = 50;
  o.jacobian_step  = 1e-6;
  const auto res   = levenberg_marquardt(model, {5.0, 0.3}, o, never, identity);
  EXPECT_NEAR(res.x[0], 2.0, 1e-5);
  EXPECT_NEAR(res.x[1], 0.7, 1e-5);
}

// Rosenbrock as residuals (10 (x2 - x1^2), 1 - x1): minimum at (1, 1); the
// model fails (returns nothing) for x1 > 1.5, which the steps must avoid.
TEST(LevenbergMarquardt, RosenbrockWithAFailingRegion)
{
  unsigned failures = 0;
  auto     model    = [&](const std::vector<double> &x, const char *) -> std::optional<std::vector<double>> {
    if (x[0] > 1.5)
      {
        ++failures;
        return std::nullopt;
      }
    return std::vector<double>{10 * (x[1] - x[0] * x[0]), 1 - x[0]};
  };
  LevenbergMarquardtOptions o;
  o.max_iterations = 200;
  o.jacobian_step  = 1e-7;
  o.max_attempts   = 20;
  const auto res   = levenberg_marquardt(model, {-1.2, 1.0}, o, never, identity);
  EXPECT_NEAR(res.x[0], 1.0, 1e-4);
  EXPECT_NEAR(res.x[1], 1.0, 2e-4);
  EXPECT_EQ(res.accepted.front(), (std::vector<double>{-1.2, 1.0}));
}

// A bound: minimise (x - 3)^2 with x <= 2 (projection): the answer is the bound;
// the stopping test ends the iteration early.
TEST(LevenbergMarquardt, ProjectionOntoBoundsAndStoppingTest)
{
  auto model   = [](const std::vector<double> &x, const char *) -> std::optional<std::vector<double>> {
    return std::vector<double>{x[0] - 3.0};
  };
  auto project = [](const std::vector<double> &x) { return std::vector<double>{std::min(x[0], 2.0)}; };
  LevenbergMarquardtOptions o;
  o.max_iterations = 20;
  auto res         = levenberg_marquardt(model, {0.0}, o, never, project);
  EXPECT_DOUBLE_EQ(res.x[0], 2.0);
  EXPECT_FALSE(res.done);
  auto done = [](const std::vector<double> &r) { return std::abs(r[0]) < 2.5; };
  res       = levenberg_marquardt(model, {0.0}, o, done, project);
  EXPECT_TRUE(res.done);
  EXPECT_LT(std::abs(res.residuals[0]), 2.5);
}

// A model that cannot be evaluated for the Jacobian of the third iteration (as the compact
// extraction's chain integration can fail at a perturbed point): the two accepted steps are
// kept, their cost below the start's, and the reason is given; a first Jacobian that fails is
// still an error (nothing was gained). Residuals (x0 - 3, 2 (x1 + 1)): Gauss-Newton from (0, 0).
TEST(LevenbergMarquardt, FailingLaterJacobianKeepsTheAcceptedSteps)
{
  for (const unsigned int good_columns : {4u, 0u})
    {
      std::atomic<unsigned int> jacobian_calls{0};
      auto model = [&](const std::vector<double> &x, const char *role) -> std::optional<std::vector<double>> {
        if (std::string(role) == "jacobian" && jacobian_calls++ >= good_columns)
          return std::nullopt;
        return std::vector<double>{x[0] - 3.0, 2.0 * (x[1] + 1.0)};
      };
      LevenbergMarquardtOptions o;
      o.max_iterations = 20;
      o.initial_damping = 1.0; // two damped steps before the failure, neither reaching the minimum
      if (good_columns == 0)
        {
          EXPECT_THROW(levenberg_marquardt(model, {0.0, 0.0}, o, never, identity), std::runtime_error);
          continue;
        }
      const auto res = levenberg_marquardt(model, {0.0, 0.0}, o, never, identity);
      EXPECT_EQ(res.iterations, 2u);
      EXPECT_EQ(res.accepted.size(), 3u); // the start and two steps
      EXPECT_NE(res.stopped_by.find("iteration 3"), std::string::npos) << res.stopped_by;
      const double c0 = 9.0 + 4.0, c = res.residuals[0] * res.residuals[0] + res.residuals[1] * res.residuals[1];
      EXPECT_LT(c, 0.5 * c0);
      EXPECT_GT(c, 1e-6); // not yet at the minimum: the progress kept is the two steps'
    }
}

// A parameter without influence (a zero Jacobian column, like a hopping rate
// at the fit's floor): without Levenberg's identity term the normal equations
// are singular and the step sends it to a bound, where the model fails; with
// it the parameter is held and the other converges. Residuals (x0 - 3,
// 1e-9 x1^2 at most): x1 starts at 0 where its column vanishes; the model
// fails for |x1| > 10.
TEST(LevenbergMarquardt, ParameterWithoutInfluenceIsHeld)
{
  auto model = [](const std::vector<double> &x, const char *) -> std::optional<std::vector<double>> {
    if (std::abs(x[1]) > 10)
      return std::nullopt;
    return std::vector<double>{x[0] - 3.0, 1e-9 * x[1] * x[1]};
  };
  auto project = [](const std::vector<double> &x) {
    return std::vector<double>{x[0], std::clamp(x[1], -1e6, 1e6)};
  };
  LevenbergMarquardtOptions o;
  o.max_iterations = 20;
  o.jacobian_step  = 1e-6;
  const auto res   = levenberg_marquardt(model, {0.0, 0.0}, o, never, project);
  EXPECT_NEAR(res.x[0], 3.0, 1e-6);
  EXPECT_LT(std::abs(res.x[1]), 1e-3);
}

// A parameter whose bounds coincide (lower = upper, e.g. a coupling switched
// off at some voltages) is held at its value; the others are still fitted
// (Rosenbrock's valley in x0, x1 with x2 pinned at 0.5).
TEST(LevenbergMarquardt, ParameterPinnedByItsBoundsIsHeld)
{
  auto model = [](const std::vector<double> &x, const char *) -> std::optional<std::vector<double>> {
    return std::vector<double>{10 * (x[1] - x[0] * x[0]), 1 - x[0], x[2] - 2.0};
  };
  auto project = [](const std::vector<double> &x) { return std::vector<double>{x[0], x[1], 0.5}; };
  LevenbergMarquardtOptions o;
  o.max_iterations = 200;
  o.jacobian_step  = 1e-7;
  const auto res   = levenberg_marquardt(model, {-1.2, 1.0, 0.5}, o, never, project);
  EXPECT_NEAR(res.x[0], 1.0, 1e-4);
  EXPECT_NEAR(res.x[1], 1.0, 2e-4);
  EXPECT_EQ(res.x[2], 0.5);
}

// The Jacobian's columns on two threads (LevenbergMarquardtOptions::threads, used by the
// compact-model rate fits) give the serial fit exactly: the same accepted steps, solution and
// evaluation count, on a four-parameter model whose forward differences at the upper bound of
// one parameter fall back to backward differences and whose evaluations are not cheap to
// reorder (each column writes its own slot). A column mixed up between threads would change
// the steps.
TEST(LevenbergMarquardt, JacobianColumnsOnTwoThreadsEqualTheSerialFit)
{
  const std::vector<double> t{0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0};
  auto model = [&](const std::vector<double> &x, const char *) -> std::optional<std::vector<double>> {
    std::vector<double> r;
    for (double ti : t) // two exponentials: 2 e^{-0.7 t} + 0.5 e^{-0.1 t}
      r.push_back(x[0] * std::exp(-x[1] * ti) + x[2] * std::exp(-x[3] * ti) - 2.0 * std::exp(-0.7 * ti) -
                  0.5 * std::exp(-0.1 * ti));
    return r;
  };
  auto project = [](std::vector<double> x) {
    x[3] = std::min(x[3], 0.1); // at its bound: backward differences for this column
    return x;
  };
  LevenbergMarquardtOptions o;
  o.max_iterations = 30;
  o.jacobian_step  = 1e-6;
  const auto serial = levenberg_marquardt(model, {1.0, 1.0, 1.0, 0.1}, o, never, project);
  o.threads         = 2;
  const auto par    = levenberg_marquardt(model, {1.0, 1.0, 1.0, 0.1}, o, never, project);
  EXPECT_EQ(serial.x, par.x);
  EXPECT_EQ(serial.accepted, par.accepted);
  EXPECT_EQ(serial.evaluations, par.evaluations);
  EXPECT_NEAR(serial.x[0], 2.0, 1e-4);
  EXPECT_NEAR(serial.x[1], 0.7, 1e-4);
  EXPECT_NEAR(serial.x[2], 0.5, 1e-4);
}

// The STM relaxation target's 1/e time (calibration/calibration.h): exact for a
// single exponential read at log-spaced times, from the end of the spike (t[0])
// whatever its absolute time; NaN without a volatile part; +inf when the part
// has not fallen to 1/e by the last read; a two-time-constant decay gives the
// time where it crosses 1/e, not either constant. The band distance in log2.
TEST(Calibration, EFoldingTimeOfTheVolatilePart)
{
  for (const double tau : {3e-9, 1e-7, 2.2e-6})
    {
      std::vector<double> t, A;
      for (int k = 0; k <= 24; ++k)
        {
          t.push_back(5e-8 + (k ? 1e-9 * std::pow(10.0, 0.25 * (k - 1)) : 0.0));
          A.push_back(0.05 * std::exp(-(t.back() - 5e-8) / tau));
        }
      EXPECT_NEAR(e_folding_time(t, A) / tau, 1.0, 1e-9) << tau;
    }
  EXPECT_TRUE(std::isnan(e_folding_time({0.0, 1e-6}, {0.0, 0.0})));
  EXPECT_TRUE(std::isnan(e_folding_time({0.0, 1e-6}, {-1e-3, -1e-4})));
  EXPECT_TRUE(std::isinf(e_folding_time({0.0, 1e-6, 1e-5}, {1.0, 0.9, 0.5})));
  // 0.5 exp(-t / 10 ns) + 0.5 exp(-t / 1 us) crosses 1/e at (1 - ln 2) us = 0.307 us (bisection below)
  auto two = [](double t) { return 0.5 * std::exp(-t / 1e-8) + 0.5 * std::exp(-t / 1e-6); };
  double lo = 1e-8, hi = 1e-5;
  for (int k = 0; k < 200; ++k)
    (two(0.5 * (lo + hi)) > std::exp(-1.0) ? lo : hi) = 0.5 * (lo + hi);
  std::vector<double> t, A;
  for (int k = 0; k <= 400; ++k)
    t.push_back(1e-8 * k), A.push_back(two(t.back()));
  EXPECT_NEAR(e_folding_time(t, A), lo, 1e-3 * lo);
  EXPECT_NEAR(lo, (1.0 - std::log(2.0)) * 1e-6, 1e-4 * lo);
  EXPECT_NEAR(log2_distance_to_band(1e-6, 3e-7, 8e-6), 0.0, 0.0);
  EXPECT_NEAR(log2_distance_to_band(1.5e-7, 3e-7, 8e-6), 1.0, 1e-12);
  EXPECT_NEAR(log2_distance_to_band(3.2e-5, 3e-7, 8e-6), 2.0, 1e-12);
}
