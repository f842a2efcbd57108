// Limits of the Tsu-Esaki junction current (SPEC 7, PHYSICS-NOTES 3.6):
// Richardson-Dushman for a thick barrier, Simmons low and intermediate voltage
// for a rectangular barrier, the Fowler-Nordheim slope for a triangular
// barrier, the exact transmission of a rectangular barrier by transfer
// matrices, zero current at zero bias, odd current for a symmetric barrier.
#include "current/tsu_esaki_current.h"
#include "physics/constants.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace otj;
using namespace otj::constants;

namespace
{
  constexpr double eV_ = elementary_charge;

  /// Ec linear from Ec0 (x = 0, Pt side) to Ec1 (x = d), n segments, mass m.
  BandProfile linear_profile(double Ec0, double Ec1, double d, unsigned n = 200, double m = 1.0)
  {
    BandProfile p;
    for (unsigned i = 0; i <= n; ++i)
      {
        p.x.push_back(d * i / n);
        p.Ec.push_back(Ec0 + (Ec1 - Ec0) * i / n);
      }
    p.mass.assign(n, m);
    return p;
  }

  TsuEsakiParameters bias(double V, double T, unsigned points = 8001)
  {
    TsuEsakiParameters par;
    par.temperature     = T;
    par.fermi_pt        = -elementary_charge * V;
    par.fermi_substrate = 0;
    par.lowest_energy   = std::min(par.fermi_pt, 0.0) - 1.0 * eV_;
    par.energy_points   = points;
    return par;
  }

  double richardson_constant(double m) { return 4 * pi * elementary_charge * m * electron_mass * boltzmann * boltzmann / std::pow(planck, 3); }
} // namespace

TEST(TsuEsaki, RichardsonDushmanForThickBarrier)
{
  for (double V : {0.05, 0.1, -0.1})
    {
      const double T = 300, phi = 0.6 * eV_;
      // barrier fixed to the metal: phi above the Pt Fermi level, 30 nm thick
      const auto   par = bias(V, T);
      const auto   p   = linear_profile(par.fermi_pt + phi, par.fermi_pt + phi, 30e-9, 10);
      const double J   = TsuEsakiCurrent::current(p, par).current_density;
      const double kT  = boltzmann * T;
      const double Jr  = richardson_constant(1.0) * T * T * std::exp(-phi / kT) * (std::exp(elementary_charge * V / kT) - 1);
      EXPECT_NEAR(J / Jr, 1.0, 0.10) << "V = " << V;
    }
  EXPECT_NEAR(richardson_constant(1.0), 1.2017e6, 1e3); // A m^-2 K^-2
}

TEST(TsuEsaki, SimmonsLowAndIntermediateVoltage)
{
  const double d = 2e-9, phi0 = 1.0 * eV_, m = electron_mass;
  const double Acoef = 4 * pi * d * std::sqrt(2 * m) / planck;
  for (double V : {0.01, 0.3})
    {
      const auto par = bias(V, 10.0, 20001);
      // symmetric metals: Ec = E_F,Pt + phi0 at x = 0, E_F,sub + phi0 at x = d
      const auto   p   = linear_profile(par.fermi_pt + phi0, phi0, d);
      const double J   = TsuEsakiCurrent::current(p, par).current_density;
      const double qV  = elementary_charge * V;
      const double pb  = phi0 - qV / 2; // Simmons mean barrier
      const double Js  = elementary_charge / (2 * pi * planck * d * d) *
                        (pb * std::exp(-Acoef * std::sqrt(pb)) - (pb + qV) * std::exp(-Acoef * std::sqrt(pb + qV)));
      // Simmons linearises the exponent in energy (terms O(1/(A sqrt(phi))) ~ 5 %
      // each are dropped, A sqrt(phi) = 20 here): the exact WKB integral lies
      // 16-19 % above his formula
      EXPECT_NEAR(J / Js, 1.0, 0.25) << "V = " << V;
      if (V < 0.05)
        {
          // low-voltage form J = (e^2 sqrt(2 m phi) / (h^2 d)) V exp(-A sqrt(phi))
          const double Jl = elementary_charge * elementary_charge * std::sqrt(2 * m * phi0) / (planck * planck * d) * V *
                            std::exp(-Acoef * std::sqrt(phi0));
          EXPECT_NEAR(J / Jl, 1.0, 0.10);
        }
    }
}

