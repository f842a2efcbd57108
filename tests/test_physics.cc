// Constitutive laws against independent formulas: Fermi-Dirac statistics,
// Bernoulli function, the vacancy hopping flux (Einstein limit, Mott-Gurney
// sinh law, exact lattice hopping, site exclusion), waveforms, meshes.
#include "mesh/device_mesh.h"
#include "physics/bernoulli.h"
#include "physics/constants.h"
#include "physics/fermi_dirac.h"
#include "physics/vacancy_flux.h"
#include "test_helpers.h"
#include "waveform/waveform.h"
#include "common/input_error.h"

#include <functional>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

using namespace otj;
using namespace otj::physics;
using constants::boltzmann;
using constants::elementary_charge;

TEST(FermiDirac, ApproximationAgreesWithQuadratureToHalfAPercent)
{
  for (double eta = -10; eta <= 30; eta += 0.5)
    {
      const double ref = fermi_dirac_half_quadrature(eta);
      EXPECT_NEAR(fermi_dirac_half(eta) / ref, 1.0, 5e-3) << "eta = " << eta;
    }
  // non-degenerate and degenerate limits: exp(eta) and (4/(3 sqrt(pi))) eta^1.5
  EXPECT_NEAR(fermi_dirac_half(-20) / std::exp(-20), 1.0, 1e-6);
  EXPECT_NEAR(fermi_dirac_half(200) / (4.0 / (3.0 * std::sqrt(M_PI)) * std::pow(200, 1.5)), 1.0, 1e-2);
}

TEST(FermiDirac, DerivativeAndInverseAreConsistent)
{
  for (double eta = -8; eta <= 25; eta += 1.3)
    {
      const double h  = 1e-5;
      const double fd = (fermi_dirac_half(eta + h) - fermi_dirac_half(eta - h)) / (2 * h);
      EXPECT_NEAR(fermi_dirac_half_derivative(eta) / fd, 1.0, 1e-6);
      EXPECT_NEAR(inverse_fermi_dirac_half(fermi_dirac_half(eta)), eta, 1e-9 * (1 + std::abs(eta)));
    }
}

// Below eta = -25 the series exp(eta) - exp(2 eta)/2^1.5 + exp(3 eta)/3^1.5: the second term
// checked against its own value (a factor 2 in it would show), continuity where the branches meet
TEST(FermiDirac, NonDegenerateSeriesAndItsSwitch)
{
  for (double eta : {-25.5, -26.0, -27.0}) // (further out the second term is below the round-off)
    {
      const double y = std::exp(eta);
      EXPECT_NEAR((fermi_dirac_half(eta) - y) / (y * y), -std::pow(2.0, -1.5), 2e-3) << eta;
      double d = 0;
      fermi_dirac_half(eta, d);
      EXPECT_NEAR((d - y) / (y * y), -2.0 * std::pow(2.0, -1.5), 2e-3) << eta;
    }
  double d_lo = 0, d_hi = 0;
  const double lo = fermi_dirac_half(-25.0 - 1e-12, d_lo), hi = fermi_dirac_half(-25.0 + 1e-12, d_hi);
  EXPECT_NEAR(lo / hi, 1.0, 1e-10);
  EXPECT_NEAR(d_lo / d_hi, 1.0, 1e-10);
}

TEST(FermiDirac, EffectiveDensityOfStatesOfFreeElectronsAt300K)
{
  // N_c(m0, 300 K) = 2.509e25 m^-3 (Sze & Ng, Appendix: 2.5e19 cm^-3 for m = m0)
  EXPECT_NEAR(effective_density_of_states(1.0, 300.0) / 2.509e25, 1.0, 2e-3);
  // scales as m^1.5 T^1.5
  EXPECT_NEAR(effective_density_of_states(1.8, 150.0) / effective_density_of_states(1.0, 300.0),
              std::pow(1.8, 1.5) * std::pow(0.5, 1.5), 1e-12);
}

