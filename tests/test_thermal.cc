// The optional Joule heating (device/thermal_network.h, simulation/joule_heating.h): the
// disc-on-half-space step response against its analytic limits and an independent
// quadrature, the fitted network against that response, the exact pole update and its heat
// balance, the discrete system following the device's temperature, and a heated run that is
// self-consistent (T - T_a = R_th V_j I_e) and whose current is that of the heated device.
#include "test_helpers.h"

#include "device/thermal_network.h"
#include "discretization/drift_diffusion_system.h"
#include "simulation/transient_simulation.h"

#include <deal.II/grid/tria.h>
#include <deal.II/lac/vector.h>

#include <gtest/gtest.h>

#include <cmath>

using namespace otj;

namespace
{
  constexpr double pi = 3.14159265358979323846;
  // the paper device's electrode disc on Nb:SrTiO3 (materials/nb_srtio3_0p7wt.prm)
  constexpr double radius = 10e-6, kappa = 11.0, rho_c = 2.76e6;
  const double     alpha  = kappa / rho_c;

  /// time at which sqrt(alpha t) / a = s
  double time_of(const double s) { return s * s * radius * radius / alpha; }

  /// The disc's mean rise per watt by the trapezoidal rule on a uniform grid of step 1e-3 up to
  /// l = 500, plus the tail with the averaged J_1^2 (independent of the Gauss-Legendre panels).
  double reference_response(const double t)
  {
    const double s = std::sqrt(alpha * t) / radius;
    const double h = 1e-3, L = 500;
    double       sum = 0; // f(0) = 0 (erf(0) = 0)
    for (double l = h; l < L - 0.5 * h; l += h)
      {
        const double j = std::cyl_bessel_j(1.0, l);
        sum += h * j * j / (l * l) * std::erf(l * s);
      }
    const double jL = std::cyl_bessel_j(1.0, L);
    sum += 0.5 * h * jL * jL / (L * L) * std::erf(L * s);
    sum += 1.0 / (2 * pi * L * L); // tail with erf = 1 (s L >> 1 here)
    return 2.0 / (pi * radius * kappa) * sum;
  }
} // namespace

// Early: one-dimensional heating of the surface, dT = 2 q sqrt(alpha t / pi) / kappa with
// q = P / (pi a^2); late: the spreading resistance of a disc of uniform flux, 8 / (3 pi^2 kappa a)
// (Carslaw & Jaeger, Conduction of Heat in Solids, 1959), approached as -1 / (4 s sqrt(pi)) in the integral.
TEST(ThermalNetwork, DiscStepResponseHasItsShortAndLongTimeLimits)
{
  for (double s : {1e-5, 1e-4, 1e-3})
    {
      const double t     = time_of(s);
      const double early = 2.0 / (pi * radius * radius) * std::sqrt(alpha * t / pi) / kappa;
      EXPECT_NEAR(disc_mean_temperature_step_response(t, radius, kappa, rho_c) / early, 1.0, 2e-3) << "s = " << s;
    }
  const double R_inf = 8.0 / (3.0 * pi * pi * kappa * radius);
  for (double s : {30.0, 300.0, 3000.0})
    {
      const double late = R_inf - 2.0 / (pi * radius * kappa) / (4.0 * s * std::sqrt(pi));
      EXPECT_NEAR(disc_mean_temperature_step_response(time_of(s), radius, kappa, rho_c) / late, 1.0, 1e-4)
        << "s = " << s;
    }
  EXPECT_EQ(disc_mean_temperature_step_response(0.0, radius, kappa, rho_c), 0.0);
  EXPECT_THROW(disc_mean_temperature_step_response(1e-9, radius, 0.0, rho_c), std::invalid_argument);
}

TEST(ThermalNetwork, DiscStepResponseEqualsAnIndependentQuadrature)
{
  for (double s : {0.1, 0.5, 1.0, 3.0})
    EXPECT_NEAR(disc_mean_temperature_step_response(time_of(s), radius, kappa, rho_c) / reference_response(time_of(s)),
                1.0, 1e-4)
      << "s = " << s;
}