TEST(TsuEsaki, FowlerNordheimSlopeForTriangularBarrier)
{
  const double phi = 0.5 * eV_, d = 10e-9;
  std::vector<double> inv_F, ln_J_F2;
  for (double F : {3e8, 4e8, 5e8, 6e8})
    {
      const double V   = F * d; // >> phi/e: triangular barrier
      auto         par = bias(V, 5.0, 40001);
      par.lowest_energy = -0.5 * eV_;
      // emitter: the substrate (E_F = 0), barrier phi at its interface, falling toward the Pt
      const auto   p = linear_profile(phi - elementary_charge * F * d, phi, d, 400);
      const double J = TsuEsakiCurrent::current(p, par).current_density;
      inv_F.push_back(1 / F);
      ln_J_F2.push_back(std::log(J / (F * F)));
      // FN magnitude (t(y) = v(y) = 1, T = 0): within 30 %
      const double Jfn = std::pow(elementary_charge, 3) * F * F / (8 * pi * planck * phi) *
                         std::exp(-8 * pi * std::sqrt(2 * electron_mass) * std::pow(phi, 1.5) / (3 * elementary_charge * planck * F));
      EXPECT_NEAR(J / Jfn, 1.0, 0.3) << "F = " << F;
    }
  const double slope = (ln_J_F2.back() - ln_J_F2.front()) / (inv_F.back() - inv_F.front());
  const double fn    = -8 * pi * std::sqrt(2 * electron_mass) * std::pow(phi, 1.5) / (3 * elementary_charge * planck);
  EXPECT_NEAR(slope / fn, 1.0, 0.05);
}

TEST(TsuEsaki, TransferMatrixMatchesExactRectangularBarrier)
{
  const double V0 = 0.5 * eV_, d = 1e-9, m = electron_mass;
  const auto   p  = linear_profile(V0, V0, d, 4);
  for (double E_eV : {0.05, 0.25, 0.45, 0.7, 1.3})
    {
      const double E = E_eV * eV_;
      double       exact;
      if (E < V0)
        {
          const double kappa = std::sqrt(2 * m * (V0 - E)) / hbar;
          exact = 1 / (1 + V0 * V0 * std::pow(std::sinh(kappa * d), 2) / (4 * E * (V0 - E)));
        }
      else
        {
          const double k = std::sqrt(2 * m * (E - V0)) / hbar;
          exact = 1 / (1 + V0 * V0 * std::pow(std::sin(k * d), 2) / (4 * E * (E - V0)));
        }
      const double tm = TsuEsakiCurrent::transfer_matrix_transmission(p, E, 0.0, 0.0, 50);
      EXPECT_NEAR(tm / exact, 1.0, 1e-8) << "E = " << E_eV << " eV";
      if (E < V0)
        {
          // WKB keeps the exponent: ln T agrees to within the prefactor 16 E (V0 - E) / V0^2
          const double wkb = TsuEsakiCurrent::wkb_transmission(p, E);
          EXPECT_NEAR(std::log(wkb * 16 * E * (V0 - E) / (V0 * V0)) / std::log(exact), 1.0, 0.05);
        }
    }
}

TEST(TsuEsaki, ZeroAtZeroBiasAndOddForSymmetricBarrier)
{
  const double phi0 = 0.4 * eV_, d = 2.8e-9;
  auto         par0 = bias(0.0, 300);
  const auto   p0   = linear_profile(phi0, phi0, d);
  EXPECT_EQ(TsuEsakiCurrent::current(p0, par0).current_density, 0.0);
  // the same limit through the energy integral (at exactly equal Fermi levels the integral is
  // skipped): ohmic at small bias, J(2 dV) = 2 J(dV) and J(-dV) = -J(dV), on an asymmetric profile
  {
    const auto asym = linear_profile(phi0 + 0.2 * eV_, phi0, d);
    const double J1 = TsuEsakiCurrent::current(asym, bias(1e-5, 300)).current_density;
    const double J2 = TsuEsakiCurrent::current(asym, bias(2e-5, 300)).current_density;
    const double Jm = TsuEsakiCurrent::current(asym, bias(-1e-5, 300)).current_density;
    EXPECT_GT(J1, 0.0);
    EXPECT_NEAR(J2 / J1, 2.0, 1e-3);
    EXPECT_NEAR(Jm / J1, -1.0, 1e-3);
    const auto zero = TsuEsakiCurrent::current(asym, par0);
    EXPECT_EQ(zero.current_density, 0.0);
    EXPECT_EQ(zero.barrier_top, asym.top()); // the profile's data still reported
  }
  for (double V : {0.05, 0.2, 0.5})
    {
      auto       pp = bias(V, 300), pm = bias(-V, 300);
      pp.lowest_energy = pm.lowest_energy = -elementary_charge * V - 1.0 * eV_;
      const auto ap = linear_profile(pp.fermi_pt + phi0, phi0, d);
      const auto am = linear_profile(pm.fermi_pt + phi0, phi0, d);
      const double Jp = TsuEsakiCurrent::current(ap, pp).current_density;
      const double Jm = TsuEsakiCurrent::current(am, pm).current_density;
      EXPECT_GT(Jp, 0.0);
      EXPECT_NEAR(Jm / Jp, -1.0, 1e-3) << "V = " << V;
    }
}

