// Planar 2D slab meshes of the layer stack (see device_mesh_2d.h).
#include "mesh/device_mesh_2d.h"

#include "common/input_error.h"

#include <deal.II/base/mpi.h>
#include <deal.II/grid/grid_generator.h>
#include <deal.II/grid/tria_description.h>

#include <algorithm>
#include <cmath>

namespace otj
{
  using namespace dealii;

  void set_slab_ids(const DeviceModel &device, Triangulation<2> &tria)
  {
    std::vector<double> tops{0.0};
    for (const auto &l : device.layers)
      tops.push_back(tops.back() + l.thickness);
    const double depth = tops.back(), tol = 1e-9 * depth;
    for (const auto &cell : tria.active_cell_iterators())
      {
        const double yc = cell->center()[1];
        for (std::size_t k = 0; k < device.layers.size(); ++k)
          if (yc >= tops[k] && yc <= tops[k + 1])
            {
              cell->set_material_id(device.layers[k].id);
              break;
            }
        for (const unsigned int f : cell->face_indices())
          if (cell->face(f)->at_boundary())
            {
              const double yf = cell->face(f)->center()[1];
              cell->face(f)->set_boundary_id(std::abs(yf) < tol           ? ids::top_contact :
                                             std::abs(yf - depth) < tol ? ids::back_contact :
                                                                          lateral_boundary_id);
            }
      }
  }

  void make_device_slab(const DeviceModel &device, const MeshParameters &mp, const LateralMeshParameters &lateral,
                        Triangulation<2> &coarse)
  {
    if (device.layers.empty())
      throw InputError("mesh: the device has no layers");
    if (!(lateral.width > 0) || lateral.cells == 0)
      throw InputError("mesh: the lateral width must be > 0 with at least one cell");
    const auto          y = device_vertices(device, mp);
    std::vector<double> dy(y.size() - 1);
    for (std::size_t i = 0; i + 1 < y.size(); ++i)
      dy[i] = y[i + 1] - y[i];
    const std::vector<double> dx(lateral.cells, lateral.width / lateral.cells);
    coarse.clear();
    GridGenerator::subdivided_hyper_rectangle(coarse, {dx, dy}, Point<2>(0, 0), Point<2>(lateral.width, y.back()));
    set_slab_ids(device, coarse);
  }

  void make_distributed_device_slab(const DeviceModel &device, const MeshParameters &mp,
                                    const LateralMeshParameters &lateral,
                                    parallel::distributed::Triangulation<2> &tria)
  {
    Triangulation<2> coarse;
    make_device_slab(device, mp, lateral, coarse);
    tria.clear();
    tria.copy_triangulation(coarse);
    tria.refine_global(lateral.global_refinement);
  }

  void make_column_distributed_device_slab(const DeviceModel &device, const MeshParameters &mp,
                                           const LateralMeshParameters &lateral,
                                           parallel::fullydistributed::Triangulation<2> &tria)
  {
    const MPI_Comm     comm    = tria.get_communicator();
    const unsigned int ranks   = Utilities::MPI::n_mpi_processes(comm);
    const std::size_t  columns = std::size_t(lateral.cells) << lateral.global_refinement;
    // only rank 0 builds the refined serial slab and sends each rank its part (one group of all ranks)
    const auto description = TriangulationDescription::Utilities::create_description_from_triangulation_in_groups<2, 2>(
      [&](Triangulation<2> &serial) {
        make_device_slab(device, mp, lateral, serial);
        serial.refine_global(lateral.global_refinement);
      },
      [&](Triangulation<2> &serial, const MPI_Comm &, const unsigned int) {
        auto column_of = [&](const Point<2> &c) {
          const auto k = static_cast<std::size_t>(std::floor(c[0] / lateral.width * columns));
          return std::min<std::size_t>(k, columns - 1);
        };
        if (columns >= ranks)
          {
            // column k of the lateral cells goes to rank floor(k ranks / columns): equal columns within one
            for (const auto &cell : serial.active_cell_iterators())
              cell->set_subdomain_id(static_cast<types::subdomain_id>(column_of(cell->center()) * ranks / columns));
            return;
          }
        // more ranks than columns: column k gets the ranks floor(k R / C) .. floor((k + 1) R / C) - 1,
        // stacked in depth bands of equal cell counts (these cuts cross the depth coupling: the
        // field split's block ILU then needs more Krylov iterations, BENCHMARKS.md; MUMPS does not care)
        std::vector<double> depths; // the rows' cell-centre depths (every column has the same rows)
        for (const auto &cell : serial.active_cell_iterators())
          depths.push_back(cell->center()[1]);
        std::sort(depths.begin(), depths.end());
        depths.erase(std::unique(depths.begin(), depths.end(),
                                 [](double a, double b) { return std::abs(a - b) <= 1e-6 * std::abs(b) + 1e-15; }),
                     depths.end());
        const std::size_t rows = depths.size();
        for (const auto &cell : serial.active_cell_iterators())
          {
            const std::size_t k     = column_of(cell->center());
            const std::size_t first = k * ranks / columns, bands = (k + 1) * ranks / columns - first;
            const std::size_t row =
              std::lower_bound(depths.begin(), depths.end(), cell->center()[1] - 1e-6 * std::abs(cell->center()[1]) - 1e-15) -
              depths.begin();
            cell->set_subdomain_id(static_cast<types::subdomain_id>(first + std::min(row, rows - 1) * bands / rows));
          }
      },
      comm, static_cast<int>(ranks));
    tria.create_triangulation(description);
  }
} // namespace otj
