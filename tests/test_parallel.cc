// The distributed 2D solver (parallel/, SPEC sections 4 and 7): 2D
// manufactured solutions, planar (x, y) and axisymmetric (r, z), with the
// measured convergence order asserted, results independent of the number of
// MPI ranks, and laterally uniform planar and axisymmetric devices equal to
// the 1D solution. Its own executable with MPI initialised;
// ctest runs it on 1 and on 2 ranks (tests/CMakeLists.txt).
#include "discretization/drift_diffusion_system.h"
#include "mesh/device_mesh_2d.h"
#include "nonlinear/newton_solver.h"
#include "parallel/distributed_newton_solver.h"
#include "parallel/distributed_solution_writer.h"
#include "physics/constants.h"
#include "physics/vacancy_flux.h"
#include "test_helpers.h"

#include <deal.II/base/mpi.h>
#include <deal.II/grid/grid_generator.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>

using namespace otj;
using namespace otj::test_support;
using constants::boltzmann;
using constants::elementary_charge;
using dealii::Point;
using DTria = dealii::parallel::distributed::Triangulation<2>;

namespace
{
  /// Pseudo-transient continuation toward equilibrium (implicit Euler, dt x4 per step).
  void relax(const DistributedDriftDiffusionSystem<2> &sys, DistributedVector &u, double V, int steps,
             double dt0 = 1e-12)
  {
    DistributedNewtonSolver newton(sys, NewtonParameters());
    DistributedVector       hist;
    sys.reinit_vector(hist);
    double dt = dt0;
    for (int k = 0; k < steps; ++k, dt *= 4)
      {
        DistributedTimeTerm tt;
        tt.a0 = 1 / dt;
        hist.equ(-1 / dt, u);
        tt.history   = &hist;
        const auto r = newton.solve(
          [&](const DistributedVector &x, DistributedVector &R, dealii::PETScWrappers::MPI::SparseMatrix *J) {
            sys.assemble(x, V, tt, R, J);
          },
          u);
        ASSERT_TRUE(r.converged) << "step " << k;
      }
  }

  /// (y, x, component, value) of every dof, gathered on all ranks, sorted by position.
  std::vector<std::array<double, 4>> gather(const DistributedDriftDiffusionSystem<2> &sys, const DistributedVector &u)
  {
    std::vector<double> mine;
    for (unsigned int k = 0; k < sys.n_locally_owned(); ++k)
      {
        const auto &p = sys.support_point_local(k);
        mine.insert(mine.end(), {p[1], p[0], double(sys.is_vacancy_local(k)), u.local_element(k)});
      }
    std::vector<std::array<double, 4>> all;
    for (const auto &part : dealii::Utilities::MPI::all_gather(sys.mpi_communicator(), mine))
      for (std::size_t i = 0; i + 3 < part.size(); i += 4)
        all.push_back({{part[i], part[i + 1], part[i + 2], part[i + 3]}});
    std::sort(all.begin(), all.end());
    return all;
  }

  /// Manufactured solution on [0, W] x [0, L] (y = depth): lateral cosines
  /// with zero normal derivative on the sides (zero-flux boundaries).
  struct Manufactured2D
  {
    double L = 10e-9, W = 10e-9;
    double phi(double x, double y) const
    {
      return -5.0 + 0.4 * y / L + 0.15 * std::sin(M_PI * y / L) + 0.1 * std::cos(M_PI * x / W) * std::sin(M_PI * y / L);
    }
    dealii::Tensor<1, 2> grad_phi(double x, double y) const
    {
      dealii::Tensor<1, 2> g;
      g[0] = -0.1 * M_PI / W * std::sin(M_PI * x / W) * std::sin(M_PI * y / L);
      g[1] = 0.4 / L + 0.15 * M_PI / L * std::cos(M_PI * y / L) +
             0.1 * M_PI / L * std::cos(M_PI * x / W) * std::cos(M_PI * y / L);
      return g;
    }
    double laplace_phi(double x, double y) const
    {
      return -0.15 * std::pow(M_PI / L, 2) * std::sin(M_PI * y / L) -
             0.1 * (std::pow(M_PI / W, 2) + std::pow(M_PI / L, 2)) * std::cos(M_PI * x / W) * std::sin(M_PI * y / L);
    }
    /// (1/r) dphi/dr of the axisymmetric Laplacian, with its limit
    /// d^2phi/dr^2 on the axis (dphi/dr = 0 there).
    double radial_term(double x, double y) const
    {
      if (x < 1e-9 * W)
        return -0.1 * std::pow(M_PI / W, 2) * std::sin(M_PI * y / L);
      return grad_phi(x, y)[0] / x;
    }
    double c(double x, double y) const
    {
      return 1e27 * (1.0 + 0.5 * std::sin(2 * M_PI * y / L) + 0.3 * y / L +
                     0.2 * std::cos(M_PI * x / W) * std::sin(M_PI * y / L));
    }
    dealii::Tensor<1, 2> grad_c(double x, double y) const
    {
      dealii::Tensor<1, 2> g;
      g[0] = -1e27 * 0.2 * M_PI / W * std::sin(M_PI * x / W) * std::sin(M_PI * y / L);
      g[1] = 1e27 * (0.5 * 2 * M_PI / L * std::cos(2 * M_PI * y / L) + 0.3 / L +
                     0.2 * M_PI / L * std::cos(M_PI * x / W) * std::cos(M_PI * y / L));
      return g;
    }
  };