TEST(TsuEsaki, EnergySharesSeparateEmissionFromTunnelling)
{
  // thick barrier: emission over the top; thin barrier at low T: tunnelling
  auto         par = bias(0.1, 300);
  const auto   thick = linear_profile(par.fermi_pt + 0.6 * eV_, par.fermi_pt + 0.6 * eV_, 30e-9, 10);
  const auto   r1    = TsuEsakiCurrent::current(thick, par);
  EXPECT_GT(r1.above_barrier / r1.current_density, 0.95);
  auto         cold = bias(0.1, 20, 20001);
  const auto   thin = linear_profile(cold.fermi_pt + 1.0 * eV_, 1.0 * eV_, 2e-9);
  const auto   r2   = TsuEsakiCurrent::current(thin, cold);
  EXPECT_GT(r2.below_barrier / r2.current_density, 0.99);
  EXPECT_GT(r2.shares().field, 0.99);
  EXPECT_NEAR(r2.shares().thermionic + r2.shares().thermionic_field + r2.shares().field, 1.0, 1e-12);
}

// Thermionic-field emission through a parabolic (Schottky depletion) barrier:
// the current's energy distribution peaks at E_m = V_bb / cosh^2(E00/kT) above
// the bulk band edge, E00 = (e hbar / 2) sqrt(N / (m eps)) (Padovani & Stratton,
// Solid-State Electron. 9, 695 (1966); Rhoderick & Williams, Metal-Semiconductor
// Contacts, 2nd ed., eq. 3.19). The mean energy of the computed current must sit
// there; a factor 2 in E00 moves it by > 0.1 eV.
TEST(TsuEsaki, ThermionicFieldEmissionPeaksAtPadovaniStrattonEnergy)
{
  const double T = 300, kT = boltzmann * T, eps = 10 * vacuum_permittivity, Vbb = 0.5 * eV_, offset = 0.1 * eV_;
  for (const double ratio : {0.5, 1.0})
    {
      const double E00 = ratio * kT;
      const double N   = std::pow(2 * E00 / (elementary_charge * hbar), 2) * electron_mass * eps;
      const double W   = std::sqrt(2 * eps * Vbb / (elementary_charge * elementary_charge * N));
      BandProfile  p;
      const unsigned n = 2000;
      for (unsigned i = 0; i <= n; ++i)
        {
          const double x = W * i / n;
          p.x.push_back(x);
          p.Ec.push_back(offset + Vbb * std::pow(1 - x / W, 2));
        }
      p.mass.assign(n, 1.0);
      auto par          = bias(0.1, T);
      par.lowest_energy = offset;
      const auto s      = TsuEsakiCurrent::current(p, par).shares();
      const double Em   = offset + Vbb / std::pow(std::cosh(ratio), 2);
      EXPECT_NEAR(s.mean_energy / eV_, Em / eV_, 0.03) << "E00/kT = " << ratio;
      EXPECT_NEAR(s.barrier / eV_, 0.6, 1e-9);
      EXPECT_GT(s.thermionic_field, 0.5) << "E00/kT = " << ratio;
      EXPECT_STREQ(s.dominant(), "thermionic-field emission");
    }
}

#include "simulation/transient_simulation.h"
#include "test_helpers.h"

namespace
{
  /// The paper device without file output, driven by `waveform`.
  RunParameters quiet_paper_run(const char *waveform)
  {
    auto p = test_support::paper_parameters();
    p.output.write_vtu = p.output.write_profiles = false;
    p.experiment.output_times = {};
    p.experiment.waveform = PiecewiseLinearWaveform::parse(waveform, "test");
    return p;
  }
} // namespace

