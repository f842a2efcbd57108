// The assembly is dimension-generic: a laterally uniform 2D slab (Q1 cells,
// edge-averaged fluxes including the cell diagonals) reproduces the 1D
// blocking-electrode equilibrium of the same depth mesh.
#include "discretization/cell_physics.h"
#include "discretization/drift_diffusion_system.h"
#include "mesh/device_mesh.h"
#include "nonlinear/newton_solver.h"
#include "test_helpers.h"

#include <deal.II/grid/grid_generator.h>
#include <deal.II/grid/tria.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>

#include <gtest/gtest.h>

#include <array>

using namespace otj;
using namespace otj::test_support;
using dealii::Vector;

namespace
{
  /// Pseudo-transient continuation to the vacancy equilibrium (as in TransientSimulation).
  template <int dim>
  Vector<double> equilibrium(const DriftDiffusionSystem<dim> &sys)
  {
    Vector<double> u;
    sys.initial_state(u, 0.0);
    std::vector<bool> is_c(u.size());
    for (unsigned int i = 0; i < u.size(); ++i)
      is_c[i] = sys.is_vacancy_dof(i);
    NewtonSolver   newton(sys.sparsity_pattern(), NewtonParameters());
    Vector<double> old = u, hist(u.size());
    double         dt  = 1e-12;
    for (int k = 0; k < 60; ++k, dt *= 4)
      {
        TimeTerm tt;
        tt.a0 = 1 / dt;
        hist.equ(-1 / dt, old);
        tt.history = &hist;
        Vector<double> trial = old;
        const auto     r     = newton.solve(
          [&](const Vector<double> &x, Vector<double> &R, dealii::SparseMatrix<double> *J) {
            sys.assemble(x, 0.0, tt, R, J);
          },
          is_c, trial);
        EXPECT_TRUE(r.converged) << "step " << k;
        old = trial;
      }
    return old;
  }
} // namespace

TEST(Dimension, LaterallyUniform2DSlabEqualsTheOneDimensionalSolution)
{
  const double c0 = 1e25, L = 40e-9;
  Material     m  = ionic_insulator(c0);
  DeviceModel  d  = single_layer_device(m, L, -5.1);
  d.top_electrode.work_function = 5.0 * constants::eV;
  MeshParameters mp;
  mp.smallest_cell     = 0.05e-9;
  mp.largest_cell_film = 2e-9;
  mp.growth_ratio      = 1.3;
  const auto xs = device_vertices(d, mp);
  std::vector<double> steps;
  for (std::size_t i = 0; i + 1 < xs.size(); ++i)
    steps.push_back(xs[i + 1] - xs[i]);

  dealii::Triangulation<1> t1;
  make_device_mesh(d, mp, t1);
  DriftDiffusionSystem<1> s1(t1, d, 1e25);
  const auto              u1 = equilibrium(s1);

  // 2D: x lateral (3 cells of 1 nm), y = depth with the same steps; top (y=0) id 0, bottom id 1
  dealii::Triangulation<2> t2;
  dealii::GridGenerator::subdivided_hyper_rectangle(t2, {std::vector<double>(3, 1e-9), steps},
                                                    dealii::Point<2>(0, 0), dealii::Point<2>(3e-9, L), true);
  for (const auto &cell : t2.active_cell_iterators())
    {
      cell->set_material_id(ids::barrier);
      for (unsigned int f = 0; f < 4; ++f)
        if (cell->face(f)->at_boundary())
          {
            const auto b = cell->face(f)->boundary_id();
            cell->face(f)->set_boundary_id(b == 2 ? ids::top_contact : b == 3 ? ids::back_contact : 5);
          }
    }
  DriftDiffusionSystem<2> s2(t2, d, 1e25);
  const auto              u2 = equilibrium(s2);

  const auto n1 = s1.nodal_values(u1);
  const auto n2 = s2.nodal_values(u2);
  unsigned   compared = 0;
  for (const auto &a : n2)
    for (const auto &b : n1)
      if (std::abs(a.x[1] - b.x[0]) < 1e-15)
        {
          EXPECT_NEAR(a.phi, b.phi, 1e-7);
          EXPECT_NEAR(a.c / b.c, 1.0, 1e-5);
          ++compared;
        }
  EXPECT_EQ(compared, n2.size());
  EXPECT_NEAR(s2.total_vacancies(u2) / 3e-9, s1.total_vacancies(u1), 1e-9 * s1.total_vacancies(u1));
}

