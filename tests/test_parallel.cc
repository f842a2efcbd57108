// The distributed 2D solver (parallel/, SPEC sections 4 and 7): 2D
// manufactured solutions, planar (x, y) and axisymmetric (r, z), with the
// measured convergence order asserted, results independent of the number of
// MPI ranks, and laterally uniform planar and axisymmetric devices equal to
// the 1D solution. Its own executable with MPI initialised (main() in mpi_test_main.cc);
// ctest runs it on 1 and on 2 ranks (tests/CMakeLists.txt).
#include "discretization/drift_diffusion_system.h"
#include "mesh/device_mesh_2d.h"
#include "common/input_error.h"
#include "mesh/gmsh_mesh.h"
#include "parallel/random_initial_vacancies.h"
#include "parallel/electrode_current.h"
#include "current/line_current.h"
#include "nonlinear/newton_solver.h"
#include "parallel/distributed_newton_solver.h"
#include "parallel/distributed_solution_writer.h"
#include "parallel/box_stiffness_preconditioner.h"
#include "parallel/selfp_schur_matrix.h"
#include "parallel/field_block_matrix.h"

#include <petsc/private/petscimpl.h> // PetscObjectStateGet: the state PETSc compares before rebuilding a preconditioner
#include "parallel/petsc_check.h"
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
#include <memory>
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

namespace
{
  /// Newton solve of the potential with the vacancies frozen at `frozen`
  /// (electrostatic equilibrium of a given vacancy distribution).
  bool solve_frozen(const DistributedDriftDiffusionSystem<2> &sys, DistributedVector &u, const DistributedVector &frozen,
                    double V, const LinearSolverParameters &lp = LinearSolverParameters(),
                    DistributedNewtonStatistics *stats = nullptr)
  {
    DistributedNewtonSolver newton(sys, NewtonParameters(), lp);
    DistributedTimeTerm     tt;
    tt.frozen_vacancies = true;
    tt.frozen_state     = &frozen;
    const auto r        = newton.solve(
      [&](const DistributedVector &x, DistributedVector &R, dealii::PETScWrappers::MPI::SparseMatrix *J) {
        sys.assemble(x, V, tt, R, J);
      },
      u);
    if (stats)
      *stats = newton.statistics();
    return r.converged;
  }
} // namespace

namespace
{
  /// The 1D solution of the device on the depth nodes y at bias V with the
  /// as-grown vacancies frozen (the reference of the gmsh-mesh tests).
  std::vector<DriftDiffusionSystem<1>::NodalValues> one_dimensional_frozen_solution(const RunParameters &p,
                                                                                     const std::vector<double> &y,
                                                                                     const double V)
  {
    std::vector<double> dy(y.size() - 1);
    for (std::size_t i = 0; i + 1 < y.size(); ++i)
      dy[i] = y[i + 1] - y[i];
    dealii::Triangulation<1> t1;
    dealii::GridGenerator::subdivided_hyper_rectangle(t1, {dy}, Point<1>(0.0), Point<1>(y.back()));
    {
      std::vector<double> tops{0.0};
      for (const auto &l : p.device.layers)
        tops.push_back(tops.back() + l.thickness);
      for (const auto &cell : t1.active_cell_iterators())
        {
          for (std::size_t k = 0; k < p.device.layers.size(); ++k)
            if (cell->center()[0] > tops[k] && cell->center()[0] < tops[k + 1])
              cell->set_material_id(p.device.layers[k].id);
          for (const unsigned int f : cell->face_indices())
            if (cell->face(f)->at_boundary())
              cell->face(f)->set_boundary_id(cell->face(f)->center()[0] < y.back() / 2 ? ids::top_contact :
                                                                                          ids::back_contact);
        }
    }
    DriftDiffusionSystem<1> s1(t1, p.device, p.concentration_scale);
    dealii::Vector<double>  u1, frozen1;
    s1.initial_state(u1, V);
    frozen1 = u1;
    {
      std::vector<bool> is_c(u1.size());
      for (unsigned int i = 0; i < u1.size(); ++i)
        is_c[i] = s1.is_vacancy_dof(i);
      NewtonSolver newton(s1.sparsity_pattern(), NewtonParameters());
      TimeTerm     tt;
      tt.frozen_vacancies = true;
      tt.frozen_state     = &frozen1;
      EXPECT_TRUE(newton
                    .solve([&](const dealii::Vector<double> &x, dealii::Vector<double> &R,
                               dealii::SparseMatrix<double> *J) { s1.assemble(x, V, tt, R, J); },
                           is_c, u1)
                    .converged);
    }
    return s1.nodal_values(u1);
  }
} // namespace

