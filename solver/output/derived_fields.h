// The fields every snapshot shows in ParaView, derived from the unknowns
// (phi, c_v / c_scale) and the cell's material: potential, vacancy and
// electron densities, electric field, conduction-band edge. One definition for
// the serial VTU writer (output/solution_writer.h) and the distributed PVTU
// writer (parallel/distributed_solution_writer.h).
#pragma once

#include "device/device_model.h"
#include "physics/constants.h"

#include <deal.II/numerics/data_postprocessor.h>

#include <string>
#include <vector>

namespace otj
{
  template <int dim>
  class DerivedFields : public dealii::DataPostprocessor<dim>
  {
  public:
    DerivedFields(const DeviceModel &device, double concentration_scale, double applied_voltage)
      : device_(device), c_scale_(concentration_scale), voltage_(applied_voltage)
    {}

    void evaluate_vector_field(const dealii::DataPostprocessorInputs::Vector<dim> &in,
                               std::vector<dealii::Vector<double>> &               out) const override
    {
      const auto      cell = in.template get_cell<dim>();
      const Material &m    = device_.material(cell->material_id());
      for (unsigned int q = 0; q < in.solution_values.size(); ++q)
        {
          const double phi = in.solution_values[q][0];
          out[q][0]        = phi;
          out[q][1]        = in.solution_values[q][1] * c_scale_;
          out[q][2]        = device_.electron_density(
            m, phi, nullptr, device_.electron_quasi_fermi_energy(in.evaluation_points[q][dim - 1], voltage_));
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

    std::vector<dealii::DataComponentInterpretation::DataComponentInterpretation>
    get_data_component_interpretation() const override
    {
      using namespace dealii::DataComponentInterpretation;
      std::vector<DataComponentInterpretation> i(3, component_is_scalar);
      for (unsigned int d = 0; d < dim; ++d)
        i.push_back(dim == 1 ? component_is_scalar : component_is_part_of_vector);
      i.push_back(component_is_scalar);
      return i;
    }

    dealii::UpdateFlags get_needed_update_flags() const override
    {
      return dealii::update_values | dealii::update_gradients | dealii::update_quadrature_points;
    }

  private:
    const DeviceModel &device_;
    const double       c_scale_;
    const double       voltage_;
  };
} // namespace otj
