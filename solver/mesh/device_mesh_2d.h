// Planar 2D meshes of the layer stack (SPEC section 4): a slab of lateral
// width W (coordinate x, uniform cells) over the depth of the device
// (coordinate y, y = 0 at the Pt contact, the graded cells of the 1D mesh,
// mesh/device_mesh.h). Material ids by layer; boundary ids: 0 the Pt contact
// (y = 0), 1 the back contact (y = depth), 2 the lateral sides (symmetry,
// zero flux). The coarse mesh is serial; distributed meshes copy it into a
// p4est triangulation and refine it globally, or (the default of 2D runs and
// the benchmark) refine it and cut it into columns of equal width, one per
// rank, as a fully distributed triangulation. Why columns: p4est orders the
// coarse cells across the short side of the 16 x ~190 coarse grid, so its
// partition cuts the slab at a depth inside the oxide, through the strongly
// coupled vacancy rows; the block preconditioner of the vacancy block then
// needs 2.6-3 times the Krylov iterations on 2 ranks (measured, BENCHMARKS.md).
// Columns cut only the weak lateral coupling.
#pragma once

#include "mesh/device_mesh.h"

#include <deal.II/distributed/fully_distributed_tria.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/grid/tria.h>

namespace otj
{
  constexpr dealii::types::boundary_id lateral_boundary_id = 2;

  struct LateralMeshParameters
  {
    double       width = 20e-9;        ///< W (m)
    unsigned int cells = 4;            ///< coarse cells across W
    unsigned int global_refinement = 0; ///< each level halves every cell in x and y
  };

  /// The coarse slab (depth cells from device_vertices(), no refinement).
  void make_device_slab(const DeviceModel &device, const MeshParameters &mesh, const LateralMeshParameters &lateral,
                        dealii::Triangulation<2> &coarse);

  /// The same slab distributed over the triangulation's communicator and
  /// refined `lateral.global_refinement` times.
  void make_distributed_device_slab(const DeviceModel &device, const MeshParameters &mesh,
                                    const LateralMeshParameters &lateral,
                                    dealii::parallel::distributed::Triangulation<2> &tria);

  /// The refined slab cut into equal lateral columns, one per rank of the
  /// triangulation's communicator (rank 0 builds the refined serial mesh and
  /// sends each rank its columns). With more ranks than lateral cells, each
  /// column is shared by its ranks in depth bands of equal cell counts (cuts
  /// across the depth coupling: more Krylov iterations with the field split).
  void make_column_distributed_device_slab(const DeviceModel &device, const MeshParameters &mesh,
                                           const LateralMeshParameters &lateral,
                                           dealii::parallel::fullydistributed::Triangulation<2> &tria);

  /// Material and boundary ids of a 2D mesh of the stack from cell centers
  /// and face positions (y = depth).
  void set_slab_ids(const DeviceModel &device, dealii::Triangulation<2> &tria);
} // namespace otj