// The gmsh electrode-edge mesh (meshes/electrode_edge.msh) of the paper's
// device at 0 V, as-grown vacancies frozen: 100 nm from the disc edge, under
// the Pt (lateral zero-flux side r = R - L), the potential is the 1D
// solution on the same depth nodes; under the free surface (r = R + L) the
// film is not pinned by the Pt, so the surface potential differs from the
// contact's.
TEST(Parallel2D, GmshElectrodeEdgeFarFromTheEdgeEqualsTheOneDimensionalSolution)
{
  const auto         p = paper_parameters();
  GmshMeshParameters gp;
  gp.file = source_path("meshes/electrode_edge.msh");
  DTria t2(MPI_COMM_WORLD);
  read_distributed_gmsh_device_mesh(p.device, gp, t2);
  DistributedDriftDiffusionSystem<2> s2(t2, p.device, p.concentration_scale);
  DistributedVector                  u2, frozen2;
  s2.initial_state(u2, 0.0);
  frozen2 = u2;
  ASSERT_TRUE(solve_frozen(s2, u2, frozen2, 0.0));

  // 1D on the depth nodes of the gmsh mesh
  std::vector<double> y;
  {
    dealii::Triangulation<2> serial;
    read_gmsh_device_mesh(p.device, gp, serial);
    for (const auto &v : serial.get_vertices())
      y.push_back(v[1]);
    std::sort(y.begin(), y.end());
    y.erase(std::unique(y.begin(), y.end(), [](double a, double b) { return std::abs(a - b) < 1e-16; }), y.end());
  }
  const auto n1 = one_dimensional_frozen_solution(p, y, 0.0);
  const double R = 10e-6, L = 100e-9;
  double       phi_min = 1e9, phi_max = -1e9, max_err = 0, free_top = -1e9;
  unsigned     compared = 0;
  for (unsigned int k = 0; k < s2.n_locally_owned(); ++k)
    {
      const auto &x = s2.support_point_local(k);
      if (s2.is_vacancy_local(k))
        continue;
      if (std::abs(x[0] - (R - L)) < 1e-12)
        for (const auto &b : n1)
          if (std::abs(x[1] - b.x[0]) < 1e-16)
            {
              max_err = std::max(max_err, std::abs(u2.local_element(k) - b.phi));
              phi_min = std::min(phi_min, b.phi);
              phi_max = std::max(phi_max, b.phi);
              ++compared;
            }
      if (std::abs(x[0] - (R + L)) < 1e-12 && std::abs(x[1]) < 1e-16)
        free_top = u2.local_element(k);
    }
  max_err = dealii::Utilities::MPI::max(max_err, MPI_COMM_WORLD);
  EXPECT_EQ(dealii::Utilities::MPI::sum(compared, MPI_COMM_WORLD), y.size());
  EXPECT_GT(dealii::Utilities::MPI::max(phi_max, MPI_COMM_WORLD) - dealii::Utilities::MPI::min(phi_min, MPI_COMM_WORLD),
            0.1); // a real potential profile, not a constant
  EXPECT_LT(max_err, 1e-6);
  free_top = dealii::Utilities::MPI::max(free_top, MPI_COMM_WORLD);
  EXPECT_GT(std::abs(free_top - p.device.top_contact_potential(0.0)), 0.05) << free_top;
}

// The per-face Tsu-Esaki current along sampled normal lines (meshes without
// vertex columns, parallel/normal_line_sampler.h) equals the column path on a
// column mesh (the paper's device as a slab at +0.5 V, as-grown vacancies
// frozen): the Q1 potential at an edge midpoint is the mean of its vertices.
TEST(Parallel2D, SampledNormalLinesGiveTheColumnCurrentOnAColumnMesh)
{
  const auto            p = paper_parameters();
  LateralMeshParameters lat;
  lat.width = 10e-9;
  lat.cells = 4;
  DTria t(MPI_COMM_WORLD);
  make_distributed_device_slab(p.device, p.mesh, lat, t);
  DistributedDriftDiffusionSystem<2> s(t, p.device, p.concentration_scale);
  DistributedVector                  u, frozen;
  const double                       V = 0.5;
  s.initial_state(u, V);
  frozen = u;
  ASSERT_TRUE(solve_frozen(s, u, frozen, V));
  const ElectrodeCurrent columns(s), sampled(s, ElectrodeCurrent::Lines::sampled);
  EXPECT_FALSE(columns.sampled());
  EXPECT_TRUE(sampled.sampled());
  EXPECT_EQ(columns.n_columns(), 5u);
  EXPECT_EQ(sampled.n_columns(), 4u); // one line per Pt face
  const double Ic = columns.current(u, V), Is = sampled.current(u, V);
  EXPECT_GT(std::abs(Ic), 0.0);
  EXPECT_NEAR(Is / Ic, 1.0, 1e-9) << Ic << " " << Is;
  for (std::size_t f = 0; f < columns.face_current_densities().size(); ++f)
    EXPECT_NEAR(sampled.face_current_densities()[f] / columns.face_current_densities()[f], 1.0, 1e-9);
}

// The same current on the gmsh electrode-edge mesh (axisymmetric, +0.5 V,
// as-grown vacancies frozen): sampled lines = the automatic choice in total,
// and 100 nm inside the disc edge the Pt face current density equals the 1D
// current density of the 1D solution at the same bias within 1 %.
TEST(Parallel2D, GmshElectrodeEdgeCurrentFarFromTheEdgeEqualsTheOneDimensionalCurrent)
{
  const auto         p = paper_parameters();
  GmshMeshParameters gp;
  gp.file = source_path("meshes/electrode_edge.msh");
  DTria t2(MPI_COMM_WORLD);
  read_distributed_gmsh_device_mesh(p.device, gp, t2);
  DistributedDriftDiffusionSystem<2> s2(t2, p.device, p.concentration_scale, CoordinateSystem::axisymmetric);
  DistributedVector                  u2, frozen2;
  const double                       V = 0.5;
  s2.initial_state(u2, V);
  frozen2 = u2;
  ASSERT_TRUE(solve_frozen(s2, u2, frozen2, V));
  const ElectrodeCurrent sampled(s2, ElectrodeCurrent::Lines::sampled);
  const ElectrodeCurrent automatic(s2);
  EXPECT_NEAR(sampled.current(u2, V) / automatic.current(u2, V), 1.0, 1e-9);
  const double R = 10e-6, L = 100e-9;
  double       J_inner = 0, r_inner = 1e9;
  for (std::size_t f = 0; f < s2.owned_top_faces().size(); ++f)
    if (s2.owned_top_faces()[f].lateral_begin < r_inner)
      {
        r_inner = s2.owned_top_faces()[f].lateral_begin;
        J_inner = sampled.face_current_densities()[f];
      }
  // the rank that owns the innermost face reports it
  const double r_min = dealii::Utilities::MPI::min(r_inner, MPI_COMM_WORLD);
  J_inner            = dealii::Utilities::MPI::sum(r_inner == r_min ? J_inner : 0.0, MPI_COMM_WORLD);
  EXPECT_NEAR(r_min, R - L, 1e-12);

  // 1D on the depth nodes of the gmsh mesh, the same bias
  std::vector<double> y = NormalLineSampler::mesh_depths(s2, 1e-16);
  const auto          n1 = one_dimensional_frozen_solution(p, y, V);
  std::vector<double> depth, Ec;
  for (const auto &b : n1)
    {
      depth.push_back(b.x[0]);
      Ec.push_back(conduction_band_edge(p.device, b.x[0], b.phi));
    }
  const double J1 = line_junction_current(p.device, depth, Ec, V).current_density;
  EXPECT_GT(std::abs(J1), 0.0);
  EXPECT_NEAR(J_inner / J1, 1.0, 0.01) << "2D " << J_inner << " A/m^2, 1D " << J1 << " A/m^2";
}