namespace
{
  /// Gaver-Stehfest inversion of a Laplace transform F(s) at time t (N = 14; H. Stehfest,
  /// Commun. ACM 13, 47 (1970)): accurate to ~1e-5 for the smooth, monotone responses here.
  template <typename F>
  double stehfest(const F &transform, const double t)
  {
    constexpr int N = 14;
    auto          factorial = [](int n) {
      double f = 1;
      for (int i = 2; i <= n; ++i)
        f *= i;
      return f;
    };
    double sum = 0;
    for (int k = 1; k <= N; ++k)
      {
        double v = 0;
        for (int j = (k + 1) / 2; j <= std::min(k, N / 2); ++j)
          v += std::pow(j, N / 2) * factorial(2 * j) /
               (factorial(N / 2 - j) * factorial(j) * factorial(j - 1) * factorial(k - j) * factorial(2 * j - k));
        v *= ((k + N / 2) % 2 == 0) ? 1.0 : -1.0;
        sum += v * transform(k * std::log(2.0) / t);
      }
    return sum * std::log(2.0) / t;
  }
} // namespace

// The electrode's heat capacity per area C_s on the heated surface: the factor by which it lowers
// the one-dimensional rise against an independent numerical Laplace inversion of
// q / (s (C_s s + e sqrt(s))), e = sqrt(kappa rho c), and its limits, q t / C_s while the
// electrode takes up the heat and 1 - sqrt(pi / (4 x)) after; 100 nm of Pt: 0.37x at 1 ns, 0.74x
// at 20 ns.
TEST(ThermalNetwork, ElectrodeHeatCapacityFollowsTheLaplaceInversion)
{
  const double Cs = 100e-9 * 2.84e6, e = std::sqrt(kappa * rho_c), b = e / Cs;
  auto         without = [&](double t) { return 2 * std::sqrt(t) / (e * std::sqrt(pi)); }; // per unit flux
  for (double t : {1e-11, 1e-10, 1e-9, 2.7e-9, 1e-8, 2e-8, 1e-7, 1e-6})
    {
      const double with = stehfest([&](double s) { return 1.0 / (s * (Cs * s + e * std::sqrt(s))); }, t);
      EXPECT_NEAR(surface_capacity_factor(t, Cs, kappa, rho_c), with / without(t), 1e-3) << "t = " << t;
    }
  EXPECT_NEAR(surface_capacity_factor(1e-13, Cs, kappa, rho_c) * without(1e-13) / (1e-13 / Cs), 1.0, 0.01);
  const double x = b * b * 1e-5;
  EXPECT_NEAR(surface_capacity_factor(1e-5, Cs, kappa, rho_c), 1 - std::sqrt(pi / (4 * x)), 1e-3);
  EXPECT_NEAR(surface_capacity_factor(1e-9, Cs, kappa, rho_c), 0.37, 0.01);
  EXPECT_NEAR(surface_capacity_factor(2e-8, Cs, kappa, rho_c), 0.74, 0.01);
  EXPECT_EQ(surface_capacity_factor(1e-9, 0.0, kappa, rho_c), 1.0);
}

