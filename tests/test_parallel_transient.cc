// The distributed 2D transient (simulation/distributed_transient_simulation.h,
// SPEC sections 3, 4, 7): a laterally uniform 2D device, planar and
// axisymmetric, driven by the same source waveform as the 1D run, gives the
// 1D terminal current (displacement plus Tsu-Esaki current summed over the Pt
// faces) at every corner of the waveform; and zero current at zero bias.
// Its own executable with MPI initialised (main() in mpi_test_main.cc); ctest runs it on 1 and 2 ranks.
#include "simulation/distributed_transient_simulation.h"
#include "simulation/transient_simulation.h"
#include "test_helpers.h"

#include <deal.II/base/mpi.h>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

using namespace otj;
using namespace otj::test_support;

namespace
{
  bool root() { return dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0; }

  /// The paper's device (calibrated materials) with a short +1 V pulse
  /// (1 ns ramps, 20 ns plateau) and 200 ns of relaxation, ideal source.
  RunParameters pulse_parameters(const std::string &waveform)
  {
    RunParameters p             = paper_parameters();
    p.experiment.waveform       = PiecewiseLinearWaveform::parse(waveform, "test waveform");
    p.experiment.output_times   = {};
    p.output.write_vtu          = false;
    p.output.write_profiles     = false;
    p.output.directory          = (std::filesystem::temp_directory_path() / "otj-test-2d-transient").string();
    p.geometry.lateral.width    = 4e-9;
    p.geometry.lateral.cells    = 2;
    p.geometry.lateral.global_refinement = 0; // the depth nodes of the 1D mesh under every lateral vertex
    // the fixed Newton tolerances in the 1D time steps as in the 2D solver's: the comparison
    // below is of the discretisations, to Newton tolerance (the 1D default stops a step's
    // Newton at 1e-5 of the densities, which moves the 1 ps displacement current by 1.5e-4)
    p.newton.step_tolerance_fraction = 0;
    return p;
  }

  /// Terminal current at each time a run's steps land on (time -> A).
  template <typename Sim>
  std::map<double, double> currents(const Sim &s)
  {
    std::map<double, double> m;
    for (const auto &r : s.steps())
      m[r.time] = r.current;
    return m;
  }

  const char *pulse = "0 0; 1e-9 1.0; 21e-9 1.0; 22e-9 0; 2.2e-7 0";

  std::map<double, double> one_dimensional_pulse()
  {
    static std::map<double, double> m;
    if (m.empty())
      {
        TransientSimulation s(pulse_parameters(pulse), true);
        s.solve_initial_state();
        s.integrate_waveform(false);
        m = currents(s);
      }
    return m;
  }

  void compare_with_1d(CoordinateSystem coords)
  {
    RunParameters p          = pulse_parameters(pulse);
    p.geometry.dimension     = 2;
    p.geometry.coordinates   = coords;
    DistributedTransientSimulation s2(p, MPI_COMM_WORLD, true);
    s2.solve_initial_state();
    s2.integrate_waveform(false);
    const auto   i1   = one_dimensional_pulse();
    const auto   i2   = currents(s2);
    const double peak = std::abs(i1.at(21e-9));
    // the first step (1 ps: the vacancies have not moved, the same band
    // profile under every face): the discretisations agree to Newton tolerance
    {
      const double t = i1.begin()->first;
      ASSERT_TRUE(i2.count(t));
      if (root())
        std::printf("%s first step t = %.3g s: I_1D = %.9e A, I_2D = %.9e A\n", to_string(coords), t, i1.at(t), i2.at(t));
      EXPECT_NEAR(i2.at(t), i1.at(t), 1e-4 * std::abs(i1.at(t)));
    }
    // the waveform corners: end of the ramp (displacement current C dV/dt),
    // end of the plateau (tunnelling + vacancy-driven displacement), end of
    // the fall, and the relaxed state after 200 ns
    for (const double t : {1e-9, 21e-9, 22e-9, 2.2e-7})
      {
        ASSERT_TRUE(i1.count(t)) << "1D run has no step at t = " << t;
        ASSERT_TRUE(i2.count(t)) << "2D run has no step at t = " << t;
        if (root())
          std::printf("%s t = %.3g s: I_1D = %.6e A, I_2D = %.6e A (ratio %.5f)\n", to_string(coords), t, i1.at(t),
                      i2.at(t), i2.at(t) / i1.at(t));
        // 2 % of the current, or 1e-9 of the plateau current for the relaxed
        // state (whose current, ~1e-14 A, is round-off of the displacement current)
        EXPECT_NEAR(i2.at(t), i1.at(t), 0.02 * std::abs(i1.at(t)) + 1e-9 * peak) << "t = " << t;
      }
    // vacancies conserved with blocking contacts
    EXPECT_NEAR(s2.total_vacancies() / s2.initial_vacancies(), 1.0, 1e-8);
  }
} // namespace

// SPEC 3/4: the per-face Tsu-Esaki current along the normal lines, summed
// over the Pt electrode and scaled to the electrode area, plus the
// displacement current from the Gauss-law charge, reproduce the 1D terminal
// current of a laterally uniform device (planar slab, per unit depth x A/W).
TEST(Transient2D, LaterallyUniformPlanarSlabGivesTheOneDimensionalCurrent)
{
  compare_with_1d(CoordinateSystem::planar);
}