// Vacancy transport on the C-AFM tip mesh (meshes/cafm_tip.msh, axisymmetric,
// Pt only on the r < 1.51 nm disc, free surface outside): implicit Euler steps
// of 1 ps, 10 ps, 100 ps and 1 ns at 0 V from the as-grown state converge,
// keep 0 <= c <= c_max and conserve the vacancy number (blocking contacts) to
// 1e-10. Before the barrier collapse of the hopping law (physics/
// vacancy_flux.h) and the site-limit-preserving Newton update
// (parallel/distributed_newton_solver.cc) the 1 ps step did not converge
// (scaled residual 2e24 at the contact rim, where a 0.36 V drop over the
// 0.06 nm rim edge gave hop rates of 1e36 /s, and the first Newton update
// overfilled the rim node; README, C-AFM tip).
TEST(Parallel2D, GmshCafmTipVacancyTransportFromAsGrownConvergesAndConserves)
{
  const auto         p = paper_parameters();
  GmshMeshParameters gp;
  gp.file = source_path("meshes/cafm_tip.msh");
  DTria t2(MPI_COMM_WORLD);
  read_distributed_gmsh_device_mesh(p.device, gp, t2);
  DistributedDriftDiffusionSystem<2> s2(t2, p.device, p.concentration_scale, CoordinateSystem::axisymmetric);
  DistributedVector                  u, frozen, history;
  s2.initial_state(u, 0.0);
  frozen = u;
  ASSERT_TRUE(solve_frozen(s2, u, frozen, 0.0));
  const double N0 = s2.total_vacancies(u);
  EXPECT_GT(N0, 1e4); // ~8e4 vacancies in the r < 150 nm section
  double c_max = INFINITY; // the site limit (scaled), the same in every layer of this device
  for (const auto &l : p.device.layers)
    c_max = std::min(c_max, l.material.max_vacancy_density / p.concentration_scale);
  DistributedNewtonSolver newton(s2, p.newton);
  history.reinit(u);
  double t = 0;
  for (const double dt : {1e-12, 1e-11, 1e-10, 1e-9})
    {
      DistributedTimeTerm tt;
      tt.a0 = 1.0 / dt;
      history.equ(-1.0 / dt, u);
      tt.history = &history;
      const auto r = newton.solve(
        [&](const DistributedVector &x, DistributedVector &R, dealii::PETScWrappers::MPI::SparseMatrix *J) {
          s2.assemble(x, 0.0, tt, R, J);
        },
        u);
      t += dt;
      ASSERT_TRUE(r.converged) << "t = " << t << " s, step " << dt << " s: scaled residual " << r.residual_norm
                               << " after " << r.iterations << " Newton iterations";
      EXPECT_NEAR(s2.total_vacancies(u) / N0, 1.0, 1e-10) << "t = " << t;
      double c_min = 1e300, excess = -1e300;
      for (unsigned int k = 0; k < s2.n_locally_owned(); ++k)
        if (s2.is_vacancy_local(k))
          {
            c_min  = std::min(c_min, u.local_element(k));
            excess = std::max(excess, u.local_element(k) - c_max);
          }
      EXPECT_GE(dealii::Utilities::MPI::min(c_min, MPI_COMM_WORLD), 0.0) << "t = " << t;
      EXPECT_LE(dealii::Utilities::MPI::max(excess, MPI_COMM_WORLD), 0.0) << "t = " << t;
    }
}

// The random lateral factor (device/lognormal_random_field.h) multiplies the
// film's vacancy densities only; l = infinity multiplies the film inventory
// by a single factor.
TEST(Parallel2D, RandomVacancyFactorModulatesTheFilmOnly)
{
  const auto            p = paper_parameters();
  LateralMeshParameters lat;
  lat.width = 20e-9;
  lat.cells = 8;
  DTria t(MPI_COMM_WORLD);
  make_distributed_device_slab(p.device, p.mesh, lat, t);
  DistributedDriftDiffusionSystem<2> sys(t, p.device, p.concentration_scale);
  DistributedVector                  u0, u;
  sys.initial_state(u0, 0.0);
  RandomFieldParameters rp;
  rp.correlation_length = 5e-9;
  rp.log_std            = 0.5;
  rp.seed               = 3;
  LognormalRandomField field(rp);
  u = u0;
  apply_random_vacancy_factor(sys, field, u);
  const double film = p.device.film_thickness();
  double       lo = 1e9, hi = 0;
  for (unsigned int k = 0; k < sys.n_locally_owned(); ++k)
    {
      const auto &x     = sys.support_point_local(k);
      const double ratio = u0.local_element(k) != 0 ? u.local_element(k) / u0.local_element(k) : 1.0;
      if (!sys.is_vacancy_local(k) || x[1] > film * (1 + 1e-9))
        EXPECT_EQ(ratio, 1.0);
      else
        {
          EXPECT_NEAR(ratio, field.factor(x), 1e-12);
          lo = std::min(lo, ratio);
          hi = std::max(hi, ratio);
        }
    }
  // over 4 correlation lengths the factor varies (sigma = 0.5)
  EXPECT_GT(dealii::Utilities::MPI::max(hi, MPI_COMM_WORLD) / dealii::Utilities::MPI::min(lo, MPI_COMM_WORLD), 1.3);
}