TEST(Bernoulli, IdentitiesAndDerivative)
{
  for (double x : {-300.0, -30.0, -2.0, -1e-4, 0.0, 1e-5, 0.5, 3.0, 40.0, 300.0})
    {
      if (std::abs(x) < 50)
        {
          EXPECT_NEAR(bernoulli(-x) / bernoulli(x), std::exp(x), 1e-10 * std::exp(x));
        }
      EXPECT_NEAR(bernoulli(-x) - bernoulli(x), x, 1e-10 * (1 + std::abs(x)));
      if (std::abs(x) < 100 && std::abs(x) > 1e-3)
        {
          const double h = 1e-6 * (1 + std::abs(x));
          EXPECT_NEAR(bernoulli_derivative(x), (bernoulli(x + h) - bernoulli(x - h)) / (2 * h), 1e-6);
        }
    }
}

// The fused evaluations (one exponential each, what every assembly calls) against the
// separate functions they replace, in every branch: small, moderate and large arguments,
// both signs, below and above the barrier collapse.
TEST(Bernoulli, FusedPairEqualsTheSeparateFunctions)
{
  for (double x : {-800.0, -300.0, -30.0, -2.0, -0.04, -1e-4, 0.0, 1e-5, 5e-4, 2e-3, 0.5, 3.0, 40.0, 300.0, 800.0})
    {
      const auto   B   = bernoulli_pair(x);
      const auto   rel = [](double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); };
      EXPECT_LT(rel(B.plus, bernoulli(x)), 1e-12) << x;
      EXPECT_LT(rel(B.minus, bernoulli(-x)), 1e-12) << x;
      EXPECT_LT(rel(B.d_plus, bernoulli_derivative(x)), 1e-12) << x;
      EXPECT_LT(rel(B.d_minus, -bernoulli_derivative(-x)), 1e-12) << x;
    }
}

TEST(HoppingFlux, FusedEnhancementEqualsTheSeparateFunctions)
{
  const double beta_c = 20.0;
  for (double b : {-60.0, -20.5, -19.0, -1.0, -0.049, -1e-3, 0.0, 1e-5, 0.03, 0.051, 0.7, 5.0, 19.9, 20.1, 45.0, 400.0})
    {
      const auto H = hop_enhancement_with_derivative(b, beta_c);
      EXPECT_NEAR(H.value / hop_enhancement(b, beta_c), 1.0, 1e-12) << b;
      const double d = hop_enhancement_derivative(b, beta_c);
      // the separate derivative loses ~1e-8 to cancellation just above its 1e-4 series switch
      EXPECT_NEAR(H.derivative, d, 1e-7 * std::abs(d) + 1e-300) << b;
      // and against a central difference of S, away from the kink at beta_c
      if (std::abs(std::abs(b) - beta_c) > 0.1 && std::abs(b) > 1e-3)
        {
          const double h = 1e-6 * std::abs(b);
          EXPECT_NEAR(H.derivative, (hop_enhancement(b + h, beta_c) - hop_enhancement(b - h, beta_c)) / (2 * h),
                      1e-6 * std::abs(H.derivative))
            << b;
        }
    }
  // the same clamp as sinhc at max_hop_tilt, when the collapse is further out
  const auto H = hop_enhancement_with_derivative(400.0, 500.0);
  EXPECT_DOUBLE_EQ(H.value, sinhc(400.0));
  EXPECT_EQ(H.derivative, 0.0);
}

namespace
{
  HoppingParameters sto_hopping(double cmax = INFINITY)
  {
    return HoppingParameters{0.276e-9, 1e13, 0.6 * constants::eV, cmax, 300.0};
  }
} // namespace