// The current of a PDE state comes from its computed band profile: zero at
// zero bias (detailed balance of the two Fermi seas), and the paper's
// positive write lowers the 0.1 V read resistance (SPEC 2 direction).
TEST(JunctionCurrentFromPde, ZeroAtZeroBiasAndPositiveWriteLowersResistance)
{
  const auto p = quiet_paper_run("0 0; 1e-7 2.2; 1e-3 2.2; 1.001e-3 0");
  TransientSimulation sim(p, true);
  sim.solve_initial_state();
  EXPECT_EQ(sim.junction_current(sim.state(), 0.0).current_density, 0.0);
  const auto before = sim.read(sim.state(), 0.1);
  EXPECT_GT(before.resistance, 0.0);
  EXPECT_TRUE(std::isfinite(before.resistance));
  sim.integrate_waveform(false);
  const auto after = sim.read(sim.state(), 0.1);
  EXPECT_LT(after.resistance, 0.5 * before.resistance);
  // forward and reverse reads have opposite currents
  EXPECT_LT(sim.junction_current(sim.state(), -0.1).current_density, 0.0);
  // the run's energy grid (kT/8) against a 16 times finer one, at read and write voltages
  for (double V : {0.1, 1.0, 2.2, -2.0})
    {
      const double coarse = sim.junction_current(sim.state(), V).current_density;
      const double fine   = sim.junction_current(sim.state(), V, boltzmann * 300 / 128).current_density;
      EXPECT_NEAR(coarse / fine, 1.0, 1e-2) << "V = " << V;
    }
}

// Image-force (Schottky) lowering: a uniform-field barrier phi - eFx loses
// dphi = sqrt(e^3 F / (4 pi eps0 eps_if)) at x_m = sqrt(e / (16 pi eps0 eps_if F)),
// and the emission over the top grows by exp(dphi/kT). (The total current
// grows less: thermally assisted tunnelling through the sharp unlowered tip
// already adds to the current without image force.)
TEST(TsuEsaki, ImageForceLowersTheBarrierBySchottkyEffect)
{
  const double phi = 0.8 * eV_, F = 2e6, eps_if = 5.5, d = 300e-9, T = 300; // TE regime: no tunnelling through the tip
  auto         par = bias(0.1, T);
  auto         p   = linear_profile(par.fermi_pt + phi, par.fermi_pt + phi - elementary_charge * F * d, d, 4000);
  // emission over the top (the part of the current above the barrier maximum)
  const double J0  = TsuEsakiCurrent::current(p, par).above_barrier;
  add_image_force_lowering(p, eps_if, 0.0);
  const double dphi = std::sqrt(std::pow(elementary_charge, 3) * F / (4 * pi * vacuum_permittivity * eps_if));
  EXPECT_NEAR((par.fermi_pt + phi - p.top()) / dphi, 1.0, 0.01);
  const double J1 = TsuEsakiCurrent::current(p, par).above_barrier;
  EXPECT_NEAR(std::log(J1 / J0) / (dphi / (boltzmann * T)), 1.0, 0.03);
}