// The field-split preconditioner (parallel/distributed_linear_solver.h)
// solves the Newton systems of one 1 ns implicit step of the paper's device
// to the state MUMPS gives, with Krylov iteration counts that do not grow
// with the mesh (levels 0 and 1: 4x the DOFs).
namespace
{
  /// One 1 ns implicit Euler step at 0 V from u (the as-grown state) with the given linear
  /// solver; u becomes the step's solution. Returns the Newton solver's statistics.
  DistributedNewtonStatistics implicit_euler_step(const DistributedDriftDiffusionSystem<2> &sys, const std::string &method,
                                       DistributedVector &u)
  {
    DistributedVector hist;
    sys.reinit_vector(hist);
    const double dt = 1e-9;
    hist.equ(-1 / dt, u);
    DistributedTimeTerm tt;
    tt.a0      = 1 / dt;
    tt.history = &hist;
    LinearSolverParameters lp;
    lp.method = method;
    DistributedNewtonSolver newton(sys, NewtonParameters(), lp);
    const auto              r = newton.solve(
      [&](const DistributedVector &x, DistributedVector &R, dealii::PETScWrappers::MPI::SparseMatrix *J) {
        sys.assemble(x, 0.0, tt, R, J);
      },
      u);
    EXPECT_TRUE(r.converged) << method;
    return newton.statistics();
  }

  /// Krylov iterations per Newton iteration of that step with the field split, on the paper's slab.
  double fieldsplit_iterations(const dealii::parallel::DistributedTriangulationBase<2> &t, const RunParameters &p)
  {
    DistributedDriftDiffusionSystem<2> sys(t, p.device, p.concentration_scale);
    DistributedVector                  u;
    sys.initial_state(u, 0.0);
    const auto st = implicit_euler_step(sys, "fieldsplit", u);
    return double(st.linear_iterations) / std::max(1u, st.newton_iterations);
  }
} // namespace

TEST(Parallel2D, FieldSplitSolverMatchesTheDirectSolverWithMeshIndependentIterations)
{
  const auto p = paper_parameters();
  std::vector<double> iterations_per_solve;
  for (const unsigned level : {0u, 1u})
    {
      LateralMeshParameters lat;
      lat.width             = 20e-9;
      lat.cells             = 4;
      lat.global_refinement = level;
      DTria t(MPI_COMM_WORLD);
      make_distributed_device_slab(p.device, p.mesh, lat, t);
      DistributedDriftDiffusionSystem<2> sys(t, p.device, p.concentration_scale);
      DistributedVector                  u_direct, u_split;
      sys.initial_state(u_direct, 0.0);
      u_split = u_direct;
      implicit_euler_step(sys, "direct", u_direct);
      const auto st = implicit_euler_step(sys, "fieldsplit", u_split);
      double     dphi = 0, dc = 0;
      for (unsigned int k = 0; k < sys.n_locally_owned(); ++k)
        {
          const double a = u_direct.local_element(k), b = u_split.local_element(k);
          if (sys.is_vacancy_local(k))
            dc = std::max(dc, std::abs(b - a) / std::max(std::abs(a), 1e-30));
          else
            dphi = std::max(dphi, std::abs(b - a));
        }
      EXPECT_LT(dealii::Utilities::MPI::max(dphi, MPI_COMM_WORLD), 1e-7) << "level " << level;
      EXPECT_LT(dealii::Utilities::MPI::max(dc, MPI_COMM_WORLD), 1e-6) << "level " << level;
      iterations_per_solve.push_back(double(st.linear_iterations) / std::max(1u, st.newton_iterations));
      // the fast preconditioner did the work: a degraded one would still converge through
      // the exact (LU) fallback, and only this count would show it
      EXPECT_EQ(st.preconditioner_fallbacks, 0u) << "level " << level;
      // and its Schur matrix was ours (selfp_schur_matrix.h), not PETSc's selfp
      EXPECT_EQ(st.petsc_selfp_setups, 0u) << "level " << level;
    }
  EXPECT_LT(iterations_per_solve[1], 1.5 * iterations_per_solve[0] + 2)
    << iterations_per_solve[0] << " -> " << iterations_per_solve[1];
}
// The field split's Schur preconditioning matrix (parallel/selfp_schur_matrix.h)
// equals PETSc's selfp product S = P_pp - P_pc diag(P_cc)^-1 P_cp, computed
// here from P's blocks with PETSc's MatMatMult, entry for entry (1e-13 of
// |S|, Frobenius; a wrong sign or factor of the product term fails) on the
// paper's slab at the as-grown state (on 2 ranks: across the column cut), and
// keeps the five-point stencil where the symbolic product stores 13 entries
// per row. A coupling that was zero at construction and becomes nonzero is
// taken up (the pattern is rebuilt).
namespace
{
  /// PETSc's selfp matrix from P's blocks (vacancy rows flagged in is_vac).
  Mat petsc_selfp(Mat P, const std::vector<bool> &is_vac)
  {
    PetscInt first = 0, end = 0;
    check_petsc(MatGetOwnershipRange(P, &first, &end), "MatGetOwnershipRange");
    std::vector<PetscInt> rc, rp;
    for (PetscInt k = first; k < end; ++k)
      (is_vac[k - first] ? rc : rp).push_back(k);
    IS ic, ip;
    ISCreateGeneral(MPI_COMM_WORLD, rc.size(), rc.data(), PETSC_COPY_VALUES, &ic);
    ISCreateGeneral(MPI_COMM_WORLD, rp.size(), rp.data(), PETSC_COPY_VALUES, &ip);
    Mat A00, A01, A10, A11, prod;
    check_petsc(MatCreateSubMatrix(P, ic, ic, MAT_INITIAL_MATRIX, &A00), "MatCreateSubMatrix");
    check_petsc(MatCreateSubMatrix(P, ic, ip, MAT_INITIAL_MATRIX, &A01), "MatCreateSubMatrix");
    check_petsc(MatCreateSubMatrix(P, ip, ic, MAT_INITIAL_MATRIX, &A10), "MatCreateSubMatrix");
    check_petsc(MatCreateSubMatrix(P, ip, ip, MAT_INITIAL_MATRIX, &A11), "MatCreateSubMatrix");
    Vec d;
    MatCreateVecs(A00, &d, nullptr);
    MatGetDiagonal(A00, d);
    VecReciprocal(d);
    MatDiagonalScale(A01, d, nullptr);
    check_petsc(MatMatMult(A10, A01, MAT_INITIAL_MATRIX, PETSC_DEFAULT, &prod), "MatMatMult");
    check_petsc(MatAXPY(A11, -1.0, prod, DIFFERENT_NONZERO_PATTERN), "MatAXPY");
    for (Mat *m : {&A00, &A01, &A10, &prod})
      MatDestroy(m);
    VecDestroy(&d);
    ISDestroy(&ic);
    ISDestroy(&ip);
    return A11;
  }