  struct MmsErrors
  {
    double phi, c, h;
    unsigned long dofs;
  };

  /// Planar: -div(eps grad phi) and div J in (x, y). Axisymmetric (x = r):
  /// the cylindrical forms -(eps/r) d(r dphi/dr)/dr - eps d2phi/dz2 and
  /// (1/r) d(r J_r)/dr + dJ_z/dz (e.g. Bird, Stewart & Lightfoot, appendix
  /// A.7), the lateral cosines giving dphi/dr = dc/dr = 0 on the axis and at r = W.
  MmsErrors solve_manufactured_2d(unsigned int refinement, MPI_Comm comm,
                                  CoordinateSystem coords = CoordinateSystem::planar)
  {
    const bool axi = coords == CoordinateSystem::axisymmetric;
    Manufactured2D ms;
    Material       m   = ionic_insulator(1e27, 0.6, 5e27);
    m.acceptor_density = 1.5e27;
    // hop distance << any length: the low-field (Einstein) limit, where the
    // edge-wise sinh law of the scheme has an isotropic continuum limit
    m.hop_distance = 1e-12;
    DeviceModel d  = single_layer_device(m, ms.L, ms.phi(0, ms.L));
    d.top_electrode.work_function = -ms.phi(0, 0) * elementary_charge;
    d.top_vacancy_boundary        = VacancyBoundary::reservoir;
    d.bottom_vacancy_boundary     = VacancyBoundary::reservoir;
    d.top_reservoir_density       = ms.c(0, 0);
    d.bottom_reservoir_density    = ms.c(0, ms.L);
    MeshParameters mp;
    mp.smallest_cell = mp.largest_cell_film = ms.L / 8;
    mp.growth_ratio                         = 1.0;
    LateralMeshParameters lat;
    lat.width             = ms.W;
    lat.cells             = 8;
    lat.global_refinement = refinement;
    DTria tria(comm);
    make_distributed_device_slab(d, mp, lat, tria);
    DistributedDriftDiffusionSystem<2> sys(tria, d, 1e27, coords);

    const double eps = constants::vacuum_permittivity * m.relative_permittivity;
    const double z   = m.vacancy_charge_number;
    const double kT  = boltzmann * 300.0;
    const double D0  = physics::HoppingParameters{m.hop_distance, m.attempt_frequency, m.activation_energy,
                                                 m.max_vacancy_density, 300}
                        .diffusivity();
    // continuum flux J = D0 [z e E c (1 - c/cmax)/kT - grad c], E = -grad phi
    auto flux = [&](double x, double y) {
      const double c = ms.c(x, y);
      return D0 * (-z * elementary_charge * ms.grad_phi(x, y) * c * (1 - c / m.max_vacancy_density) / kT -
                   ms.grad_c(x, y));
    };
    VolumeSources<2> src;
    src.charge = [&](const Point<2> &p) {
      // -eps lap phi = rho + f
      const double lap = ms.laplace_phi(p[0], p[1]) + (axi ? ms.radial_term(p[0], p[1]) : 0.0);
      return -eps * lap - elementary_charge * (z * ms.c(p[0], p[1]) - m.acceptor_density);
    };
    src.vacancy = [&](const Point<2> &p) {
      const double h    = 1e-6 * ms.L;
      const double dJrr = (flux(p[0] + h, p[1])[0] - flux(p[0] - h, p[1])[0]) / (2 * h);
      double       div  = dJrr + (flux(p[0], p[1] + h)[1] - flux(p[0], p[1] - h)[1]) / (2 * h);
      if (axi) // + J_r / r, whose limit on the axis (J_r odd in r) is dJ_r/dr
        div += p[0] < 1e-9 * ms.W ? dJrr : flux(p[0], p[1])[0] / p[0];
      return div;
    };
    sys.set_sources(src);

    DistributedVector u;
    sys.initial_state(u, 0.0);
    NewtonParameters np;
    np.potential_tolerance     = 1e-13;
    np.concentration_tolerance = 1e-12;
    DistributedNewtonSolver newton(sys, np);
    DistributedTimeTerm     tt;
    tt.stationary = true;
    const auto r  = newton.solve(
      [&](const DistributedVector &x, DistributedVector &R, dealii::PETScWrappers::MPI::SparseMatrix *J) {
        sys.assemble(x, 0.0, tt, R, J);
      },
      u);
    EXPECT_TRUE(r.converged);
    double e[4] = {0, 0, 0, 0};
    for (unsigned int k = 0; k < sys.n_locally_owned(); ++k)
      {
        const auto &p = sys.support_point_local(k);
        if (sys.is_vacancy_local(k))
          {
            e[2] += std::pow(u.local_element(k) * 1e27 - ms.c(p[0], p[1]), 2);
            e[3] += std::pow(ms.c(p[0], p[1]), 2);
          }
        else
          {
            e[0] += std::pow(u.local_element(k) - ms.phi(p[0], p[1]), 2);
            e[1] += std::pow(ms.phi(p[0], p[1]) - ms.phi(0, 0), 2);
          }
      }
    dealii::Utilities::MPI::sum(dealii::ArrayView<const double>(e, 4), comm, dealii::ArrayView<double>(e, 4));
    return {std::sqrt(e[0] / e[1]), std::sqrt(e[2] / e[3]), ms.L / (8 << refinement), sys.n_dofs()};
  }
} // namespace

