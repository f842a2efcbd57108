// gmsh meshes of the device (meshes/*.geo, mesh/gmsh_mesh.h) and the
// log-normal random vacancy field (device/lognormal_random_field.h), SPEC
// section 4: the reader maps the physical groups to the solver's ids and
// finds the paper device's layers; bad meshes get errors naming the file and
// the group; the random field has the requested mean, variance, correlation
// length and (uniform case) the 1D sweep's lognormal factor.
#include "common/input_error.h"
#include "device/lognormal_random_field.h"
#include "mesh/device_mesh_2d.h"
#include "mesh/gmsh_mesh.h"
#include "test_helpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <functional>

#include <unistd.h>

using namespace otj;
using namespace otj::test_support;

namespace
{
  /// Total length of the boundary faces with each boundary id (m).
  std::map<dealii::types::boundary_id, double> boundary_lengths(const dealii::Triangulation<2> &tria)
  {
    std::map<dealii::types::boundary_id, double> len;
    for (const auto &cell : tria.active_cell_iterators())
      for (const unsigned int f : cell->face_indices())
        if (cell->face(f)->at_boundary())
          len[cell->face(f)->boundary_id()] += cell->face(f)->measure();
    return len;
  }

  /// A copy of `from` with `what` replaced by `with` (first occurrence), in a temporary file.
  std::string edited_copy(const std::string &from, const std::string &what, const std::string &with)
  {
    std::ifstream     in(from);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s   = ss.str();
    const auto  pos = s.find(what);
    EXPECT_NE(pos, std::string::npos);
    s.replace(pos, what.size(), with);
    const auto path = std::filesystem::temp_directory_path() / ("otj-test-" + std::to_string(::getpid()) + ".msh");
    std::ofstream(path) << s;
    return path.string();
  }

  std::string error_of(const std::function<void()> &f)
  {
    try
      {
        f();
      }
    catch (const InputError &e)
      {
        return e.what();
      }
    return "";
  }
} // namespace

// The electrode-edge section of meshes/electrode_edge.geo: Pt disc edge at
// r = 10 um, section +-100 nm, the paper device's layers (writes.prm:
// 2.4 nm barrier, 0.4 nm bottom interface, 60 nm substrate).
TEST(GmshMesh, ElectrodeEdgeHasTheNamedContactsAndTheDeviceLayers)
{
  const auto        p = paper_parameters();
  GmshMeshParameters gp;
  gp.file = source_path("meshes/electrode_edge.msh");
  dealii::Triangulation<2> tria;
  read_gmsh_device_mesh(p.device, gp, tria);

  const auto ranges = layer_depth_ranges(tria);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_NEAR(ranges.at(ids::barrier).first, 0.0, 1e-15);
  EXPECT_NEAR(ranges.at(ids::barrier).second, 2.4e-9, 1e-15);
  EXPECT_NEAR(ranges.at(ids::bottom_interface).second - ranges.at(ids::bottom_interface).first, 0.4e-9, 1e-15);
  EXPECT_NEAR(ranges.at(ids::substrate).first, 2.8e-9, 1e-15);
  EXPECT_NEAR(ranges.at(ids::substrate).second, 62.8e-9, 1e-14);

  // the Pt contact covers r < R at the surface, the free surface r > R
  const auto len = boundary_lengths(tria);
  EXPECT_NEAR(len.at(ids::top_contact), 100e-9, 1e-15);
  EXPECT_NEAR(len.at(free_surface_boundary_id), 100e-9, 1e-15);
  EXPECT_NEAR(len.at(ids::back_contact), 200e-9, 1e-15);
  EXPECT_NEAR(len.at(lateral_boundary_id), 2 * 62.8e-9, 1e-14);
  EXPECT_EQ(len.size(), 4u);
  for (const auto &cell : tria.active_cell_iterators())
    for (const unsigned int f : cell->face_indices())
      if (cell->face(f)->at_boundary() && cell->face(f)->boundary_id() == ids::top_contact)
        {
          EXPECT_LT(cell->face(f)->center()[0], 10e-6);
          EXPECT_NEAR(cell->face(f)->center()[1], 0.0, 1e-15);
        }

  // resolution: the film's cells near its interfaces, the lateral cells at the edge
  double h_film = 1, h_edge = 1;
  for (const auto &cell : tria.active_cell_iterators())
    {
      const auto   c  = cell->center();
      const double hy = cell->extent_in_direction(1), hx = cell->extent_in_direction(0);
      if (cell->material_id() == ids::barrier)
        h_film = std::min(h_film, hy);
      if (std::abs(c[0] - 10e-6) < hx)
        h_edge = std::min(h_edge, hx);
    }
  EXPECT_LT(h_film, 0.03e-9);
  EXPECT_LT(h_edge, 0.1e-9);
}