  /// |A - B|_F / |B|_F
  double relative_difference(Mat A, Mat B)
  {
    Mat D;
    MatDuplicate(B, MAT_COPY_VALUES, &D);
    check_petsc(MatAXPY(D, -1.0, A, DIFFERENT_NONZERO_PATTERN), "MatAXPY");
    PetscReal nd = 0, nb = 0;
    MatNorm(D, NORM_FROBENIUS, &nd);
    MatNorm(B, NORM_FROBENIUS, &nb);
    MatDestroy(&D);
    return nd / nb;
  }

  /// The paper's device on t at the as-grown state, and the Jacobian of a 1 ns implicit Euler step there.
  struct AsGrownJacobian
  {
    DistributedDriftDiffusionSystem<2>       sys;
    DistributedVector                        u, R, hist;
    DistributedTimeTerm                      tt;
    dealii::PETScWrappers::MPI::SparseMatrix J;
    AsGrownJacobian(const dealii::parallel::DistributedTriangulationBase<2> &t, const RunParameters &p)
      : sys(t, p.device, p.concentration_scale)
    {
      sys.initial_state(u, 0.0);
      sys.reinit_vector(R);
      sys.reinit_vector(hist);
      tt.a0 = 1e9;
      hist.equ(-1e9, u);
      tt.history = &hist;
      sys.reinit_matrix(J);
      sys.assemble(u, 0.0, tt, R, &J);
    }
  };

  /// The paper's slab, 20 nm wide in 4 columns refined once: 8 columns of cells.
  LateralMeshParameters small_column_slab()
  {
    LateralMeshParameters lat;
    lat.width             = 20e-9;
    lat.cells             = 4;
    lat.global_refinement = 1;
    return lat;
  }

  /// The box-stiffness preconditioning matrix P of the paper's device on small_column_slab()
  /// at the as-grown state (a 1 ns step's Jacobian), and the field flag of each owned row.
  struct SmallSlabBoxMatrix
  {
    decltype(paper_parameters())                           p = paper_parameters();
    dealii::parallel::fullydistributed::Triangulation<2>   t{MPI_COMM_WORLD};
    std::unique_ptr<AsGrownJacobian>                  as_grown;
    std::unique_ptr<BoxStiffnessPreconditionerMatrix> box;
    Mat                                               P = nullptr;
    std::vector<bool>                                 is_vac;
    SmallSlabBoxMatrix()
    {
      make_column_distributed_device_slab(p.device, p.mesh, small_column_slab(), t);
      as_grown = std::make_unique<AsGrownJacobian>(t, p);
      box      = std::make_unique<BoxStiffnessPreconditionerMatrix>(as_grown->sys);
      P        = box->build(as_grown->J, as_grown->u);
      is_vac.resize(as_grown->sys.n_locally_owned());
      for (unsigned int k = 0; k < is_vac.size(); ++k)
        is_vac[k] = as_grown->sys.is_vacancy_local(k);
    }
  };

  /// Largest number of stored entries in a locally owned row, over all ranks.
  PetscInt max_row_entries(Mat M)
  {
    PetscInt first = 0, end = 0, most = 0;
    MatGetOwnershipRange(M, &first, &end);
    for (PetscInt r = first; r < end; ++r)
      {
        PetscInt n = 0;
        MatGetRow(M, r, &n, nullptr, nullptr);
        most = std::max(most, n);
        MatRestoreRow(M, r, &n, nullptr, nullptr);
      }
    return dealii::Utilities::MPI::max(most, MPI_COMM_WORLD);
  }
} // namespace