// SPEC 3: the hopping flux reduces to the Einstein relation at low field.
namespace
{
  // d J / d(c_i, c_j, U_i, U_j) of hopping_edge_flux against central differences
  void expect_flux_derivatives_match_finite_differences(const physics::HoppingParameters &p, double L, double ci,
                                                        double cj, double Ui, double Uj)
  {
    const auto F = hopping_edge_flux(p, L, ci, cj, Ui, Uj);
    auto J = [&](double a, double b, double u, double w) { return hopping_edge_flux(p, L, a, b, u, w).flux; };
    const double hc = 1e20, hU = 1e-25;
    EXPECT_NEAR(F.d_ci, (J(ci + hc, cj, Ui, Uj) - J(ci - hc, cj, Ui, Uj)) / (2 * hc), 1e-6 * std::abs(F.d_ci));
    EXPECT_NEAR(F.d_cj, (J(ci, cj + hc, Ui, Uj) - J(ci, cj - hc, Ui, Uj)) / (2 * hc), 1e-6 * std::abs(F.d_cj));
    EXPECT_NEAR(F.d_Ui, (J(ci, cj, Ui + hU, Uj) - J(ci, cj, Ui - hU, Uj)) / (2 * hU), 1e-5 * std::abs(F.d_Ui));
    EXPECT_NEAR(F.d_Uj, (J(ci, cj, Ui, Uj + hU) - J(ci, cj, Ui, Uj - hU)) / (2 * hU), 1e-5 * std::abs(F.d_Uj));
  }
} // namespace

TEST(VacancyFlux, EinsteinRelationAtLowField)
{
  const auto   p  = sto_hopping();
  const double kT = boltzmann * 300, z = 2, L = 0.05e-9;
  const double D  = p.diffusivity();
  const double E  = 1e5; // V/m: beta ~ 1e-3
  const double c  = 1e26, dcdx = -3e34;
  // edge i at x, j at x + L; potential falls along x for E > 0
  const double ci = c - dcdx * L / 2, cj = c + dcdx * L / 2;
  const double Ui = z * elementary_charge * (E * L / 2), Uj = -Ui;
  const double J  = hopping_edge_flux(p, L, ci, cj, Ui, Uj).flux;
  const double mu = z * elementary_charge * D / kT; // Einstein
  const double expected = -D * dcdx + mu * c * E;
  EXPECT_NEAR(J / expected, 1.0, 1e-5);
  // D = a^2 nu exp(-Ea/kT)
  EXPECT_NEAR(D / (std::pow(0.276e-9, 2) * 1e13 * std::exp(-0.6 * constants::eV / kT)), 1.0, 1e-12);
}

// SPEC 3: Mott-Gurney sinh law at 1e9 V/m, uniform density.
TEST(VacancyFlux, MottGurneySinhLawAtHighField)
{
  const auto p = sto_hopping();
  const double z = 2, c = 1e26;
  for (double E : {1e8, 5e8, 1e9, 2e9})
    for (double L : {0.01e-9, 0.1e-9, 0.276e-9})
      {
        const double dU = z * elementary_charge * E * L;
        const double J  = hopping_edge_flux(p, L, c, c, dU / 2, -dU / 2).flux;
        EXPECT_NEAR(J / (c * mott_gurney_velocity(p, z, E)), 1.0, 1e-9) << "E = " << E << " L = " << L;
      }
  // the enhancement over linear drift is large at 1e9 V/m: sinh(b)/b = 2e3 (PHYSICS-NOTES 2.2)
  const double beta = z * elementary_charge * 0.276e-9 * 1e9 / (2 * boltzmann * 300);
  EXPECT_GT(std::sinh(beta) / beta, 1.5e3);
}

