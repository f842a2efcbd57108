// Discretisation tests: Jacobian consistency, conservation structure,
// zero flux of a Boltzmann profile (SPEC section 4, 7).
#include "discretization/drift_diffusion_system.h"
#include "test_helpers.h"

#include <deal.II/grid/tria.h>

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace otj;
using dealii::SparseMatrix;
using dealii::Vector;

namespace
{
  /// Compares J v with a central difference of R along v, column by column.
  double jacobian_error(const DriftDiffusionSystem<1> &sys, const Vector<double> &u, double V, const TimeTerm &tt)
  {
    Vector<double>       R0, Rp, Rm;
    SparseMatrix<double> J(sys.sparsity_pattern());
    sys.assemble(u, V, tt, R0, &J);
    double worst = 0;
    for (unsigned int k = 0; k < u.size(); ++k)
      {
        const double h  = 1e-6 * (std::abs(u[k]) + (sys.is_vacancy_dof(k) ? 1e-3 : 1e-2));
        Vector<double> up = u, um = u;
        up[k] += h;
        um[k] -= h;
        sys.assemble(up, V, tt, Rp, nullptr);
        sys.assemble(um, V, tt, Rm, nullptr);
        for (unsigned int i = 0; i < u.size(); ++i)
          {
            const double fd  = (Rp[i] - Rm[i]) / (2 * h);
            const double ana = J.el(i, k);
            const double sc  = std::abs(fd) + std::abs(ana) + 1e-6;
            worst            = std::max(worst, std::abs(fd - ana) / sc);
          }
      }
    return worst;
  }
  /// The paper device on a coarser mesh (0.05 nm cells growing by 1.5): the Jacobian tests.
  RunParameters coarse_paper_parameters()
  {
    auto p               = test_support::paper_parameters();
    p.mesh.smallest_cell = 0.05e-9;
    p.mesh.growth_ratio  = 1.5;
    return p;
  }
} // namespace

// The analytic Jacobian of the fully coupled system (Poisson with Fermi-Dirac
// electrons, sinh-law vacancy fluxes with site exclusion) matches finite differences.
TEST(Discretization, AnalyticJacobianMatchesFiniteDifferences)
{
  auto                     p = coarse_paper_parameters();
  dealii::Triangulation<1> tria;
  make_device_mesh(p.device, p.mesh, tria);
  // field-dependent film permittivity, so its Jacobian terms are checked too
  for (auto &l : p.device.layers)
    if (l.id == ids::barrier)
      l.material.permittivity_field_scale = 3e8;
  DriftDiffusionSystem<1> sys(tria, p.device, 1e26);
  Vector<double>          u;
  sys.initial_state(u, 1.5);
  std::mt19937                           rng(3);
  std::uniform_real_distribution<double> d(0.5, 2.0);
  for (unsigned int i = 0; i < u.size(); ++i)
    if (sys.is_vacancy_dof(i))
      u[i] *= d(rng) * 10; // strong gradients, near the site limit in places
  Vector<double> hist(u.size());
  hist.add(-1e9, u);
  TimeTerm tt;
  tt.a0      = 1e9;
  tt.history = &hist;
  EXPECT_LT(jacobian_error(sys, u, 1.5, tt), 2e-5);
}

// The assembly adds each cell's local matrix through value-array positions computed once
// (DriftDiffusionSystem::setup) when the matrix is built on the system's own pattern, and
// through deal.II's SparseMatrix::add on any other: both give the same matrix and residual.
// A wrong position (a shifted row, a transposed pair) shows up as a differing entry.
TEST(Discretization, PrecomputedAssemblyAddressingEqualsDealIIAdd)
{
  auto                     p = coarse_paper_parameters();
  dealii::Triangulation<1> tria;
  make_device_mesh(p.device, p.mesh, tria);
  DriftDiffusionSystem<1> sys(tria, p.device, 1e26);
  Vector<double>          u;
  sys.initial_state(u, 1.2);
  std::mt19937                           rng(5);
  std::uniform_real_distribution<double> d(0.5, 2.0);
  for (unsigned int i = 0; i < u.size(); ++i)
    u[i] *= sys.is_vacancy_dof(i) ? d(rng) : 1.0 + 0.01 * (d(rng) - 1.0);
  Vector<double> hist(u.size());
  hist.add(-1e8, u);
  TimeTerm tt;
  tt.a0      = 1e8;
  tt.history = &hist;

  dealii::SparseMatrix<double> J_fast(sys.sparsity_pattern());
  dealii::SparsityPattern      other;
  other.copy_from(sys.sparsity_pattern());
  dealii::SparseMatrix<double> J_add(other);
  Vector<double>               R_fast, R_add;
  sys.assemble(u, 1.2, tt, R_fast, &J_fast);
  sys.assemble(u, 1.2, tt, R_add, &J_add);
  unsigned int nonzero = 0;
  for (unsigned int i = 0; i < u.size(); ++i)
    {
      EXPECT_EQ(R_fast[i], R_add[i]) << "row " << i;
      for (auto it = other.begin(i); it != other.end(i); ++it)
        {
          const double a = J_fast(i, it->column()), b = J_add(i, it->column());
          EXPECT_NEAR(a, b, 1e-14 * std::abs(b)) << "entry (" << i << ", " << it->column() << ")";
          nonzero += (b != 0.0);
        }
    }
  // the coupled system: every row has its diagonal and at least one coupling
  EXPECT_GT(nonzero, 2 * u.size());
}