// The fitted Foster network follows the exact response within 1 % from 1 ps to 1e4 a^2 / alpha,
// where a single pole with the same R_th and tau = a^2 / alpha is off by orders of magnitude at
// nanoseconds (its rise is linear in t, the surface layer's goes as sqrt(t)).
TEST(ThermalNetwork, FittedNetworkFollowsTheDiscResponse)
{
  const double R_inf = 8.0 / (3.0 * pi * pi * kappa * radius);
  for (const double Cs : {0.0, 100e-9 * 2.84e6}) // without and with the 100 nm Pt electrode
    {
      const auto net = ThermalNetwork::disc_on_half_space(radius, kappa, rho_c, Cs);
      EXPECT_NEAR(net.thermal_resistance() / R_inf, 1.0, 0.01);
      double worst = 0;
      for (double lt = -12; lt <= std::log10(1e4 * radius * radius / alpha); lt += 0.125)
        {
          const double t = std::pow(10.0, lt);
          worst          = std::max(worst, std::abs(net.step_response(t) /
                                                        disc_mean_temperature_step_response(t, radius, kappa, rho_c, Cs) -
                                                      1));
        }
      EXPECT_LT(worst, 0.01) << "C_s = " << Cs;
    }
  const auto net = ThermalNetwork::disc_on_half_space(radius, kappa, rho_c);
  const auto one = ThermalNetwork::single_pole(R_inf, radius * radius / alpha);
  EXPECT_LT(one.step_response(20e-9), 0.1 * net.step_response(20e-9));
}

// A pole advanced exactly: with the power constant over unequal steps the rise is
// R P (1 - exp(-t / tau)) to round-off, and the heat put in equals the heat stored,
// C dT with C = tau / R, plus the heat conducted away, int dT / R dt; under a power ramp
// the rise is the ramp's exact response (the update is exact for a linear power).
TEST(ThermalNetwork, PoleUpdateIsExactAndBalancesTheHeat)
{
  const double R = 2000, tau = 1e-6, P = 3e-3;
  auto         net = ThermalNetwork::single_pole(R, tau);
  double       t = 0, conducted = 0, dt = 1e-9;
  while (t < 5e-6)
    {
      const double before = net.temperature_rise();
      net.advance(dt, P);
      const double after = net.temperature_rise();
      // exact integral of the rise over the step: int (RP + (T0 - RP) e^{-s/tau}) ds
      conducted += (R * P * dt + (before - R * P) * tau * (1 - std::exp(-dt / tau))) / R;
      t += dt;
      EXPECT_NEAR(after, R * P * (1 - std::exp(-t / tau)), 1e-9 * R * P);
      dt *= 1.3;
    }
  const double stored = tau / R * net.temperature_rise();
  EXPECT_NEAR((stored + conducted) / (P * t), 1.0, 1e-9);
  net.advance(1e-3, 0.0); // 1000 tau without power: back to the ambient
  EXPECT_LT(net.temperature_rise(), 1e-12);
  net.reset();
  EXPECT_EQ(net.temperature_rise(), 0.0);
  // a power ramp P = b t over unequal steps, exact: R b (t - tau + tau exp(-t / tau))
  const double b = 1e3; // W/s
  t = 0, dt = 1e-9;
  while (t < 5e-6)
    {
      net.advance(dt, b * t, b * (t + dt));
      t += dt;
      EXPECT_NEAR(net.temperature_rise(), R * b * (t - tau + tau * std::exp(-t / tau)), 1e-9 * R * b * t);
      dt *= 1.5;
    }
  // a slow pole over a femtosecond step with a power jump (a pulse edge): R P1 dt / (2 tau), no
  // cancellation (the form R (P1 - tau P') + ... lost ~1e3 K here)
  auto slow = ThermalNetwork::single_pole(1e3, 1.0);
  slow.advance(1e-14, 0.0, 100.0);
  EXPECT_NEAR(slow.temperature_rise(), 1e3 * 100.0 * 1e-14 / 2, 1e-22);
  slow.advance(1e-14, 100.0, 100.0);
  EXPECT_NEAR(slow.temperature_rise(), 1e3 * 100.0 * 1.5e-14, 1e-22);
}

