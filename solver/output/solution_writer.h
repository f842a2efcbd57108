// Writes the fields of a state for ParaView (VTU via deal.II DataOut) and as
// a CSV depth profile: potential, vacancy and electron densities, electric
// field, conduction-band edge, material id and MPI rank.
#pragma once

#include "discretization/drift_diffusion_system.h"

#include <string>

namespace otj
{
  template <int dim>
  class SolutionWriter
  {
  public:
    explicit SolutionWriter(const DriftDiffusionSystem<dim> &system) : system_(system) {}

    /// One .vtu file with the physical time and cycle embedded (atomic).
    void write_vtu(const dealii::Vector<double> &u, double time, unsigned int cycle, const std::string &path,
                   double applied_voltage = 0.0) const;

    /// CSV profile: x_nm, potential_V, vacancy_m3, electron_m3, field_V_per_m, Ec_eV, material (atomic).
    void write_profile_csv(const dealii::Vector<double> &u, double time, double voltage, const std::string &path) const;

  private:
    const DriftDiffusionSystem<dim> &system_;
  };
} // namespace otj