// The WKB exponent evaluated node by node (one (Ec - E)^{3/2} per node, shared by both
// segments) equals the exact integral of kappa over each linear segment written out segment
// by segment (hi^{3/2} - lo^{3/2} over the forbidden part): on a profile with rising, falling,
// exactly flat and nearly flat segments, segments forbidden only in part and a mass per
// segment, at energies below, inside and near the top of the barrier. A wrong share of a
// partly forbidden segment or a flat segment counted twice moves ln T by far more than 1e-9.
TEST(TsuEsaki, WkbExponentEqualsTheSegmentIntegrals)
{
  const double eV = elementary_charge;
  BandProfile  p;
  p.x    = {0, 0.3e-9, 0.7e-9, 1.0e-9, 1.4e-9, 1.9e-9, 2.3e-9, 2.8e-9, 3.5e-9, 5e-9};
  p.Ec   = {1.1 * eV, 0.9 * eV, 0.9 * eV, (0.9 + 1e-12) * eV, 0.6 * eV, 0.75 * eV, 0.2 * eV, -0.1 * eV, 0.05 * eV, 0.0};
  p.mass = {1.0, 1.0, 0.8, 0.8, 1.2, 1.2, 0.5, 0.5, 1.0};
  auto reference = [&](double E) {
    double S = 0;
    for (std::size_t k = 0; k + 1 < p.x.size(); ++k)
      {
        const double a = p.Ec[k] - E, b = p.Ec[k + 1] - E, L = p.x[k + 1] - p.x[k];
        const double root = std::sqrt(2 * p.mass[k] * electron_mass) / hbar;
        if (std::abs(b - a) < 1e-6 * eV) // flat: kappa at the midpoint times the length
          {
            S += root * std::sqrt(std::max(0.5 * (a + b), 0.0)) * L;
            continue;
          }
        const double hi = std::max(a, b), lo = std::max(std::min(a, b), 0.0);
        if (hi > 0)
          S += root * L / std::abs(b - a) * (2.0 / 3.0) * (std::pow(hi, 1.5) - std::pow(lo, 1.5));
      }
    return -2 * S;
  };
  const WkbExponent wkb(p);
  for (double E_eV : {-0.3, 0.0, 0.1, 0.5, 0.7, 0.85, 0.9, 0.95, 1.05, 1.099})
    {
      const double E = E_eV * eV, expected = reference(E);
      EXPECT_NEAR(std::log(wkb.transmission(E)) / expected, 1.0, 1e-9) << "E = " << E_eV << " eV";
      EXPECT_EQ(TsuEsakiCurrent::wkb_transmission(p, E), wkb.transmission(E));
    }
  EXPECT_EQ(wkb.transmission(1.2 * eV), 1.0); // above the whole profile
}

#include "experiments/temperature_dependence.h"

// The Richardson-plot fit: exact on synthetic A T^2 exp(-E/kT) data; fitting
// ln(I) instead of ln(I/T^2) must shift the activation energy by 2 k<T>, so
// a wrong temperature power is caught.
TEST(ArrheniusFit, RecoversTheActivationEnergyOfRichardsonData)
{
  const std::vector<double> T{250, 275, 300, 325, 350};
  std::vector<double>       I;
  for (double t : T)
    I.push_back(3e-4 * t * t * std::exp(-0.7 * eV_ / (boltzmann * t)));
  const auto f = arrhenius_fit(T, I, 2.0);
  EXPECT_NEAR(f.activation_energy / eV_, 0.7, 1e-9);
  EXPECT_NEAR(f.log_prefactor, std::log(3e-4), 1e-6);
  EXPECT_LT(f.rms, 1e-9);
  EXPECT_EQ(f.points, 5u);
  const auto g = arrhenius_fit(T, I, 0.0);
  EXPECT_NEAR((g.activation_energy - f.activation_energy) / (2 * boltzmann * 300), 1.0, 0.05);
  EXPECT_THROW(arrhenius_fit({300, 300}, {1e-9, 2e-9}), std::invalid_argument);
  EXPECT_THROW(arrhenius_fit({300, 350}, {1e-9, -1.0}), std::invalid_argument);
}

// The Tsu-Esaki current's temperature dependence: over a thick barrier the
// Richardson plot at a forward read V gives phi_B - qV (Sze & Ng eq. 3.5);
// through a thin high barrier (tunnelling at the Fermi level) the current
// hardly depends on temperature.
TEST(TsuEsaki, RichardsonPlotGivesTheBarrierOfEmissionAndNoneOfTunnelling)
{
  const std::vector<double> T{250, 275, 300, 325, 350};
  const double              phi = 0.6 * eV_, V = 0.1;
  std::vector<double>       thick, thin;
  for (double t : T)
    {
      const auto par = bias(V, t);
      thick.push_back(TsuEsakiCurrent::current(linear_profile(par.fermi_pt + phi, par.fermi_pt + phi, 30e-9, 10), par)
                        .current_density);
      thin.push_back(TsuEsakiCurrent::current(linear_profile(par.fermi_pt + 2.0 * eV_, 2.0 * eV_, 1.5e-9), par)
                       .current_density);
    }
  EXPECT_NEAR(arrhenius_fit(T, thick).activation_energy / eV_, 0.5, 0.01);
  // a temperature-independent current: ln(I) flat, the Richardson plot's slope then -2 k<T>
  EXPECT_LT(std::abs(arrhenius_fit(T, thin, 0.0).activation_energy / eV_), 0.01);
  EXPECT_NEAR(arrhenius_fit(T, thin).activation_energy / (-2 * boltzmann * 300), 1.0, 0.25);
}

