// VTU and CSV output of a state (see solution_writer.h).
#include "output/solution_writer.h"

#include "output/atomic_file.h"
#include "output/derived_fields.h"
#include "physics/constants.h"

#include <deal.II/numerics/data_out.h>

#include <iomanip>

namespace otj
{
  using namespace dealii;

  template <int dim>
  void SolutionWriter<dim>::write_vtu(const Vector<double> &u, const double time, const unsigned int cycle,
                                      const std::string &path, const double voltage) const
  {
    DerivedFields<dim> derived(system_.device(), system_.concentration_scale(), voltage);
    DataOut<dim>       data_out;
    data_out.attach_dof_handler(system_.dof_handler());
    data_out.add_data_vector(u, derived);
    const auto &tria = system_.dof_handler().get_triangulation();
    Vector<float> material(tria.n_active_cells()), rank(tria.n_active_cells());
    unsigned int  k = 0;
    for (const auto &cell : tria.active_cell_iterators())
      {
        material[k] = cell->material_id();
        rank[k]     = 0; // serial 1D run; the distributed 2D writer fills the subdomain id
        ++k;
      }
    data_out.add_data_vector(material, "material_id", DataOut<dim>::type_cell_data);
    data_out.add_data_vector(rank, "mpi_rank", DataOut<dim>::type_cell_data);
    data_out.build_patches();
    data_out.set_flags(DataOutBase::VtkFlags(time, cycle));
    write_atomically(path, [&](std::ostream &out) { data_out.write_vtu(out); });
  }

  template <int dim>
  void SolutionWriter<dim>::write_profile_csv(const Vector<double> &u, const double time, const double voltage,
                                              const std::string &path) const
  {
    const auto nodes = system_.nodal_values(u, voltage);
    write_atomically(path, [&](std::ostream &out) {
      out << "# time_s=" << std::setprecision(12) << time << " applied_voltage_V=" << voltage << "\n";
      out << "x_nm,potential_V,vacancy_density_m3,electron_density_m3,electric_field_V_per_m,"
             "conduction_band_edge_eV,material_id\n";
      out << std::setprecision(10);
      for (const auto &n : nodes)
        out << n.x[dim - 1] / constants::nm << ',' << n.phi << ',' << n.c << ',' << n.n << ',' << n.field << ','
            << n.Ec << ',' << n.material << '\n';
    });
  }

  template class SolutionWriter<1>;
  template class SolutionWriter<2>;
} // namespace otj