// The C-AFM tip contact of meshes/cafm_tip.geo: the contact disc has the
// Hertz radius a = (3 F R / (4 E*))^(1/3) (Johnson, Contact Mechanics, eq.
// 4.22) of a 50 nm diamond tip pressed with 20 nN on SrTiO3.
TEST(GmshMesh, CafmTipContactHasTheHertzRadius)
{
  const auto        p = paper_parameters();
  GmshMeshParameters gp;
  gp.file = source_path("meshes/cafm_tip.msh");
  dealii::Triangulation<2> tria;
  read_gmsh_device_mesh(p.device, gp, tria);
  const double E_star = 1 / ((1 - 0.07 * 0.07) / 1000e9 + (1 - 0.23 * 0.23) / 264e9);
  const double a      = std::cbrt(3 * 20e-9 * 50e-9 / (4 * E_star));
  EXPECT_NEAR(a, 1.5e-9, 0.05e-9);
  const auto len = boundary_lengths(tria);
  EXPECT_NEAR(len.at(ids::top_contact), a, 1e-6 * a);
  EXPECT_NEAR(len.at(free_surface_boundary_id), 150e-9 - a, 1e-15);
  EXPECT_NEAR(len.at(axis_boundary_id), 62.8e-9, 1e-14);
  EXPECT_NEAR(len.at(lateral_boundary_id), 62.8e-9, 1e-14);
  EXPECT_NEAR(len.at(ids::back_contact), 150e-9, 1e-15);
}

TEST(GmshMesh, BadMeshesGetErrorsNamingTheFileAndTheGroup)
{
  const auto        p    = paper_parameters();
  const std::string good = source_path("meshes/electrode_edge.msh");
  dealii::Triangulation<2> tria;
  GmshMeshParameters gp;

  gp.file = "/nonexistent/mesh.msh";
  EXPECT_NE(error_of([&] { read_gmsh_device_mesh(p.device, gp, tria); }).find("/nonexistent/mesh.msh: cannot open"),
            std::string::npos);

  // no Pt contact group (renamed to an unknown name)
  gp.file = edited_copy(good, "\"pt_contact\"", "\"electrode\"");
  auto e  = error_of([&] { read_gmsh_device_mesh(p.device, gp, tria); });
  EXPECT_NE(e.find(gp.file), std::string::npos) << e;
  EXPECT_NE(e.find("unknown physical curve 'electrode'"), std::string::npos) << e;

  // no barrier: the STO region named as substrate is a duplicate name -> the barrier is missing
  gp.file = edited_copy(good, "2 12 \"barrier\"", "2 12 \"top_interface\"");
  e       = error_of([&] { read_gmsh_device_mesh(p.device, gp, tria); });
  EXPECT_NE(e.find("no physical group 'barrier'"), std::string::npos) << e;

  // a device whose barrier is thicker than the mesh's
  gp.file     = good;
  auto device = p.device;
  for (auto &l : device.layers)
    if (l.id == ids::barrier)
      l.thickness = 2.8e-9;
  e = error_of([&] { read_gmsh_device_mesh(device, gp, tria); });
  EXPECT_NE(e.find("layer 'barrier' spans depths 0.000000 .. 2.400000 nm in the mesh, expected 0.000000 .. 2.800000"),
            std::string::npos)
    << e;
  std::filesystem::remove(std::filesystem::temp_directory_path() / ("otj-test-" + std::to_string(::getpid()) + ".msh"));
}