// Barrier collapse (physics/vacancy_flux.h): above E_c = 2 Ea / (z e a) the
// forward hop is barrier-free; the drift velocity saturates at a nu0 on every
// edge length instead of growing as exp(z e a E / 2kT), the law is continuous
// at E_c, one-hop edges still equal the lattice rate equation (now with the
// collapsed barrier), equilibrium still gives zero flux, and the analytic
// derivatives hold above E_c. (Before: at the 6e9 V/m of the C-AFM tip's
// contact rim the sinh law gave 4e21 times a nu0.)
TEST(VacancyFlux, BarrierCollapseAboveTheCriticalField)
{
  const auto   p  = sto_hopping();
  const double z = 2, c = 1e26, kT = boltzmann * 300;
  const double Ec = 2 * p.activation_energy / (z * elementary_charge * p.hop_distance);
  EXPECT_NEAR(Ec, 2.174e9, 1e6);
  const double v_max = p.hop_distance * p.attempt_frequency;
  for (double E : {0.5 * Ec, 0.999 * Ec, 1.001 * Ec, 3e9, 6e9, 3e10, 1e12})
    for (double L : {0.01e-9, 0.06e-9, 0.276e-9, 1e-9})
      {
        const double dU = z * elementary_charge * E * L;
        const double J  = hopping_edge_flux(p, L, c, c, dU / 2, -dU / 2).flux;
        const double v  = mott_gurney_velocity(p, z, E);
        EXPECT_NEAR(J / (c * v), 1.0, 1e-9) << "E = " << E << " L = " << L;
        EXPECT_LE(v, v_max * (1 + 1e-12)) << E;
        const double J_neg = hopping_edge_flux(p, L, c, c, -dU / 2, dU / 2).flux;
        EXPECT_NEAR(J_neg, -J, 1e-12 * std::abs(J)); // antisymmetric
      }
  // saturation: a nu0 (1 - exp(-z e a E / kT)) above E_c
  EXPECT_NEAR(mott_gurney_velocity(p, z, 6e9) / v_max, 1.0, 1e-12);
  // continuity at E_c (relative jump of the velocity across 1e-9 relative field change)
  EXPECT_NEAR(mott_gurney_velocity(p, z, Ec * (1 + 1e-9)) / mott_gurney_velocity(p, z, Ec * (1 - 1e-9)), 1.0, 1e-6);
  const double beta_c = p.activation_energy / kT;
  EXPECT_NEAR(hop_enhancement(beta_c * (1 + 1e-12), beta_c) / sinhc(beta_c), 1.0, 1e-9);
  // below E_c the enhancement is sinh(beta)/beta unchanged
  for (double b : {0.0, 1e-3, 1.0, 10.0, 23.0})
    EXPECT_DOUBLE_EQ(hop_enhancement(b, beta_c), sinhc(b));

  // one-hop edges equal the lattice rate equation, barrier collapse included
  const auto pc = sto_hopping(5e27);
  for (double dU_eV : {-3.0, -1.3, 1.25, 2.0, 4.0})
    for (double ci : {1e24, 2e27, 4.9e27})
      {
        const double cj = 3e27, dU = dU_eV * constants::eV;
        const double Jd = hopping_edge_flux(pc, pc.hop_distance, ci, cj, dU, 0).flux;
        const double Jl = lattice_hopping_flux(pc, ci, cj, dU, 0);
        EXPECT_NEAR(Jd, Jl, 1e-10 * std::abs(Jl)) << dU_eV << " " << ci;
        EXPECT_LE(std::abs(Jl), v_max * 5e27 * (1 + 1e-12)); // no hop faster than nu0
      }
  // the equilibrium lattice-gas profile carries no flux above E_c either
  {
    const double dU = 0.3 * constants::eV, ti = 0.3, L = 0.01e-9; // per-hop tilt 160 kT > beta_c = 23
    const double r = ti / (1 - ti) * std::exp(dU / kT), tj = r / (1 + r);
    const double J = hopping_edge_flux(pc, L, ti * 5e27, tj * 5e27, dU, 0).flux;
    const double Pe = dU / kT;
    const double drift = pc.diffusivity() / L * bernoulli(-Pe) * ti * 5e27 * (1 - tj) *
                         hop_enhancement(Pe * pc.hop_distance / (2 * L), beta_c);
    EXPECT_LT(std::abs(J) / drift, 1e-9);
  }
  // analytic derivatives above E_c: a 0.05 V drop over a 0.005 nm edge (per-hop
  // tilt 107 kT, Pe = 3.9, where J still depends on U through the Bernoulli
  // factors; at large Pe the saturated J hardly depends on U at all)
  {
    const double L = 0.005e-9, ci = 1.2e27, cj = 3.1e26, Ui = 0.06 * constants::eV, Uj = -0.04 * constants::eV;
    expect_flux_derivatives_match_finite_differences(pc, L, ci, cj, Ui, Uj);
    const auto F = hopping_edge_flux(pc, L, ci, cj, Ui, Uj);
    EXPECT_GT(std::abs(F.d_Ui) * (Ui - Uj), 1e-3 * std::abs(F.flux)); // a derivative that matters
  }
}

