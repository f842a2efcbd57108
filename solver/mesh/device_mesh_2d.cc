// Planar 2D slab meshes of the layer stack (see device_mesh_2d.h).
#include "mesh/device_mesh_2d.h"

#include "common/input_error.h"

#include <deal.II/grid/grid_generator.h>

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
} // namespace otj