// SPEC 7: 2D manufactured solution of the coupled nonlinear system (lateral
// and vertical variation, site exclusion, zero-flux sides), Q1 on 32^2 to
// 128^2 cells: second order in the nodal L2 norm.
TEST(Parallel2D, ManufacturedSolutionConvergesAtSecondOrder)
{
  std::vector<MmsErrors> e;
  for (unsigned int r : {2u, 3u, 4u})
    e.push_back(solve_manufactured_2d(r, MPI_COMM_WORLD));
  for (std::size_t k = 1; k < e.size(); ++k)
    {
      const double order_phi = std::log(e[k - 1].phi / e[k].phi) / std::log(2.0);
      const double order_c   = std::log(e[k - 1].c / e[k].c) / std::log(2.0);
      if (dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
        std::printf("MMS 2D h = %.4g nm (%lu dofs): rel. error phi %.3e (order %.3f), c %.3e (order %.3f)\n",
                    e[k].h * 1e9, e[k].dofs, e[k].phi, order_phi, e[k].c, order_c);
      EXPECT_GT(order_phi, 1.8);
      EXPECT_LT(order_phi, 2.3);
      EXPECT_GT(order_c, 1.8);
      EXPECT_LT(order_c, 2.3);
    }
  EXPECT_LT(e.back().c, 1e-3);
}

// SPEC 4 and 7: the same manufactured solution in axisymmetric (r, z)
// coordinates, every integral weighted by 2 pi r (the axis at r = 0 is a
// natural boundary): second order in the nodal L2 norm.
TEST(Parallel2D, AxisymmetricManufacturedSolutionConvergesAtSecondOrder)
{
  std::vector<MmsErrors> e;
  for (unsigned int r : {2u, 3u, 4u})
    e.push_back(solve_manufactured_2d(r, MPI_COMM_WORLD, CoordinateSystem::axisymmetric));
  for (std::size_t k = 1; k < e.size(); ++k)
    {
      const double order_phi = std::log(e[k - 1].phi / e[k].phi) / std::log(2.0);
      const double order_c   = std::log(e[k - 1].c / e[k].c) / std::log(2.0);
      if (dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
        std::printf("MMS axisymmetric h = %.4g nm (%lu dofs): rel. error phi %.3e (order %.3f), c %.3e (order %.3f)\n",
                    e[k].h * 1e9, e[k].dofs, e[k].phi, order_phi, e[k].c, order_c);
      EXPECT_GT(order_phi, 1.8);
      EXPECT_LT(order_phi, 2.3);
      EXPECT_GT(order_c, 1.8);
      EXPECT_LT(order_c, 2.3);
    }
  EXPECT_LT(e.back().c, 1e-3);
}

namespace
{
  /// The paper's device (calibrated materials) as a 2D slab with a laterally
  /// inhomogeneous film vacancy density, relaxed under +1 V; on `comm`.
  std::vector<std::array<double, 4>> paper_slab_transient(MPI_Comm comm, const std::string &vtu_dir = "")
  {
    auto p = paper_parameters();
    LateralMeshParameters lat;
    lat.width             = 10e-9;
    lat.cells             = 4;
    lat.global_refinement = 1;
    DTria tria(comm);
    make_distributed_device_slab(p.device, p.mesh, lat, tria);
    DistributedDriftDiffusionSystem<2> sys(tria, p.device, p.concentration_scale);
    DistributedVector                  u;
    sys.initial_state(u, 0.0);
    for (unsigned int k = 0; k < sys.n_locally_owned(); ++k)
      if (sys.is_vacancy_local(k))
        u.local_element(k) *= 1.0 + 0.5 * std::cos(M_PI * sys.support_point_local(k)[0] / lat.width);
    relax(sys, u, 0.0, 6);
    relax(sys, u, 1.0, 6, 1e-11);
    if (!vtu_dir.empty())
      {
        DistributedSolutionWriter<2> w(sys, vtu_dir);
        w.write(u, 0.0, 1.0);
      }
    return gather(sys, u);
  }
} // namespace

// SPEC 4: 2D results independent of the number of ranks to solver tolerance:
// the same transient on all ranks of MPI_COMM_WORLD and on each rank alone.
// Meaningful when ctest runs this executable on 2 ranks.
TEST(Parallel2D, ResultsIndependentOfTheNumberOfRanks)
{
  const int  n_ranks = dealii::Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD);
  const auto tmp     = std::filesystem::temp_directory_path() / ("otj-test-parallel-pvtu-" + std::to_string(n_ranks));
  if (dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    std::filesystem::remove_all(tmp);
  const auto world = paper_slab_transient(MPI_COMM_WORLD, tmp.string());
  const auto alone = paper_slab_transient(MPI_COMM_SELF);
  ASSERT_EQ(world.size(), alone.size());
  double dphi = 0, dc = 0;
  for (std::size_t i = 0; i < world.size(); ++i)
    {
      ASSERT_EQ(world[i][0], alone[i][0]);
      ASSERT_EQ(world[i][1], alone[i][1]);
      if (world[i][2] == 0)
        dphi = std::max(dphi, std::abs(world[i][3] - alone[i][3]));
      else
        dc = std::max(dc, std::abs(world[i][3] - alone[i][3]) / (std::abs(alone[i][3]) + 1e-4));
    }
  if (dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    std::printf("%d ranks vs 1: max |dphi| %.3e V, max relative dc %.3e (%zu dofs)\n", n_ranks, dphi, dc,
                world.size());
  EXPECT_LT(dphi, 1e-8);
  EXPECT_LT(dc, 1e-7);

  // the parallel output: a .pvd naming a .pvtu that names one piece per rank
  if (dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    {
      std::ifstream pvd(tmp / "solution.pvd");
      std::string   text((std::istreambuf_iterator<char>(pvd)), std::istreambuf_iterator<char>());
      EXPECT_NE(text.find(".pvtu"), std::string::npos);
      unsigned pieces = 0;
      for (const auto &f : std::filesystem::directory_iterator(tmp / "vtu"))
        pieces += f.path().extension() == ".vtu";
      EXPECT_EQ(pieces, unsigned(n_ranks));
      std::ifstream pvtu(tmp / "vtu" / "solution_00000.pvtu");
      std::string   rec((std::istreambuf_iterator<char>(pvtu)), std::istreambuf_iterator<char>());
      EXPECT_NE(rec.find("mpi_rank"), std::string::npos);
    }
}

namespace
{
  /// A laterally uniform 2D device (width or radius 3 nm) relaxed to
  /// equilibrium against the 1D solution of the same stack and depth mesh.
  void compare_uniform_device_with_1d(CoordinateSystem coords)
  {
  const double c0 = 1e25, L = 40e-9;
  Material     m  = ionic_insulator(c0);
  DeviceModel  d  = single_layer_device(m, L, -5.1);
  MeshParameters mp;
  mp.smallest_cell     = 0.05e-9;
  mp.largest_cell_film = 2e-9;
  mp.growth_ratio      = 1.3;

  // 1D (serial path, as test_dimension.cc)
  dealii::Triangulation<1> t1;
  make_device_mesh(d, mp, t1);
  DriftDiffusionSystem<1> s1(t1, d, 1e25);
  dealii::Vector<double>  u1;
  s1.initial_state(u1, 0.0);
  {
    std::vector<bool> is_c(u1.size());
    for (unsigned int i = 0; i < u1.size(); ++i)
      is_c[i] = s1.is_vacancy_dof(i);
    NewtonSolver           newton(s1.sparsity_pattern(), NewtonParameters());
    dealii::Vector<double> hist(u1.size());
    double                 dt = 1e-12;
    for (int k = 0; k < 40; ++k, dt *= 4)
      {
        TimeTerm tt;
        tt.a0 = 1 / dt;
        hist.equ(-1 / dt, u1);
        tt.history = &hist;
        ASSERT_TRUE(newton
                      .solve([&](const dealii::Vector<double> &x, dealii::Vector<double> &R,
                                 dealii::SparseMatrix<double> *J) { s1.assemble(x, 0.0, tt, R, J); },
                             is_c, u1)
                      .converged);
      }
  }

  LateralMeshParameters lat;
  lat.width = 3e-9;
  lat.cells = 3;
  DTria t2(MPI_COMM_WORLD);
  make_distributed_device_slab(d, mp, lat, t2);
  DistributedDriftDiffusionSystem<2> s2(t2, d, 1e25, coords);
  DistributedVector                  u2;
  s2.initial_state(u2, 0.0);
  relax(s2, u2, 0.0, 40);

  const auto n1 = s1.nodal_values(u1);
  unsigned   compared = 0;
  for (unsigned int k = 0; k < s2.n_locally_owned(); ++k)
    for (const auto &b : n1)
      if (std::abs(s2.support_point_local(k)[1] - b.x[0]) < 1e-15)
        {
          if (s2.is_vacancy_local(k))
            EXPECT_NEAR(u2.local_element(k) * 1e25 / b.c, 1.0, 1e-5);
          else
            EXPECT_NEAR(u2.local_element(k), b.phi, 1e-7);
          ++compared;
        }
  EXPECT_EQ(dealii::Utilities::MPI::sum(compared, MPI_COMM_WORLD), s2.n_dofs());
  // per unit area: divided by the width (planar, per unit depth) or by the disc area pi R^2
  const double area = coords == CoordinateSystem::axisymmetric ? M_PI * 3e-9 * 3e-9 : 3e-9;
  EXPECT_NEAR(s2.total_vacancies(u2) / area, s1.total_vacancies(u1), 1e-9 * s1.total_vacancies(u1));
  EXPECT_NEAR(s2.top_contact_measure(), area, 1e-12 * area);
  // the Pt charge per unit area from the Gauss law equals the 1D one
  EXPECT_NEAR(s2.top_contact_charge(u2, 0.0) / area, s1.top_contact_charge(u1, 0.0),
              1e-6 * std::abs(s1.top_contact_charge(u1, 0.0)));
  }
} // namespace

// The distributed assembly is the serial one: a laterally uniform 2D slab on
// a p4est mesh reproduces the 1D blocking-electrode equilibrium.
TEST(Parallel2D, LaterallyUniformSlabEqualsTheOneDimensionalSolution)
{
  compare_uniform_device_with_1d(CoordinateSystem::planar);
}

// The 2 pi r weight of the axisymmetric assembly is consistent: a laterally
// uniform disc (axis at r = 0) reproduces the 1D equilibrium node by node,
// its vacancy number and Pt charge are those of 1D times pi R^2.
TEST(Parallel2D, LaterallyUniformAxisymmetricDeviceEqualsTheOneDimensionalSolution)
{
  compare_uniform_device_with_1d(CoordinateSystem::axisymmetric);
}



int main(int argc, char **argv)
{
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  ::testing::InitGoogleTest(&argc, argv);
  if (dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) != 0)
    delete ::testing::UnitTest::GetInstance()->listeners().Release(
      ::testing::UnitTest::GetInstance()->listeners().default_result_printer());
  return RUN_ALL_TESTS();
}
