// 2D meshes of the device read from gmsh files (SPEC section 4; the sources
// and generator are in meshes/: electrode_edge.geo, cafm_tip.geo). The file
// names its regions by gmsh physical groups; this reader maps them to the
// ids the solver uses (device/device_model.h, mesh/device_mesh_2d.h):
//
//   physical surfaces               material id
//     top_interface                   1 (ids::top_interface)
//     barrier                         2 (ids::barrier)
//     bottom_interface                3 (ids::bottom_interface)
//     substrate                       4 (ids::substrate)
//   physical curves                 boundary id
//     pt_contact                      0 (ids::top_contact: Dirichlet, the applied bias)
//     back_contact                    1 (ids::back_contact: grounded, ohmic)
//     lateral                         2 (lateral_boundary_id: symmetry / far field)
//     free_surface                    3 (film surface not under the metal)
//     axis                            4 (r = 0 of an axisymmetric section)
//
// The solver treats every boundary id other than 0 and 1 as zero flux. The
// file's coordinates are multiplied by `length_unit` (the .geo files are in
// nm). Checks, each with an error naming the file: the file exists and is a
// gmsh mesh with $PhysicalNames; every physical name is one of the above;
// pt_contact, back_contact and barrier are present; every boundary face lies
// on a named curve; the layers found in the mesh (depth ranges of the
// material ids, coordinate y = depth) are those of the device, same order,
// same thicknesses.
#pragma once

#include "device/device_model.h"

#include <deal.II/distributed/tria.h>
#include <deal.II/grid/tria.h>

#include <map>
#include <string>

namespace otj
{
  constexpr dealii::types::boundary_id free_surface_boundary_id = 3;
  constexpr dealii::types::boundary_id axis_boundary_id         = 4;

  struct GmshMeshParameters
  {
    std::string  file;                  ///< a .msh file (MSH 2.2 or 4.1, ASCII)
    double       length_unit       = 1e-9; ///< meters per file coordinate unit
    unsigned int global_refinement = 0;    ///< each level halves every cell
    double       relative_tolerance = 1e-6; ///< layer thickness check (relative to the layer)
  };

  /// The physical groups of a gmsh file: (dimension, tag) -> name.
  std::map<std::pair<int, int>, std::string> read_gmsh_physical_names(const std::string &file);

  /// Reads the mesh, maps the physical groups to solver ids, scales it to
  /// meters and checks it against the device (see the file comment).
  void read_gmsh_device_mesh(const DeviceModel &device, const GmshMeshParameters &p, dealii::Triangulation<2> &tria);

  /// Reads a device's gmsh mesh into a serial triangulation and checks it
  /// against the layers, as a 2D run would (for input checks: `otj validate`,
  /// a sweep before its cases). Returns its number of cells; throws InputError.
  unsigned int check_gmsh_device_mesh(const DeviceModel &device, const std::string &file);

  /// The same mesh copied into a distributed triangulation and refined.
  void read_distributed_gmsh_device_mesh(const DeviceModel &device, const GmshMeshParameters &p,
                                         dealii::parallel::distributed::Triangulation<2> &tria);

  /// (top depth, bottom depth) of each material id present in the mesh (m).
  std::map<dealii::types::material_id, std::pair<double, double>> layer_depth_ranges(const dealii::Triangulation<2> &tria);
} // namespace otj
