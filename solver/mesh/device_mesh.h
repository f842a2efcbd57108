// Graded 1D meshes of the layer stack: cells of size h_min at every
// interface where space charge forms, growing geometrically (ratio r) to
// h_max inside each layer. Material ids follow device/device_model.h,
// boundary id 0 is the Pt contact (x = 0) and 1 the back contact.
#pragma once

#include "device/device_model.h"

#include <deal.II/grid/tria.h>

#include <vector>

namespace dealii
{
  class ParameterHandler;
}

namespace otj
{
  struct MeshParameters
  {
    double smallest_cell       = 0.01e-9; ///< h_min at interfaces (m)
    double growth_ratio        = 1.15;    ///< ratio of neighbouring cell sizes
    double largest_cell_film   = 0.025e-9; ///< h_max in barrier and interface layers (m)
    double largest_cell_substrate = 2e-9; ///< h_max in the substrate (m)
    unsigned int refinement    = 0;       ///< each level halves every cell (h/2, r^(1/2))

    static void declare_parameters(dealii::ParameterHandler &prm);
    void        parse_parameters(dealii::ParameterHandler &prm);
  };

  /// Cell sizes of one layer of thickness T: h_min at the refined ends,
  /// geometric growth, capped at h_max, rescaled to fit T exactly.
  std::vector<double> graded_cell_sizes(double T, double h_min, double ratio, double h_max,
                                        bool refine_start, bool refine_end);

  /// Vertex positions of the whole stack (x = 0 at the Pt contact).
  std::vector<double> device_vertices(const DeviceModel &device, const MeshParameters &mesh);

  /// Builds the 1D triangulation with material and boundary ids.
  void make_device_mesh(const DeviceModel &device, const MeshParameters &mesh, dealii::Triangulation<1> &tria);
} // namespace otj