// Reads of the paper device at several temperatures: at the run's own
// temperature they are the run's read; the pristine (HRS) state's read current
// is thermally activated, the written LRS's far less (tunnelling in the Fermi window
// and thermionic-field emission just above it).
TEST(TemperatureDependence, PristineReadIsThermallyActivatedAndTheWrittenLrsFarLess)
{
  const auto p = quiet_paper_run("0 0; 1e-7 2.2; 0.1 2.2; 0.1000001 0; 0.11 0");
  TransientSimulation sim(p, true);
  sim.solve_initial_state();
  const dealii::Vector<double> pristine = sim.state();
  const double                 R_pristine = sim.read(pristine, 0.1).resistance;
  sim.integrate_waveform(false);
  const dealii::Vector<double> lrs   = sim.state();
  const double                 R_lrs = sim.read(lrs, 0.1).resistance;
  const std::vector<double>    T{250, 300, 350};
  const auto                   reads = reads_at_temperatures(p, {pristine, lrs}, T, 0.1);
  ASSERT_EQ(reads.size(), 2u);
  ASSERT_EQ(reads[0].size(), 3u);
  EXPECT_NEAR(reads[0][1].resistance / R_pristine, 1.0, 1e-8);
  EXPECT_NEAR(reads[1][1].resistance / R_lrs, 1.0, 1e-8);
  std::vector<double> I_hrs, I_lrs;
  for (unsigned k = 0; k < T.size(); ++k)
    {
      I_hrs.push_back(reads[0][k].current);
      I_lrs.push_back(reads[1][k].current);
    }
  // a state of another mesh is refused
  EXPECT_THROW(reads_at_temperatures(p, {dealii::Vector<double>(10)}, T, 0.1), std::invalid_argument);
  // an activated current: more than 8 kT at 300 K, and the current grows >= 20x from 250 to 350 K
  EXPECT_GT(arrhenius_fit(T, I_hrs).activation_energy, 8 * boltzmann * 300);
  EXPECT_GT(I_hrs[2] / I_hrs[0], 20.0);
  // mostly tunnelling: ln(I) rises by less than a third of the HRS's per unit of 1/kT (measured
  // on the calibrated landscape: 0.082 against 0.38 eV; 3.0x against > 20x from 250 to 350 K),
  // and the current crossing in the Fermi window (field emission) carries most of it
  const double Ea_hrs = arrhenius_fit(T, I_hrs, 0.0).activation_energy,
               Ea_lrs = arrhenius_fit(T, I_lrs, 0.0).activation_energy;
  std::printf("read activation (Arrhenius, no prefactor): HRS %.3f eV, LRS %.3f eV; I(350 K)/I(250 K): %.3g, %.3g\n",
              Ea_hrs / eV_, Ea_lrs / eV_, I_hrs[2] / I_hrs[0], I_lrs[2] / I_lrs[0]);
  EXPECT_LT(std::abs(Ea_lrs), Ea_hrs / 3);
  EXPECT_LT(I_lrs[2] / I_lrs[0], 5.0);
  // what is activated (issue 3: HRS by emission over the barrier): the pristine read crosses the
  // Nb:STO depletion region's top, not the film's (the MIS tunnel diode of Card & Rhoderick), and
  // its Richardson-plot activation energy is that barrier, not the junction's top; the LRS has
  // no substrate barrier above 3 kT and tunnels in the Fermi window
  const auto &hrs = reads[0][1].shares;
  EXPECT_GT(hrs.schottky_emission, 0.5);
  EXPECT_STREQ(hrs.dominant(), "emission over the substrate's Schottky barrier with tunnelling through the film");
  EXPECT_GT(hrs.substrate_barrier, 6 * boltzmann * 300);
  EXPECT_NEAR(arrhenius_fit(T, I_hrs).activation_energy / hrs.substrate_barrier, 1.0, 0.25)
    << "substrate barrier " << hrs.substrate_barrier / eV_ << " eV, junction top " << hrs.barrier / eV_ << " eV";
  EXPECT_LT(hrs.substrate_barrier, 0.5 * hrs.barrier);
  // each read carries its energy spectrum, which integrates to the read current
  ASSERT_GT(reads[0][1].spectrum.size(), 100u);
  {
    double J = 0;
    const auto &sp = reads[0][1].spectrum;
    for (std::size_t k = 0; k + 1 < sp.size(); ++k)
      J += 0.5 * (sp[k].density + sp[k + 1].density) * (sp[k + 1].energy - sp[k].energy);
    EXPECT_NEAR(J * p.device.electrode_area / reads[0][1].current, 1.0, 2e-3);
  }
  const auto &lrs_shares = reads[1][1].shares;
  EXPECT_EQ(lrs_shares.schottky_emission, 0.0);
  EXPECT_STREQ(lrs_shares.dominant(), "field emission / direct tunnelling");
}