// Joule heating in 2D (simulation/joule_heating.h): the electrode's V_j I_e heats the same
// network as in 1D (a single pole, tau = 1 ns, R_th = 2e9 K/W: a rise of ~13 K from the
// 33 nA at +0.2 V; at 7e9 K/W the activated forward current runs away), so a laterally
// uniform slab follows the 1D run's temperature and current.
TEST(Transient2D, JouleHeatingOfAUniformSlabFollowsTheOneDimensionalRun)
{
  RunParameters p1                  = pulse_parameters("0 0; 1e-9 0.2; 3e-7 0.2");
  p1.joule_heating.enabled          = true;
  p1.joule_heating.thermal_resistance = 2e9;
  p1.joule_heating.time_constant    = 1e-9;
  TransientSimulation s1(p1, true);
  s1.solve_initial_state();
  s1.integrate_waveform(false);
  RunParameters p2        = p1;
  p2.geometry.dimension   = 2;
  DistributedTransientSimulation s2(p2, MPI_COMM_WORLD, true);
  s2.solve_initial_state();
  s2.integrate_waveform(false);
  const double rise1 = s1.temperature() - 300, rise2 = s2.temperature() - 300;
  if (root())
    std::printf("heated slab: rise 1D %.4f K, 2D %.4f K; I_e 1D %.6e A, 2D %.6e A\n", rise1, rise2,
                s1.steps().back().tunnel_current, s2.steps().back().tunnel_current);
  ASSERT_GT(rise1, 5.0);
  EXPECT_NEAR(rise2 / rise1, 1.0, 0.02);
  EXPECT_NEAR(s2.steps().back().tunnel_current / s1.steps().back().tunnel_current, 1.0, 0.02);
  EXPECT_EQ(s2.steps().back().temperature, s2.temperature());
  EXPECT_GE(s2.joule_heating().peak_temperature(), s2.temperature());
}

// The same with the 2 pi r weighted ring areas of an axisymmetric disc.
TEST(Transient2D, LaterallyUniformAxisymmetricDiscGivesTheOneDimensionalCurrent)
{
  compare_with_1d(CoordinateSystem::axisymmetric);
}

// SPEC 4/8: the iterative linear solver (`Geometry/Linear solver =
// fieldsplit`: GMRES at relative tolerance 1e-6 + Schur field split, with
// its LU fallback for the vacancy block) gives the transient of the direct
// solver: the pulse and the relaxation from the equilibrium (which both
// compute with the direct solver), same currents to 1e-4 of the peak at
// every corner (measured: 1e-7), vacancies conserved. Before the direct
// equilibrium, the field split's continuation stalled and the currents
// differed by 19 %.
TEST(Transient2D, FieldSplitLinearSolverGivesTheDirectSolversTransient)
{
  std::map<double, double> i[2];
  double                   conservation[2];
  unsigned int             krylov[2];
  for (const int k : {0, 1})
    {
      RunParameters p           = pulse_parameters(pulse);
      p.geometry.dimension      = 2;
      p.geometry.linear_solver  = k == 0 ? "direct" : "fieldsplit";
      p.output.directory       += k == 0 ? "-direct" : "-fieldsplit";
      DistributedTransientSimulation s(p, MPI_COMM_WORLD, true);
      s.solve_initial_state();
      s.integrate_waveform(false);
      i[k]            = currents(s);
      conservation[k] = s.total_vacancies() / s.initial_vacancies();
      krylov[k]       = s.krylov_iterations();
    }
  const double peak = std::abs(i[0].at(21e-9));
  for (const double t : {1e-9, 21e-9, 22e-9, 2.2e-7})
    {
      ASSERT_TRUE(i[0].count(t) && i[1].count(t)) << "t = " << t;
      if (root())
        std::printf("t = %.3g s: I_direct = %.8e A, I_fieldsplit = %.8e A\n", t, i[0].at(t), i[1].at(t));
      EXPECT_NEAR(i[1].at(t), i[0].at(t), 1e-4 * peak) << "t = " << t;
    }
  EXPECT_NEAR(conservation[1], 1.0, 1e-8);
  EXPECT_EQ(krylov[0], 0u); // the direct solve counts no Krylov iterations
  EXPECT_GT(krylov[1], 0u); // the field split was used
}

// SPEC 7: zero current at equilibrium: at zero bias the Tsu-Esaki current
// vanishes (equal Fermi levels) and so does the displacement current of the
// equilibrium state, at every step, far below the current of the 1 V pulse.
TEST(Transient2D, ZeroBiasGivesZeroCurrent)
{
  RunParameters p        = pulse_parameters("0 0; 1e-6 0");
  p.geometry.dimension   = 2;
  p.geometry.coordinates = CoordinateSystem::axisymmetric;
  DistributedTransientSimulation s(p, MPI_COMM_WORLD, true);
  s.solve_initial_state();
  s.integrate_waveform(false);
  const double i_pulse = std::abs(one_dimensional_pulse().at(21e-9));
  // the 1D run at zero bias: its round-off level of the displacement current
  TransientSimulation s1(p, true);
  s1.solve_initial_state();
  s1.integrate_waveform(false);
  double worst_1d = 0;
  for (const auto &r : s1.steps())
    worst_1d = std::max(worst_1d, std::abs(r.current));
  ASSERT_GT(s.steps().size(), 3u);
  double worst = 0;
  for (const auto &r : s.steps())
    {
      EXPECT_EQ(r.tunnel_current, 0.0);
      worst = std::max(worst, std::abs(r.current));
    }
  if (root())
    std::printf("zero bias: largest |I| %.3e A over %zu steps (1D: %.3e A; 1 V pulse: %.3e A)\n", worst,
                s.steps().size(), worst_1d, i_pulse);
  EXPECT_LT(worst, 1e-9 * i_pulse);
}