TEST(Parallel2D, AssembledSelfpSchurComplementEqualsPetscsProductOnTheFivePointStencil)
{
  SmallSlabBoxMatrix       slab;
  Mat                      P      = slab.P;
  const std::vector<bool> &is_vac = slab.is_vac;

  SelfpSchurMatrix schur(P, is_vac);
  ASSERT_TRUE(schur.available());
  Mat reference = petsc_selfp(P, is_vac);
  EXPECT_LT(relative_difference(schur.matrix(), reference), 1e-13);
  EXPECT_LE(max_row_entries(schur.matrix()), 5);
  EXPECT_GE(max_row_entries(reference), 9); // the symbolic product's pattern (13 inside)

  // the product term matters: without it S differs at the percent level or more
  Mat P_pp_only;
  {
    // P with its P_pc block zeroed: S would be P_pp alone
    MatDuplicate(P, MAT_COPY_VALUES, &P_pp_only);
    PetscInt first = 0, end = 0;
    MatGetOwnershipRange(P, &first, &end);
    std::vector<std::pair<PetscInt, PetscInt>> pc;
    for (PetscInt r = first; r < end; ++r)
      if (!is_vac[r - first])
        {
          PetscInt        n = 0;
          const PetscInt *cs;
          MatGetRow(P, r, &n, &cs, nullptr);
          for (PetscInt e = 0; e < n; ++e)
            if (cs[e] >= first && cs[e] < end && is_vac[cs[e] - first])
              pc.emplace_back(r, cs[e]);
          MatRestoreRow(P, r, &n, &cs, nullptr);
        }
    for (const auto &[r, c] : pc)
      MatSetValue(P_pp_only, r, c, 0.0, INSERT_VALUES);
    MatAssemblyBegin(P_pp_only, MAT_FINAL_ASSEMBLY);
    MatAssemblyEnd(P_pp_only, MAT_FINAL_ASSEMBLY);
    Mat plain = petsc_selfp(P_pp_only, is_vac);
    EXPECT_GT(relative_difference(plain, reference), 1e-3);
    MatDestroy(&plain);
    MatDestroy(&P_pp_only);
  }

  // a zero coupling of the pattern (potential row, vacancy column of another
  // node on this rank) made nonzero: update() follows it
  {
    PetscInt first = 0, end = 0;
    MatGetOwnershipRange(P, &first, &end);
    PetscInt row = -1, col = -1;
    for (PetscInt r = first; r < end && row < 0; ++r)
      if (!is_vac[r - first])
        {
          PetscInt           n = 0;
          const PetscInt    *cs;
          const PetscScalar *vs;
          MatGetRow(P, r, &n, &cs, &vs);
          for (PetscInt e = 0; e < n && row < 0; ++e)
            if (cs[e] >= first && cs[e] < end && is_vac[cs[e] - first] && vs[e] == 0)
              row = r, col = cs[e];
          MatRestoreRow(P, r, &n, &cs, &vs);
        }
    ASSERT_GE(row, 0);
    MatSetValue(P, row, col, 0.5, INSERT_VALUES);
    MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY);
    MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY);
    schur.update(P);
    ASSERT_TRUE(schur.available());
    Mat changed = petsc_selfp(P, is_vac);
    EXPECT_GT(relative_difference(changed, reference), 1e-12); // the change is visible
    EXPECT_LT(relative_difference(schur.matrix(), changed), 1e-13);
    MatDestroy(&changed);
  }

  // new values on the same pattern (the usual Newton iteration): filled in
  // place, row by row into the assembled S
  {
    Vec scale;
    MatCreateVecs(P, &scale, nullptr);
    VecSet(scale, 3.0);
    MatDiagonalScale(P, scale, nullptr); // every row x3: S x3
    schur.update(P);
    ASSERT_TRUE(schur.available());
    Mat scaled = petsc_selfp(P, is_vac);
    EXPECT_LT(relative_difference(schur.matrix(), scaled), 1e-13);
    MatDestroy(&scaled);
    VecDestroy(&scale);
  }
  MatDestroy(&reference);
}