// Hopping-flux edge weights on a flat rectangle (a = 100 b, the aspect ratio of
// the 2D device meshes): the box weights b / 2a (lateral edges), a / 2b (depth
// edges) and none on the diagonals; in (r, z) the exact ring integrals. The
// plain "K_ij < 0" rule would give no lateral edge at all here (K_lateral > 0).
TEST(Dimension, HoppingEdgeWeightsOnFlatRectanglesAreTheBoxWeights)
{
  const double a = 10e-9, b = 0.1e-9, x0 = 3e-9, x1 = x0 + a;
  dealii::Triangulation<2> tria;
  dealii::GridGenerator::hyper_rectangle(tria, dealii::Point<2>(x0, 0), dealii::Point<2>(x1, b));
  dealii::FE_Q<2>       fe(1);
  dealii::DoFHandler<2> dh(tria);
  dh.distribute_dofs(fe);
  dealii::FEValues<2> fev(fe, dealii::QGauss<2>(3),
                          dealii::update_values | dealii::update_gradients | dealii::update_JxW_values |
                            dealii::update_quadrature_points);
  const auto cell = dh.begin_active();
  fev.reinit(cell);
  std::array<dealii::Point<2>, 4> x;
  for (unsigned int v = 0; v < 4; ++v)
    x[v] = cell->vertex(v);
  double vol[4], K[16];

  integrate_cell_geometry(fev, CoordinateSystem::planar, vol, K);
  EXPECT_GT(K[0 * 4 + 1], 0.0); // the Q1 lateral entry is positive on this cell
  EXPECT_NEAR(hopping_edge_weight<2>(K, x.data(), 0, 1), b / (2 * a), 1e-12 * b / a);
  EXPECT_NEAR(hopping_edge_weight<2>(K, x.data(), 2, 3), b / (2 * a), 1e-12 * b / a);
  EXPECT_NEAR(hopping_edge_weight<2>(K, x.data(), 0, 2), a / (2 * b), 1e-12 * a / b);
  EXPECT_NEAR(hopping_edge_weight<2>(K, x.data(), 1, 3), a / (2 * b), 1e-12 * a / b);
  EXPECT_EQ(hopping_edge_weight<2>(K, x.data(), 0, 3), 0.0);
  EXPECT_EQ(hopping_edge_weight<2>(K, x.data(), 1, 2), 0.0);

  // axisymmetric: radial edge 2 pi rbar b / 2a; depth edge at r = x0:
  // (2 pi / (a b)) int_x0^x1 (x1 - r) r dr
  integrate_cell_geometry(fev, CoordinateSystem::axisymmetric, vol, K);
  const double rbar   = 0.5 * (x0 + x1);
  const double radial = 2 * M_PI * rbar * b / (2 * a);
  auto         ring   = [&](double r) { return x1 * r * r / 2 - r * r * r / 3; };
  const double depth0 = 2 * M_PI / (a * b) * (ring(x1) - ring(x0));
  EXPECT_NEAR(hopping_edge_weight<2>(K, x.data(), 0, 1), radial, 1e-10 * radial);
  EXPECT_NEAR(hopping_edge_weight<2>(K, x.data(), 0, 2), depth0, 1e-10 * depth0);
  EXPECT_EQ(hopping_edge_weight<2>(K, x.data(), 0, 3), 0.0);
}