// On an edge one hop long the discrete flux is exactly the lattice rate equation,
// with the lattice-gas exclusion factors.
TEST(VacancyFlux, EqualsLatticeHoppingForOneHopEdges)
{
  const auto p = sto_hopping(5e27);
  for (double dU_eV : {-0.5, -0.05, 0.0, 0.01, 0.3})
    for (double ci : {1e24, 2e27, 4.9e27})
      {
        const double cj  = 3e27;
        const double dU  = dU_eV * constants::eV;
        const double Jd  = hopping_edge_flux(p, p.hop_distance, ci, cj, dU, 0).flux;
        const double Jl  = lattice_hopping_flux(p, ci, cj, dU, 0);
        EXPECT_NEAR(Jd, Jl, 1e-10 * (std::abs(Jl) + 1e-30 + p.diffusivity() * 1e27 / p.hop_distance));
      }
}

// Zero flux for the equilibrium lattice-gas profile at any field and edge length,
// and no flux into a full site.
TEST(VacancyFlux, ZeroForEquilibriumAndBlockedIntoFullSites)
{
  const auto   p  = sto_hopping(5e27);
  const double kT = boltzmann * 300;
  for (double dU_eV : {-0.2, -0.05, 0.02, 0.15})
    {
      const double dU = dU_eV * constants::eV;
      const double ti = 0.3;
      // theta/(1-theta) ~ exp(-U/kT): U_i = dU, U_j = 0
      const double r  = ti / (1 - ti) * std::exp(dU / kT);
      const double tj = r / (1 + r);
      const double L  = 0.03e-9;
      const double J  = hopping_edge_flux(p, L, ti * 5e27, tj * 5e27, dU, 0).flux;
      // scale: the drift part alone, D0/L * B(-Pe) c_i (1 - theta_j) * sinh(beta)/beta
      const double Pe    = dU / kT;
      const double drift = p.diffusivity() / L * bernoulli(-Pe) * ti * 5e27 * (1 - tj) *
                           sinhc(Pe * p.hop_distance / (2 * L));
      EXPECT_LT(std::abs(J) / drift, 1e-12) << dU_eV;
    }
  const double J = hopping_edge_flux(p, 0.1e-9, 1e27, 5e27, 0.3 * constants::eV, 0).flux;
  EXPECT_LE(J, 0.0); // nothing enters a full node, even downhill
}

TEST(VacancyFlux, AnalyticDerivativesMatchFiniteDifferences)
{
  const auto   p = sto_hopping(5e27);
  const double L = 0.07e-9, ci = 1.2e27, cj = 3.1e26, Ui = 0.21 * constants::eV, Uj = -0.05 * constants::eV;
  expect_flux_derivatives_match_finite_differences(p, L, ci, cj, Ui, Uj);
}

TEST(Waveform, InterpolatesAndRejectsNegativeDurations)
{
  const auto w = PiecewiseLinearWaveform::parse("0 0; 1e-9 2; 2e-8 2; 2.1e-8 0", "test");
  EXPECT_DOUBLE_EQ(w.value(0.5e-9), 1.0);
  EXPECT_DOUBLE_EQ(w.value(1e-8), 2.0);
  EXPECT_DOUBLE_EQ(w.value(1.0), 0.0);
  EXPECT_EQ(w.corners().size(), 4u);
  EXPECT_THROW(PiecewiseLinearWaveform::parse("0 0; 1e-9 1; 5e-10 0", "test"), InputError);
  EXPECT_THROW(PiecewiseLinearWaveform::parse("0 0; nan 1", "test"), InputError);
  EXPECT_THROW(PiecewiseLinearWaveform::parse("0 0; 1e-9", "test"), InputError);
  const auto train = pulse_train(0.6, 50e-9, 5e-9, 1e-6, 10, 0.0, 20e-6);
  EXPECT_DOUBLE_EQ(train.value(9 * 1e-6 + 30e-9), 0.6);
  EXPECT_DOUBLE_EQ(train.value(9 * 1e-6 + 500e-9), 0.0);
}