// The preconditioning matrix handed to PETSc's field split as its four field
// blocks (parallel/field_block_matrix.h): each block equals PETSc's own
// extraction of it from the AIJ matrix (exactly: the values are copies), the
// nest applied to a vector equals the AIJ matrix applied to it to round-off of
// |P| |x| (a block in the wrong place or an index set in the wrong order
// changes it at O(|P| |x|)),
// cutting the blocks leaves P's values as they were, and new values of P on
// the same pattern are followed without a rebuild. On 1 and 2 ranks.
TEST(Parallel2D, FieldBlocksOfThePreconditioningMatrixAreItsSubmatrices)
{
  SmallSlabBoxMatrix       slab;
  Mat                      P      = slab.P;
  const std::vector<bool> &is_vac = slab.is_vac;
  const auto              &sys    = slab.as_grown->sys;
  const auto               n_vac  = std::count(is_vac.begin(), is_vac.end(), true);

  Mat P_before;
  MatDuplicate(P, MAT_COPY_VALUES, &P_before);
  FieldBlockMatrix blocks(P, is_vac);
  EXPECT_EQ(relative_difference(P, P_before), 0.0); // the labels are gone, P's values are back
  MatDestroy(&P_before);
  PetscInt n_c = 0, n_phi = 0;
  ISGetLocalSize(blocks.field(0), &n_c);
  ISGetLocalSize(blocks.field(1), &n_phi);
  EXPECT_EQ(n_c, PetscInt(n_vac));
  EXPECT_EQ(n_c + n_phi, PetscInt(is_vac.size()));

  auto expect_blocks_equal_submatrices = [&](const char *when) {
    for (unsigned int r = 0; r < 2; ++r)
      for (unsigned int c = 0; c < 2; ++c)
        {
          Mat reference;
          MatCreateSubMatrix(P, blocks.field(r), blocks.field(c), MAT_INITIAL_MATRIX, &reference);
          PetscReal norm = 0;
          MatNorm(reference, NORM_FROBENIUS, &norm);
          EXPECT_GT(norm, 0.0) << when << ", block " << r << c; // every block couples the fields
          EXPECT_EQ(relative_difference(blocks.block(r, c), reference), 0.0) << when << ", block " << r << c;
          MatDestroy(&reference);
        }
    // the nest as an operator: N x = P x
    Vec x, y_aij, y_nest;
    MatCreateVecs(P, &x, &y_aij);
    VecDuplicate(y_aij, &y_nest);
    PetscScalar *a;
    VecGetArray(x, &a);
    for (unsigned int k = 0; k < sys.n_locally_owned(); ++k)
      {
        const auto &pt = sys.support_point_local(k);
        a[k]           = (is_vac[k] ? 2.0 : 1.0) + std::sin(pt[0] / 7e-9) * std::cos(pt[1] / 3e-9);
      }
    VecRestoreArray(x, &a);
    MatMult(P, x, y_aij);
    MatMult(blocks.matrix(), x, y_nest);
    // the rows nearly cancel on a smooth x (|P x| ~ 1e-4 |P| |x|): compare with
    // |P| |x|, the size of a misplaced block's contribution
    PetscReal np = 0, nx = 0, nd = 0;
    MatNorm(P, NORM_FROBENIUS, &np);
    VecNorm(x, NORM_2, &nx);
    VecAXPY(y_nest, -1.0, y_aij);
    VecNorm(y_nest, NORM_2, &nd);
    EXPECT_LT(nd, 1e-13 * np * nx) << when;
    VecDestroy(&x);
    VecDestroy(&y_aij);
    VecDestroy(&y_nest);
  };
  expect_blocks_equal_submatrices("after the build");

  // new values on the same pattern (a Newton iteration): copied, no rebuild
  Vec scale;
  MatCreateVecs(P, &scale, nullptr);
  VecSet(scale, 3.0);
  MatDiagonalScale(P, scale, nullptr);
  VecDestroy(&scale);
  PetscObjectState before = 0, after = 0;
  PetscObjectStateGet(reinterpret_cast<PetscObject>(blocks.matrix()), &before);
  blocks.update(P);
  PetscObjectStateGet(reinterpret_cast<PetscObject>(blocks.matrix()), &after);
  EXPECT_GT(after, before); // a new state: PETSc's field split rebuilds its preconditioner
  EXPECT_EQ(blocks.builds(), 1u);
  expect_blocks_equal_submatrices("after new values");
}

// The box-stiffness preconditioning matrix (parallel/box_stiffness_preconditioner.h)
// is filled entry by entry, each rank correcting only its own rows (from its
// own and its ghost cells): the matrix must not depend on the partition. Its
// Frobenius norm and its product with a smooth field (invariant under the
// renumbering) on the column-partitioned slab equal those of the same slab on
// one rank (1e-12); a correction lost or doubled at the cut changes them by
// far more (measured: with the ghost cells' corrections left out, |F| changes
// by 1.3 % and |F v| 700-fold on 2 ranks). A second build from the same J gives
// the same matrix (a fill that adds to the previous values instead of replacing
// them doubles the matrix).
namespace
{
  /// |F|, |F v| (a fixed smooth v), |F - J| / |F| of the box-stiffness matrix F at the as-grown
  /// state; and |F| after a second build from the same J (the in-place fill must replace, not add).
  std::array<double, 4> box_matrix_norms(const dealii::parallel::DistributedTriangulationBase<2> &t, const RunParameters &p)
  {
    AsGrownJacobian                  as_grown(t, p);
    const auto                      &sys = as_grown.sys;
    const auto                      &J   = as_grown.J;
    BoxStiffnessPreconditionerMatrix box(sys);
    Mat                              F = box.build(J, as_grown.u);
    Vec                              v, Fv;
    MatCreateVecs(F, &v, &Fv);
    PetscScalar *a;
    VecGetArray(v, &a);
    for (unsigned int k = 0; k < sys.n_locally_owned(); ++k)
      {
        const auto &x = sys.support_point_local(k);
        a[k]          = (sys.is_vacancy_local(k) ? 2.0 : 1.0) + std::sin(x[0] / 7e-9) * std::cos(x[1] / 3e-9);
      }
    VecRestoreArray(v, &a);
    MatMult(F, v, Fv);
    PetscReal nf = 0, nfv = 0, nd = 0;
    MatNorm(F, NORM_FROBENIUS, &nf);
    VecNorm(Fv, NORM_2, &nfv);
    // F - J: the correction (and J's diagonal-pair entries, dropped from F)
    Mat D;
    MatDuplicate(static_cast<const Mat &>(J), MAT_COPY_VALUES, &D);
    MatAXPY(D, -1.0, F, DIFFERENT_NONZERO_PATTERN);
    MatNorm(D, NORM_FROBENIUS, &nd);
    MatDestroy(&D);
    VecDestroy(&v);
    VecDestroy(&Fv);
    PetscReal nf_again = 0;
    MatNorm(box.build(J, as_grown.u), NORM_FROBENIUS, &nf_again);
    return {{nf, nfv, nd / nf, nf_again}};
  }
} // namespace