// Ensemble statistics of g over 400 seeds x 200 points spaced l/4: mean 0,
// variance 1, normal one-point distribution, correlation exp(-d^2 / (2 l^2))
// (e^-1/2 at d = l); ln f has mean 0 and standard deviation sigma.
TEST(LognormalRandomField, HasTheRequestedMeanVarianceAndCorrelationLength)
{
  const double l = 7e-9, sigma = 0.4;
  const int    n_seeds = 400, n_points = 200, max_lag = 12;
  double       sum = 0, sum2 = 0, inside = 0, lnf = 0, lnf2 = 0, f = 0;
  std::vector<double> cov(max_lag + 1, 0.0);
  std::vector<double> count(max_lag + 1, 0.0);
  for (int s = 1; s <= n_seeds; ++s)
    {
      RandomFieldParameters rp;
      rp.correlation_length = l;
      rp.log_std            = sigma;
      rp.seed               = s;
      LognormalRandomField field(rp);
      std::vector<double>  g(n_points);
      for (int j = 0; j < n_points; ++j)
        {
          const double x = j * l / 4;
          g[j]           = field.gaussian(x);
          sum += g[j];
          sum2 += g[j] * g[j];
          inside += std::abs(g[j]) < 1;
          const double fj = field.factor(dealii::Point<2>(x, 1e-9));
          lnf += std::log(fj);
          lnf2 += std::log(fj) * std::log(fj);
          f += fj;
        }
      for (int lag = 0; lag <= max_lag; ++lag)
        for (int j = 0; j + lag < n_points; ++j)
          {
            cov[lag] += g[j] * g[j + lag];
            count[lag] += 1;
          }
    }
  const double n = double(n_seeds) * n_points;
  EXPECT_NEAR(sum / n, 0.0, 0.03);
  EXPECT_NEAR(sum2 / n, 1.0, 0.04);
  EXPECT_NEAR(inside / n, std::erf(1 / std::sqrt(2.0)), 0.015); // 68.3 % within one standard deviation
  EXPECT_NEAR(lnf / n, 0.0, 0.03 * sigma);
  EXPECT_NEAR(std::sqrt(lnf2 / n), sigma, 0.03 * sigma);
  EXPECT_NEAR(f / n, std::exp(sigma * sigma / 2), 0.02);
  std::vector<double> rho(max_lag + 1);
  for (int lag = 0; lag <= max_lag; ++lag)
    {
      rho[lag]       = cov[lag] / count[lag] / (cov[0] / count[0]);
      const double d = lag * l / 4;
      EXPECT_NEAR(rho[lag], std::exp(-d * d / (2 * l * l)), 0.03) << "lag " << d / l << " l";
    }
  // correlation length: where rho falls to e^-1/2 (linear interpolation between lags)
  double l_measured = 0;
  for (int lag = 1; lag <= max_lag; ++lag)
    if (rho[lag] < std::exp(-0.5))
      {
        const double t = (rho[lag - 1] - std::exp(-0.5)) / (rho[lag - 1] - rho[lag]);
        l_measured     = (lag - 1 + t) * l / 4;
        break;
      }
  EXPECT_NEAR(l_measured / l, 1.0, 0.05);
}

// l = infinity: a laterally uniform factor, equal to the 1D uniformity
// sweep's lognormal factor of the same seed (drivers/sweep/sweep_cases.cc:
// exp(spread z), z the Box-Muller number of the first two 53-bit uniforms of
// std::mt19937_64(seed)), recomputed here.
TEST(LognormalRandomField, InfiniteCorrelationLengthIsTheUniformSweepFactor)
{
  for (const unsigned seed : {1u, 2u, 17u})
    {
      RandomFieldParameters rp;
      rp.log_std = 0.3;
      rp.seed    = seed;
      LognormalRandomField field(rp);
      std::mt19937_64      engine(seed);
      const double         u1 = (double(engine() >> 11) + 1.0) * 0x1.0p-53;
      const double         u2 = double(engine() >> 11) * 0x1.0p-53;
      const double         z  = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
      for (const double x : {0.0, 1e-9, 1e-6})
        EXPECT_DOUBLE_EQ(field.factor(x), std::exp(0.3 * z));
    }
  RandomFieldParameters bad;
  bad.correlation_length = 0;
  EXPECT_NE(error_of([&] { LognormalRandomField f(bad); }).find("'correlation length' = 0"), std::string::npos);
  bad.correlation_length = 1e-9;
  bad.log_std            = -1;
  EXPECT_NE(error_of([&] { LognormalRandomField f(bad); }).find("'log standard deviation'"), std::string::npos);
}