TEST(Mesh, GradedLayersFitExactlyAndResolveInterfaces)
{
  const auto s = graded_cell_sizes(2.8e-9, 0.01e-9, 1.15, 0.1e-9, true, true);
  EXPECT_NEAR(std::accumulate(s.begin(), s.end(), 0.0), 2.8e-9, 1e-20);
  EXPECT_LE(s.front(), 0.0101e-9);
  EXPECT_LE(s.back(), 0.0101e-9);
  for (std::size_t i = 1; i < s.size(); ++i)
    EXPECT_LE(s[i] / s[i - 1], 1.1501 * 1.0001) ;
  auto p = test_support::paper_parameters();
  const auto x = device_vertices(p.device, p.mesh);
  EXPECT_NEAR(x.back(), p.device.total_thickness(), 1e-18);
  // one refinement level halves every cell
  p.mesh.refinement = 1;
  EXPECT_NEAR(double(device_vertices(p.device, p.mesh).size() - 1) / (x.size() - 1), 2.0, 0.1);
}

#include "time_stepping/bdf_integrator.h"

// The integrator cuts the step after Newton failures and, below the smallest
// step, reports the time, the step size and the residual.
TEST(Integrator, ReportsFailureWithTimeStepAndResidual)
{
  TimeSteppingParameters p;
  p.initial_step  = 1e-9;
  p.smallest_step = 1e-12;
  BdfIntegrator integ(p, {true});
  dealii::Vector<double> u0(1);
  u0[0] = 1.0;
  integ.reset(2e-6, u0);
  unsigned calls = 0;
  auto fail = [&](double, const TimeTerm &, dealii::Vector<double> &) {
    ++calls;
    NewtonResult r;
    r.converged     = false;
    r.residual_norm = 0.125;
    return r;
  };
  try
    {
      integ.advance(1e-3, {}, fail, [](double, const dealii::Vector<double> &, double, unsigned, const NewtonResult &) {});
      FAIL() << "no exception";
    }
  catch (const ConvergenceFailure &e)
    {
      EXPECT_DOUBLE_EQ(e.time, 2e-6);
      EXPECT_LT(0.25 * e.step, 1e-12); // the last step tried; a quarter of it is below the smallest step
      EXPECT_GE(e.step, 1e-12);
      EXPECT_DOUBLE_EQ(e.residual, 0.125);
      EXPECT_NE(std::string(e.what()).find("t = 2e-06 s"), std::string::npos) << e.what();
    }
  // each failure cuts the step by 4 (BDF1 from the start): 1e-9 -> below 1e-12 in 5 tries
  EXPECT_EQ(calls, 5u);
}

// A decaying linear ODE dc/dt = -c/tau through the integrator: BDF error
// control keeps the solution within tolerance of exp(-t/tau).
TEST(Integrator, AdaptiveStepsFollowAnExponentialDecay)
{
  TimeSteppingParameters p;
  p.relative_tolerance = 1e-4;
  p.absolute_tolerance = 1e-10;
  p.initial_step       = 1e-9;
  BdfIntegrator integ(p, {true});
  dealii::Vector<double> u0(1);
  u0[0] = 1.0;
  integ.reset(0.0, u0);
  const double tau = 1e-6;
  auto solve = [&](double, const TimeTerm &tt, dealii::Vector<double> &u) {
    // a0 u + history + u/tau = 0
    u[0] = -(*tt.history)[0] / (tt.a0 + 1.0 / tau);
    NewtonResult r;
    r.converged  = true;
    r.iterations = 1;
    return r;
  };
  double worst = 0;
  unsigned steps = 0;
  integ.advance(1e-5, {}, solve, [&](double t, const dealii::Vector<double> &u, double, unsigned, const NewtonResult &) {
    worst = std::max(worst, std::abs(u[0] - std::exp(-t / tau)));
    ++steps;
  });
  EXPECT_DOUBLE_EQ(integ.time(), 1e-5);
  EXPECT_LT(worst, 2e-3);
  EXPECT_LT(steps, 400u); // adaptive, not 1e4 steps of the initial size
}

