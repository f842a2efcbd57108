// Graded 1D device meshes (see device_mesh.h).
#include "mesh/device_mesh.h"

#include "common/input_error.h"
#include "physics/constants.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/grid/grid_generator.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace otj
{
  using namespace dealii;

  void MeshParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Mesh");
    prm.declare_entry("Smallest cell size (nm)", "0.01", Patterns::Double(1e-5, 10.0),
                      "Cell size at every interface and at the Pt contact (nm); must resolve the Debye "
                      "lengths printed at start-up.");
    prm.declare_entry("Growth ratio", "1.15", Patterns::Double(1.0, 3.0),
                      "Ratio of the sizes of neighbouring cells away from an interface.");
    prm.declare_entry("Largest cell size in the film (nm)", "0.025", Patterns::Double(1e-5, 100.0),
                      "Largest cell in the barrier and interface layers (nm). The drift of a pulse train "
                      "is second order in it: 0.1 nm leaves +33 %, 0.025 nm ~2 % on the read after ten "
                      "1.9 V / 20 ns pulses of the paper's device.");
    prm.declare_entry("Largest cell size in the substrate (nm)", "2", Patterns::Double(1e-5, 1000.0),
                      "Largest cell in the Nb:SrTiO3 slab (nm).");
    prm.declare_entry("Refinement level", "0", Patterns::Integer(0, 12),
                      "Uniform refinement: each level halves every cell (for convergence studies).");
    prm.leave_subsection();
  }

  void MeshParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Mesh");
    smallest_cell          = prm.get_double("Smallest cell size (nm)") * constants::nm;
    growth_ratio           = prm.get_double("Growth ratio");
    largest_cell_film      = prm.get_double("Largest cell size in the film (nm)") * constants::nm;
    largest_cell_substrate = prm.get_double("Largest cell size in the substrate (nm)") * constants::nm;
    refinement             = prm.get_integer("Refinement level");
    prm.leave_subsection();
  }

  std::vector<double> graded_cell_sizes(const double T, const double h_min, const double ratio, const double h_max,
                                        const bool refine_start, const bool refine_end)
  {
    const double hmax = std::max(h_max, h_min);
    // one graded half (or the whole layer when only one end is refined)
    auto half = [&](double length) {
      std::vector<double> s;
      double              sum = 0, h = h_min;
      while (sum < length)
        {
          s.push_back(h);
          sum += h;
          h = std::min(h * ratio, hmax);
        }
      // rescale to fit exactly
      const double f = length / sum;
      for (auto &x : s)
        x *= f;
      return s;
    };
    std::vector<double> sizes;
    if (!refine_start && !refine_end)
      {
        const unsigned n = std::max(1u, static_cast<unsigned>(std::ceil(T / hmax)));
        sizes.assign(n, T / n);
      }
    else if (refine_start && refine_end)
      {
        auto a = half(T / 2);
        sizes  = a;
        sizes.insert(sizes.end(), a.rbegin(), a.rend());
      }
    else
      {
        sizes = half(T);
        if (refine_end)
          std::reverse(sizes.begin(), sizes.end());
      }
    return sizes;
  }

  std::vector<double> device_vertices(const DeviceModel &device, const MeshParameters &mp)
  {
    const double f     = std::pow(0.5, mp.refinement);
    const double ratio = std::pow(mp.growth_ratio, f);
    std::vector<double> x{0.0};
    for (std::size_t k = 0; k < device.layers.size(); ++k)
      {
        const Layer &l       = device.layers[k];
        const bool   is_sub  = (l.id == ids::substrate);
        const double hmax    = (is_sub ? mp.largest_cell_substrate : mp.largest_cell_film) * f;
        // refine both ends of film layers; the substrate only at its top
        const auto sizes = graded_cell_sizes(l.thickness, mp.smallest_cell * f, ratio, hmax, true, !is_sub);
        for (double h : sizes)
          x.push_back(x.back() + h);
      }
    x.back() = device.total_thickness();
    return x;
  }

  void make_device_mesh(const DeviceModel &device, const MeshParameters &mp, Triangulation<1> &tria)
  {
    if (device.layers.empty())
      throw InputError("mesh: the device has no layers");
    bool has_barrier = false;
    for (const auto &l : device.layers)
      has_barrier |= (l.id == ids::barrier);
    if (!has_barrier)
      throw InputError("mesh: the device has no SrTiO3 barrier region");
    const auto          x = device_vertices(device, mp);
    std::vector<double> steps(x.size() - 1);
    for (std::size_t i = 0; i + 1 < x.size(); ++i)
      steps[i] = x[i + 1] - x[i];
    tria.clear();
    GridGenerator::subdivided_hyper_rectangle(tria, {steps}, Point<1>(0.0), Point<1>(x.back()), true);

    // material ids from the layer boundaries
    std::vector<double> tops{0.0};
    for (const auto &l : device.layers)
      tops.push_back(tops.back() + l.thickness);
    for (const auto &cell : tria.active_cell_iterators())
      {
        const double xc = cell->center()[0];
        for (std::size_t k = 0; k < device.layers.size(); ++k)
          if (xc >= tops[k] && xc <= tops[k + 1])
            {
              cell->set_material_id(device.layers[k].id);
              break;
            }
      }
  }
} // namespace otj