// The discrete system caches the edges' diffusivities at the device's temperature: after a
// temperature change and update_temperature_dependence() its residual is that of a system built
// at the new temperature (and differs from the one before the update).
TEST(JouleHeating, DriftDiffusionSystemFollowsTheDevicesTemperature)
{
  auto                    p = test_support::paper_parameters();
  dealii::Triangulation<1> tria;
  make_device_mesh(p.device, p.mesh, tria);
  DeviceModel hot = p.device;
  hot.temperature = 400;
  DriftDiffusionSystem<1> warmed(tria, p.device, p.concentration_scale);
  DriftDiffusionSystem<1> built_hot(tria, hot, p.concentration_scale);
  dealii::Vector<double>  u;
  warmed.initial_state(u, 1.0);
  TimeTerm               tt;
  dealii::Vector<double> r_cold(u.size()), r_warmed(u.size()), r_hot(u.size());
  warmed.assemble(u, 1.0, tt, r_cold, nullptr);
  p.device.temperature = 400; // the device `warmed` refers to
  warmed.update_temperature_dependence();
  warmed.assemble(u, 1.0, tt, r_warmed, nullptr);
  built_hot.assemble(u, 1.0, tt, r_hot, nullptr);
  // per component (the vacancy rows' scale would hide the potential rows'): the electron
  // statistics and the back contact follow the temperature as well as the hopping
  for (const bool vacancy : {false, true})
    {
      double diff_hot = 0, diff_cold = 0, scale = 0;
      for (unsigned int i = 0; i < u.size(); ++i)
        if (warmed.is_vacancy_dof(i) == vacancy)
          {
            diff_hot  = std::max(diff_hot, std::abs(r_warmed[i] - r_hot[i]));
            diff_cold = std::max(diff_cold, std::abs(r_warmed[i] - r_cold[i]));
            scale     = std::max(scale, std::abs(r_hot[i]));
          }
      EXPECT_LE(diff_hot, 1e-12 * scale) << (vacancy ? "vacancy" : "potential") << " rows";
      EXPECT_GT(diff_cold, 1e-4 * scale) << (vacancy ? "vacancy" : "potential") << " rows";
    }
}

// A heated run of the paper device at a constant forward bias (+0.2 V through R_0 = 3 Mohm, so
// that V_j = 0.18 V is well below the source's 0.2 V) and a single fast pole (tau = 1 ns,
// R_th = 7e9 K/W: a rise of ~8 K from the ~6 nA of the pristine junction), held 1 ms (13 R_0 C):
// at the end the rise equals R_th V_j I_e (the steady state of the network, self-consistent
// with the current at that temperature; a heat of V_s I_e would be 10 % off), the recorded heat
// is the integral of V_j I_e over the recorded steps, and the electron current and the vacancy
// drift are those of the same run without heating at the final temperature, not those at the
// ambient (1.24x and 1.23x below).
TEST(JouleHeating, SteadyHeatingIsSelfConsistentAndReachesThePhysics)
{
  const char *waveform = "0 0; 1e-9 0.2; 1e-3 0.2";
  auto        p        = test_support::paper_parameters();
  p.output.write_vtu = p.output.write_profiles = false;
  p.experiment.output_times                    = {};
  p.experiment.waveform                        = PiecewiseLinearWaveform::parse(waveform, "test");
  p.joule_heating.enabled                      = true;
  p.joule_heating.time_constant                = 1e-9;
  p.joule_heating.thermal_resistance           = 7e9;
  p.circuit.series_resistance                  = 3e6; // V_j = V_s - R_0 I well below V_s (R_0 C ~ 75 us)

  TransientSimulation heated(p, true);
  heated.solve_initial_state();
  const dealii::Vector<double> start = heated.state(); // the equilibrium at 0 V and 300 K
  heated.integrate_waveform(false);
  const double T_end  = heated.temperature();
  const double Vj     = heated.junction_voltage();
  const double Ie     = heated.steps().back().tunnel_current;
  const double rise   = T_end - 300.0;
  ASSERT_GT(rise, 5.0) << "the test needs a rise of several kelvin";
  EXPECT_LT(Vj, 0.95 * 0.2) << "the test needs V_j well below V_s (a heat of V_s I_e must fail)";
  EXPECT_LT(rise, 200.0);
  EXPECT_NEAR(rise / (p.joule_heating.thermal_resistance * Vj * Ie), 1.0, 0.01);
  EXPECT_GE(heated.joule_heating().peak_temperature(), T_end);
  // recorded heat: trapezoidal int V_j I_e dt over the steps
  double heat = 0, P_prev = 0, t_prev = heated.steps().front().time - heated.steps().front().dt;
  for (const auto &s : heated.steps())
    {
      const double P = s.junction_voltage * s.tunnel_current;
      heat += 0.5 * (P_prev + P) * (s.time - t_prev);
      P_prev = P, t_prev = s.time;
    }
  EXPECT_NEAR(heated.joule_heating().heat() / heat, 1.0, 1e-3);
  // the temperature column follows the steps
  EXPECT_EQ(heated.steps().back().temperature, T_end);

  auto at_final          = p;
  at_final.joule_heating = JouleHeatingParameters{};
  at_final.device.temperature = T_end;
  TransientSimulation fixed_hot(at_final, true);
  fixed_hot.restart_from(start);
  fixed_hot.integrate_waveform(false);
  auto at_ambient          = p;
  at_ambient.joule_heating = JouleHeatingParameters{};
  TransientSimulation fixed_ambient(at_ambient, true);
  fixed_ambient.restart_from(start);
  fixed_ambient.integrate_waveform(false);
  const double I_hot = fixed_hot.steps().back().tunnel_current, I_amb = fixed_ambient.steps().back().tunnel_current;
  EXPECT_NEAR(Ie / I_hot, 1.0, 0.03);
  EXPECT_GT(Ie / I_amb, 1.15);
  // the vacancies moved as in the hot run, not as at the ambient: the hopping saw the temperature
  const double moved = heated.system().vacancy_centroid(heated.state()) - heated.system().vacancy_centroid(start);
  const double moved_hot =
    fixed_hot.system().vacancy_centroid(fixed_hot.state()) - fixed_hot.system().vacancy_centroid(start);
  const double moved_amb =
    fixed_ambient.system().vacancy_centroid(fixed_ambient.state()) - fixed_ambient.system().vacancy_centroid(start);
  EXPECT_NEAR(moved / moved_hot, 1.0, 0.01);
  EXPECT_GT(moved / moved_amb, 1.1);
}