// A stop (a waveform corner or an output time) restarts the integrator at order 1, but the
// step after it stays error-controlled: after a quiet stretch (the steps have grown to
// ~0.5 us) and a 1 ns edge, a 20 ns pulse in which the state decays with tau = 2 ns is not
// one unchecked step of the size the quiet stretch left. Before the fix it was one implicit
// Euler step (u / 11 where the exact decay is e^-10), whatever the tolerance; in the PDE
// every pulse went so, and the results depended on the output times by a factor 2.
namespace
{
  /// dc/dt = -k(t) c with k = 0 before t1, rising linearly to 1/tau over [t1, t1 + edge],
  /// 1/tau after; exact c = exp(-int k).
  struct SwitchedDecay
  {
    double t1 = 1e-6, edge = 1e-9, tau = 2e-9;
    static TimeSteppingParameters settings()
    {
      TimeSteppingParameters p;
      p.relative_tolerance = 1e-4;
      p.absolute_tolerance = 1e-12;
      p.initial_step       = 1e-12;
      return p;
    }
    double rate(double t) const { return t <= t1 ? 0.0 : (t >= t1 + edge ? 1.0 / tau : (t - t1) / edge / tau); }
    double exact(double t) const
    {
      if (t <= t1)
        return 1.0;
      if (t <= t1 + edge)
        return std::exp(-0.5 * (t - t1) * (t - t1) / edge / tau);
      return std::exp(-0.5 * edge / tau - (t - t1 - edge) / tau);
    }
    NewtonResult operator()(double t, const TimeTerm &tt, dealii::Vector<double> &u) const
    {
      u[0] = -(*tt.history)[0] / (tt.a0 + rate(t));
      NewtonResult r;
      r.converged  = true;
      r.iterations = 1;
      return r;
    }
  };
} // namespace

TEST(Integrator, StepAfterAStopIsErrorControlled)
{
  const TimeSteppingParameters p = SwitchedDecay::settings();
  const SwitchedDecay          f;
  dealii::Vector<double> u0(1);
  u0[0] = 1.0;
  BdfIntegrator integ(p, {true});
  integ.reset(0.0, u0);
  auto     none  = [](double, const dealii::Vector<double> &, double, unsigned, const NewtonResult &) {};
  unsigned steps = 0;
  // stops as TransientSimulation::integrate_waveform makes them: one advance per corner
  integ.advance(f.t1, {}, std::cref(f), none);
  integ.advance(f.t1 + f.edge, {}, std::cref(f), none);
  integ.advance(f.t1 + f.edge + 2e-8, {}, std::cref(f),
                [&](double, const dealii::Vector<double> &, double, unsigned, const NewtonResult &) { ++steps; });
  const double t = f.t1 + f.edge + 2e-8;
  EXPECT_DOUBLE_EQ(integ.time(), t);
  EXPECT_GT(steps, 10u);
  EXPECT_NEAR(integ.solution()[0] / f.exact(t), 1.0, 0.05);
}

// The result does not depend on the stops: the same pulse integrated with and without
// output times inside it agrees to the tolerance.
TEST(Integrator, ResultDoesNotDependOnTheStopsAfterAStop)
{
  const TimeSteppingParameters p = SwitchedDecay::settings();
  const SwitchedDecay          f;
  auto none = [](double, const dealii::Vector<double> &, double, unsigned, const NewtonResult &) {};
  dealii::Vector<double> u0(1);
  u0[0] = 1.0;
  BdfIntegrator plain(p, {true}), stopped(p, {true});
  plain.reset(0.0, u0);
  stopped.reset(0.0, u0);
  const double t_end = f.t1 + f.edge + 2e-8;
  for (double t : {f.t1, f.t1 + f.edge, t_end})
    plain.advance(t, {}, std::cref(f), none);
  for (double t : {f.t1, f.t1 + f.edge, f.t1 + f.edge + 1e-8, t_end}) // an output time mid-pulse
    stopped.advance(t, {}, std::cref(f), none);
  EXPECT_NEAR(plain.solution()[0] / f.exact(t_end), 1.0, 0.05);
  EXPECT_NEAR(stopped.solution()[0] / plain.solution()[0], 1.0, 0.05);
}