// A metal / thin film / semiconductor junction (MIS tunnel diode): a 2 nm film of 1.0 eV
// on a 15 nm plateau of 0.35 eV standing for the semiconductor's depletion barrier. Below
// 0.35 eV nothing crosses the plateau; above it the electrons are emitted over the
// substrate barrier and tunnel through the film (Card & Rhoderick, J. Phys. D 4, 1589
// (1971)). The Schottky-emission part of the current equals that integral computed here
// independently (exact WKB exponent of the rectangular film); a substrate barrier within
// 3 kT of the Fermi level is no barrier, and then no current counts as emitted over it.
TEST(TsuEsaki, EmissionOverTheSubstratesSchottkyBarrierThroughTheFilm)
{
  const double T = 300, kT = boltzmann * T, U = 1.0 * eV_, d = 2e-9, phis = 0.35 * eV_, V = 0.1;
  BandProfile  p;
  const double W = 15e-9;
  p.x  = {0, d, d + 1e-13, d + W, d + W + 0.5e-9};
  p.Ec = {U, U, phis, phis, -0.05 * eV_};
  p.mass.assign(4, 1.0);
  auto par              = bias(V, T, 16001);
  par.lowest_energy     = -0.05 * eV_;
  par.substrate_barrier = phis;
  const auto r = TsuEsakiCurrent::current(p, par);
  const auto s = r.shares();
  // the independent integral from the substrate barrier to the film's top (Simpson, 20001 nodes)
  const double pref = elementary_charge * electron_mass * kT / (2 * pi * pi * hbar * hbar * hbar);
  const unsigned n  = 20001;
  double         J  = 0;
  for (unsigned i = 0; i < n; ++i)
    {
      const double E      = phis + (U - phis) * i / (n - 1);
      const double Tr     = std::exp(-2 * d * std::sqrt(2 * electron_mass * std::max(U - E, 0.0)) / hbar);
      const double supply = std::log1p(std::exp(-E / kT)) - std::log1p(std::exp((par.fermi_pt - E) / kT));
      const double w      = (i == 0 || i == n - 1) ? 1.0 : (i % 2 ? 4.0 : 2.0);
      J += pref * Tr * supply * w * (U - phis) / (n - 1) / 3;
    }
  // (the code's Simpson grid does not put a node on 0.35 eV: a few 1e-3 of cut-off error)
  EXPECT_NEAR(r.over_substrate_barrier / J, 1.0, 5e-3);
  EXPECT_NEAR(s.substrate_barrier / eV_, 0.35, 1e-12);
  // the plateau blocks tunnelling below its top: the thermally excited current is emitted over it
  EXPECT_GT(s.schottky_emission / s.thermionic_field, 0.99);
  EXPECT_GT(s.schottky_emission, 0.5);
  EXPECT_STREQ(s.dominant(), "emission over the substrate's Schottky barrier with tunnelling through the film");
  // the current is activated with the substrate barrier, not with the film's top (1.0 eV)
  std::vector<double> Ts{250, 300, 350}, I;
  for (double t : Ts)
    {
      auto q = bias(V, t, 16001);
      q.lowest_energy = -0.05 * eV_, q.substrate_barrier = phis;
      I.push_back(TsuEsakiCurrent::current(p, q).current_density);
    }
  // (the Richardson plot's slope: phi_s plus the energy gained in the film's transmission,
  // phi_s + b (kT)^2 / (1 - b kT) with b = d ln T_film / dE at phi_s: 0.363 eV; a kT missing from
  // the supply's prefactor gives 0.336 eV)
  const double Ea = arrhenius_fit(Ts, I).activation_energy / eV_;
  EXPECT_GT(Ea, 0.345);
  EXPECT_LT(Ea, 0.38);
  // the spectrum (the integrand at every node) integrates to the current and gives its mean energy
  {
    std::vector<SpectrumPoint> spectrum;
    auto                       q = par;
    q.spectrum                   = &spectrum;
    const auto   rq = TsuEsakiCurrent::current(p, q);
    double       Js = 0, Ms = 0;
    for (std::size_t k = 0; k + 1 < spectrum.size(); ++k)
      {
        const double dE = spectrum[k + 1].energy - spectrum[k].energy;
        Js += 0.5 * (spectrum[k].density + spectrum[k + 1].density) * dE;
        Ms += 0.5 * (spectrum[k].density * spectrum[k].energy + spectrum[k + 1].density * spectrum[k + 1].energy) * dE;
      }
    EXPECT_GT(spectrum.size(), 1000u);
    EXPECT_NEAR(Js / rq.current_density, 1.0, 1e-3);
    EXPECT_NEAR((Ms / Js - rq.fermi_high) / rq.shares().mean_energy, 1.0, 1e-3);
    EXPECT_EQ(rq.current_density, r.current_density); // the spectrum changes nothing
  }
  // reverse bias (electrons from the Pt, whose Fermi level is then the higher one): they tunnel
  // through the film and can enter the substrate only above its barrier, so the thermally
  // excited current is again carried over it, and the barrier is quoted from the Pt's Fermi level
  {
    auto rev              = bias(-V, T, 16001);
    rev.lowest_energy     = -0.05 * eV_;
    rev.substrate_barrier = phis;
    const auto rr = TsuEsakiCurrent::current(p, rev);
    const auto sr = rr.shares();
    EXPECT_LT(rr.current_density, 0.0);
    EXPECT_GT(sr.schottky_emission / sr.thermionic_field, 0.99);
    EXPECT_GT(sr.schottky_emission, 0.5);
    EXPECT_NEAR(sr.substrate_barrier / eV_, 0.35 - V, 1e-12);
  }
  // a substrate "barrier" within 3 kT of the Fermi level: nothing is emitted over it
  par.substrate_barrier = 2 * kT;
  EXPECT_EQ(TsuEsakiCurrent::current(p, par).shares().schottky_emission, 0.0);
  // no substrate barrier marked: the three ranges as before
  par.substrate_barrier = -std::numeric_limits<double>::infinity();
  const auto s0         = TsuEsakiCurrent::current(p, par).shares();
  EXPECT_EQ(s0.schottky_emission, 0.0);
  EXPECT_STREQ(s0.dominant(), "thermionic-field emission");
}

