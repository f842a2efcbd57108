// Material parameters of one region of the junction, read from a material file
// in materials/ (deal.II parameter format). Every number in those files carries
// its source in a comment; here they are converted to SI units.
#pragma once

#include <string>

namespace dealii
{
  class ParameterHandler;
}

namespace otj
{
  /// A semiconductor / insulator region: SrTiO3 film, Nb:SrTiO3, interface layers.
  struct Material
  {
    std::string name;
    std::string source_file;

    // Electrostatics and electrons
    double relative_permittivity = 100.0;
    /// Field scale E_0 (V/m) of the field-dependent permittivity
    /// eps_r(E) = eps_r(0) / [1 + (E/E_0)^2]^(1/3) (Johnson's law, quoted in
    /// Ang & Yu, PRB 69, 174109 (2004), with E_0 = [beta (eps0 eps_r(0))^3]^(-1/2));
    /// 0 = field-independent.
    double permittivity_field_scale = 0.0;

    /// eps_r at field magnitude E and d eps_r / dE.
    double permittivity(double E, double *d_dE = nullptr) const;
    double electron_affinity     = 4.08 * 1.602176634e-19; ///< J
    double dos_effective_mass    = 1.8;  ///< m*/m0 (0 disables electrons)
    double tunnelling_mass       = 1.0;  ///< m*/m0
    double donor_density         = 0.0;  ///< fixed ionised donors, m^-3
    double acceptor_density      = 0.0;  ///< fixed ionised acceptors, m^-3

    // Oxygen vacancies
    double vacancy_charge_number = 2.0;
    double activation_energy     = 0.6 * 1.602176634e-19; ///< J
    double attempt_frequency     = 1e13;                  ///< Hz
    double hop_distance          = 0.276e-9;              ///< m
    double max_vacancy_density   = 5e27;                  ///< m^-3
    double vacancy_site_energy   = 0.0;                   ///< J
    double initial_vacancy_density = 0.0;                 ///< m^-3

    // Heat (the optional Joule heating, device/thermal_network.h; read from the substrate)
    double thermal_conductivity = 0.0;   ///< W/(m K); 0: not given
    double volumetric_heat_capacity = 0.0; ///< rho c_p, J/(m^3 K); 0: not given

    static void declare_parameters(dealii::ParameterHandler &prm);
    void        parse_parameters(dealii::ParameterHandler &prm);
  };

  /// The metal top electrode (Pt).
  struct ElectrodeMaterial
  {
    std::string name;
    std::string source_file;
    double      work_function     = 5.65 * 1.602176634e-19; ///< J
    double      interface_dipole  = 0.0;                    ///< J, lowers the effective work function
    double      electron_mass     = 1.0;                    ///< m*/m0 of the emitter
    double      image_force_permittivity = 0.0;             ///< eps_if of the image-force lowering (0: off)
    /// Heat capacity of the electrode per area of the junction, thickness x rho c_p (J/(m^2 K));
    /// used by the optional Joule heating (device/thermal_network.h); 0: not counted
    double      heat_capacity_per_area = 0.0;

    /// Effective work function Phi_M - dipole (J).
    double effective_work_function() const { return work_function - interface_dipole; }

    static void declare_parameters(dealii::ParameterHandler &prm);
    void        parse_parameters(dealii::ParameterHandler &prm);
  };

  /// Reads a material file; throws InputError naming the file and entry.
  Material read_material_file(const std::string &path);
  ElectrodeMaterial read_electrode_file(const std::string &path);

  /// Parses a parameter file into prm, turning deal.II's exceptions into an
  /// InputError that names the file (missing file, unknown entry, bad value).
  void parse_parameter_file(dealii::ParameterHandler &prm, const std::string &path);
} // namespace otj