// The splitting converges: the temperature at the end of a heating transient (a 100 ns pole of
// 2e9 K/W, so that the rise, ~8 K, is still climbing after 200 ns at +0.2 V; with 7e9 K/W the
// activated forward current of the calibrated device runs away) approaches the limit of small steps as
// the temperature-change limit per step shrinks, at first order (the error falls about with
// the limit).
TEST(JouleHeating, SplittingErrorFallsWithTheTemperatureStep)
{
  auto p             = test_support::paper_parameters();
  p.output.write_vtu = p.output.write_profiles = false;
  p.experiment.output_times                    = {};
  p.experiment.waveform      = PiecewiseLinearWaveform::parse("0 0; 1e-9 0.2; 2e-7 0.2", "test");
  p.joule_heating.enabled            = true;
  p.joule_heating.time_constant      = 1e-7;
  p.joule_heating.thermal_resistance = 2e9;
  std::vector<double> T;
  for (const double limit : {1.0, 0.1, 0.01})
    {
      p.joule_heating.largest_temperature_change = limit;
      TransientSimulation sim(p, true);
      sim.solve_initial_state();
      sim.integrate_waveform(false);
      T.push_back(sim.temperature());
    }
  const double rise = T[2] - 300, e1 = std::abs(T[0] - T[2]), e2 = std::abs(T[1] - T[2]);
  std::printf("rise %.3f K; errors %.3e, %.3e K\n", rise, e1, e2);
  ASSERT_GT(rise, 5.0);
  EXPECT_LT(e1, 0.1 * rise); // a 1 K limit on a ~8 K rise: 5.5 % (measured)
  EXPECT_LT(e2, 0.3 * e1 + 1e-6 * rise) << "errors " << e1 << " and " << e2 << " K";
}
