// VTU and CSV output of a state (see solution_writer.h).
#include "output/solution_writer.h"

#include "output/atomic_file.h"
#include "physics/constants.h"

#include <deal.II/numerics/data_out.h>
#include <deal.II/numerics/data_postprocessor.h>

#include <iomanip>

namespace otj
{
  using namespace dealii;

  namespace
  {
    /// Derived fields evaluated from (phi, c/c_scale) and the cell's material.
    template <int dim>
    class DerivedFields : public DataPostprocessor<dim>
    {
    public:
      DerivedFields(const DriftDiffusionSystem<dim> &s, double V) : system(s), voltage(V) {}

      void evaluate_vector_field(const DataPostprocessorInputs::Vector<dim> &in,
                                 std::vector<Vector<double>> &               out) const override
      {
        const auto      cell = in.template get_cell<dim>();
        const Material &m    = system.device().material(cell->material_id());
        for (unsigned int q = 0; q < in.solution_values.size(); ++q)
          {
            const double phi = in.solution_values[q][0];
            out[q][0] = phi;
            out[q][1] = system.c_of(in.solution_values[q][1]);
            out[q][2] = system.device().electron_density(
              m, phi, nullptr, system.device().electron_quasi_fermi_energy(in.evaluation_points[q][dim - 1], voltage));
            for (unsigned int d = 0; d < dim; ++d)
              out[q][3 + d] = -in.solution_gradients[q][0][d];
            out[q][3 + dim] = (-constants::elementary_charge * phi - m.electron_affinity) / constants::eV;
          }
      }

      std::vector<std::string> get_names() const override
      {
        std::vector<std::string> n{"potential_V", "vacancy_density_m3", "electron_density_m3"};
        for (unsigned int d = 0; d < dim; ++d)
          n.push_back("electric_field_V_per_m");
        n.push_back("conduction_band_edge_eV");
        return n;
      }

      std::vector<DataComponentInterpretation::DataComponentInterpretation>
      get_data_component_interpretation() const override
      {
        std::vector<DataComponentInterpretation::DataComponentInterpretation> i(
          3, DataComponentInterpretation::component_is_scalar);
        for (unsigned int d = 0; d < dim; ++d)
          i.push_back(dim == 1 ? DataComponentInterpretation::component_is_scalar
                               : DataComponentInterpretation::component_is_part_of_vector);
        i.push_back(DataComponentInterpretation::component_is_scalar);
        return i;
      }

      UpdateFlags get_needed_update_flags() const override
      {
        return update_values | update_gradients | update_quadrature_points;
      }

      const DriftDiffusionSystem<dim> &system;
      const double                     voltage;
    };
  } // namespace

  template <int dim>
  void SolutionWriter<dim>::write_vtu(const Vector<double> &u, const double time, const unsigned int cycle,
                                      const std::string &path, const double voltage) const
  {
    DerivedFields<dim> derived(system_, voltage);
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