#include "current/line_current.h"

// The substrate barrier of a PDE band profile is the substrate's own band edge: at the
// film / Nb:SrTiO3 interface node the profile carries the film's edge, which differs from the
// substrate's by the band offset chi_film - chi_substrate. With the film's affinity moved by
// +-0.2 eV, the marked barrier must stay -q phi(d) - chi_substrate (the top of the substrate's
// band bending), not the film's edge at that node.
TEST(JunctionCurrentFromPde, SubstrateBarrierIsTheSubstratesOwnBandEdgeBehindTheFilm)
{
  for (const double shift : {-0.2, 0.2})
    {
      DeviceModel dev = test_support::paper_parameters().device;
      for (auto &l : dev.layers)
        if (l.id != ids::substrate)
          l.material.electron_affinity += shift * eV_;
      const double d       = dev.film_thickness();
      double       chi_sub = 0;
      for (const auto &l : dev.layers)
        if (l.id == ids::substrate)
          chi_sub = l.material.electron_affinity;
      std::vector<double> depth, Ec;
      // the potential (V) of a substrate band edge 1.2 eV above the Fermi level at the Pt, falling
      // linearly to 0.3 eV through the film and decaying in the substrate
      auto phi = [&](double x) {
        const double edge = x <= d ? 1.2 - 0.9 * x / d : 0.3 * std::exp(-(x - d) / 5e-9);
        return -(edge + chi_sub / eV_);
      };
      for (unsigned i = 0; i <= 28; ++i)
        depth.push_back(d * i / 28);
      for (unsigned i = 1; i <= 200; ++i)
        depth.push_back(d + 30e-9 * i / 200);
      for (double x : depth)
        Ec.push_back(conduction_band_edge(dev, x, phi(x)));
      const auto j = line_junction_current(dev, depth, Ec, 0.1);
      EXPECT_NEAR(j.substrate_barrier / eV_, 0.3, 1e-9) << "shift " << shift;
      EXPECT_NEAR(j.substrate_barrier / eV_, (-elementary_charge * phi(d) - chi_sub) / eV_, 1e-9) << "shift " << shift;
    }
}