TEST(Parallel2D, BoxStiffnessMatrixIsIndependentOfThePartition)
{
  const auto                                           p   = paper_parameters();
  const LateralMeshParameters                          lat = small_column_slab();
  dealii::parallel::fullydistributed::Triangulation<2> world(MPI_COMM_WORLD), alone(MPI_COMM_SELF);
  make_column_distributed_device_slab(p.device, p.mesh, lat, world);
  make_column_distributed_device_slab(p.device, p.mesh, lat, alone);
  const auto w = box_matrix_norms(world, p), s = box_matrix_norms(alone, p);
  EXPECT_NEAR(w[0], s[0], 1e-12 * s[0]);
  EXPECT_NEAR(w[1], s[1], 1e-12 * s[1]);
  EXPECT_NEAR(w[2], s[2], 1e-9 * s[2]);
  EXPECT_GT(s[2], 1e-6); // the correction is there
  EXPECT_NEAR(w[3], w[0], 1e-13 * w[0]); // rebuilt from the same J: the same matrix
  EXPECT_NEAR(s[3], s[0], 1e-13 * s[0]);
}

// The 2 pi r weight of the axisymmetric assembly is consistent: a laterally
// uniform disc (axis at r = 0) reproduces the 1D equilibrium node by node,
// its vacancy number and Pt charge are those of 1D times pi R^2.
TEST(Parallel2D, LaterallyUniformAxisymmetricDeviceEqualsTheOneDimensionalSolution)
{
  compare_uniform_device_with_1d(CoordinateSystem::axisymmetric);
}

// The column partition of the slab (mesh/device_mesh_2d.h): equal columns, the
// cuts only across lateral faces, and the field-split preconditioner keeps the
// Krylov iterations of one rank (the p4est partition cut the oxide at a depth
// and needed 2.6x on 2 ranks); with more ranks than columns, depth bands of equal
// size. Meaningful when ctest runs this on 2 ranks.
TEST(Parallel2D, ColumnPartitionCutsOnlyLateralFacesAndKeepsTheIterations)
{
  const auto                                           p   = paper_parameters();
  const LateralMeshParameters                          lat = small_column_slab();
  dealii::parallel::fullydistributed::Triangulation<2> t(MPI_COMM_WORLD);
  make_column_distributed_device_slab(p.device, p.mesh, lat, t);
  const unsigned ranks = dealii::Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD);
  const unsigned owned = t.n_locally_owned_active_cells();
  // balanced within one column of cells (ranks that do not divide the columns get one more or less)
  const unsigned column_cells = t.n_global_active_cells() / (lat.cells << lat.global_refinement);
  EXPECT_LE(dealii::Utilities::MPI::max(owned, MPI_COMM_WORLD) - dealii::Utilities::MPI::min(owned, MPI_COMM_WORLD),
            column_cells);
  EXPECT_EQ(dealii::Utilities::MPI::sum(owned, MPI_COMM_WORLD), t.n_global_active_cells());
  unsigned cut = 0, cut_horizontal = 0;
  for (const auto &cell : t.active_cell_iterators())
    if (cell->is_locally_owned())
      for (const unsigned f : cell->face_indices())
        if (!cell->at_boundary(f) && !cell->neighbor(f)->is_locally_owned())
          {
            ++cut;
            // a horizontal face (normal along the depth y) has its two vertices at one depth
            cut_horizontal += std::abs(cell->face(f)->vertex(0)[1] - cell->face(f)->vertex(1)[1]) < 1e-15;
          }
  EXPECT_EQ(cut_horizontal, 0u);
  if (ranks > 1)
    {
      EXPECT_GT(dealii::Utilities::MPI::sum(cut, MPI_COMM_WORLD), 0u);
    }

  dealii::parallel::fullydistributed::Triangulation<2> alone(MPI_COMM_SELF);
  make_column_distributed_device_slab(p.device, p.mesh, lat, alone);
  const double its_world = fieldsplit_iterations(t, p), its_alone = fieldsplit_iterations(alone, p);
  EXPECT_LT(its_world, 1.2 * its_alone + 1) << its_alone << " on one rank";

  if (ranks > 1)
    {
      // more ranks than columns: the one column is shared in depth bands of equal cell counts,
      // and the cuts are then horizontal only
      LateralMeshParameters narrow = lat;
      narrow.cells = 1, narrow.global_refinement = 0;
      dealii::parallel::fullydistributed::Triangulation<2> n(MPI_COMM_WORLD);
      make_column_distributed_device_slab(p.device, p.mesh, narrow, n);
      const unsigned mine = n.n_locally_owned_active_cells();
      EXPECT_EQ(dealii::Utilities::MPI::sum(mine, MPI_COMM_WORLD), n.n_global_active_cells());
      EXPECT_LE(dealii::Utilities::MPI::max(mine, MPI_COMM_WORLD) - dealii::Utilities::MPI::min(mine, MPI_COMM_WORLD),
                1u);
      unsigned vertical = 0, horizontal = 0;
      for (const auto &cell : n.active_cell_iterators())
        if (cell->is_locally_owned())
          for (const unsigned f : cell->face_indices())
            if (!cell->at_boundary(f) && !cell->neighbor(f)->is_locally_owned())
              (std::abs(cell->face(f)->vertex(0)[1] - cell->face(f)->vertex(1)[1]) < 1e-15 ? horizontal : vertical)++;
      EXPECT_EQ(dealii::Utilities::MPI::sum(vertical, MPI_COMM_WORLD), 0u);
      EXPECT_GT(dealii::Utilities::MPI::sum(horizontal, MPI_COMM_WORLD), 0u);
      // and the system on it solves: the field split converges (with more iterations than columns need)
      EXPECT_GT(fieldsplit_iterations(n, p), 0.0);
    }
}
