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

// The fitted Foster network follows the exact response within 1 % from 1 ps to 1e4 a^2 / alpha,
// where a single pole with the same R_th and tau = a^2 / alpha is off by orders of magnitude at
// nanoseconds (its rise is linear in t, the surface layer's goes as sqrt(t)).
TEST(ThermalNetwork, FittedNetworkFollowsTheDiscResponse)
{
  const auto   net   = ThermalNetwork::disc_on_half_space(radius, kappa, rho_c);
  const double R_inf = 8.0 / (3.0 * pi * pi * kappa * radius);
  EXPECT_NEAR(net.thermal_resistance() / R_inf, 1.0, 0.01);
  double worst = 0;
  for (double lt = -12; lt <= std::log10(1e4 * radius * radius / alpha); lt += 0.125)
    {
      const double t = std::pow(10.0, lt);
      worst = std::max(worst, std::abs(net.step_response(t) / disc_mean_temperature_step_response(t, radius, kappa, rho_c) - 1));
    }
  EXPECT_LT(worst, 0.01);
  const auto one = ThermalNetwork::single_pole(R_inf, radius * radius / alpha);
  EXPECT_LT(one.step_response(20e-9), 0.1 * net.step_response(20e-9));
}

// A pole advanced exactly: with the power constant over unequal steps the rise is
// R P (1 - exp(-t / tau)) to round-off, and the heat put in equals the heat stored,
// C dT with C = tau / R, plus the heat conducted away, int dT / R dt.
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
  dealii::Vector<double> d = r_warmed;
  d -= r_hot;
  EXPECT_LE(d.linfty_norm(), 1e-12 * r_hot.linfty_norm());
  d = r_warmed;
  d -= r_cold;
  EXPECT_GT(d.linfty_norm(), 1e-3 * r_hot.linfty_norm());
}

// A heated run of the paper device at a constant forward bias through a single fast pole
// (tau = 1 ns, R_th large enough for a rise of ~15 K from the 7 nA at +0.2 V of the
// pristine junction): at the end the rise equals R_th V_j I_e (the steady state of the
// network, self-consistent with the current at that temperature), the recorded heat is the
// integral of V_j I_e over the recorded steps, and the electron current is that of the same run
// without heating at the final temperature, far from the run at the ambient.
TEST(JouleHeating, SteadyHeatingIsSelfConsistentAndReachesThePhysics)
{
  const char *waveform = "0 0; 1e-9 0.2; 3e-7 0.2";
  auto        p        = test_support::paper_parameters();
  p.output.write_vtu = p.output.write_profiles = false;
  p.experiment.output_times                    = {};
  p.experiment.waveform                        = PiecewiseLinearWaveform::parse(waveform, "test");
  p.joule_heating.enabled                      = true;
  p.joule_heating.time_constant                = 1e-9;
  p.joule_heating.thermal_resistance           = 7e9;

  TransientSimulation heated(p, true);
  heated.solve_initial_state();
  const dealii::Vector<double> start = heated.state(); // the equilibrium at 0 V and 300 K
  heated.integrate_waveform(false);
  const double T_end  = heated.temperature();
  const double Vj     = heated.junction_voltage();
  const double Ie     = heated.steps().back().tunnel_current;
  const double rise   = T_end - 300.0;
  ASSERT_GT(rise, 5.0) << "the test needs a rise of several kelvin";
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
  EXPECT_GT(Ie / I_amb, 1.3);
}
