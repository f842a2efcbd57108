// The device: the layer stack from the Pt contact down to the ohmic back
// contact, the material of each layer, temperature, electrode area and the
// contact conditions. It answers the questions the discretisation asks about
// physics: material by id, contact potentials, screening lengths.
//
// Coordinates: x = 0 at the Pt / oxide interface, x increasing into the
// substrate. Potential convention: E_c(x) = -e phi(x) - chi(x) (phi is minus
// the vacuum level over e), with the Fermi level of the grounded Nb:SrTiO3
// back contact at energy zero. Positive applied voltage V on the Pt lowers its
// Fermi level to -eV (SPEC section 2 sign convention).
#pragma once

#include "materials/material.h"

#include <deal.II/base/types.h>

#include <optional>
#include <string>
#include <vector>

namespace dealii
{
  class ParameterHandler;
}

namespace otj
{
  enum class VacancyBoundary
  {
    blocking,  ///< zero vacancy flux (default)
    reservoir  ///< fixed vacancy density (exchange with an infinite reservoir)
  };

  /// Material ids on the mesh; boundary ids: 0 = top contact (Pt), 1 = back contact.
  namespace ids
  {
    constexpr dealii::types::material_id top_interface    = 1;
    constexpr dealii::types::material_id barrier          = 2;
    constexpr dealii::types::material_id bottom_interface = 3;
    constexpr dealii::types::material_id substrate        = 4;
    constexpr dealii::types::boundary_id top_contact      = 0;
    constexpr dealii::types::boundary_id back_contact     = 1;
  } // namespace ids

  struct Layer
  {
    std::string                  role;  ///< "barrier", "substrate", ...
    double                       thickness;
    dealii::types::material_id   id;
    Material                     material;
  };

  struct ScreeningLength
  {
    std::string layer;
    double      vacancy_debye_length;   ///< sqrt(eps kT / (z^2 e^2 c_v)), m (inf if no vacancies)
    double      electron_screening_length; ///< sqrt(eps kT / (e^2 N_c F'(eta))), m (inf if no electrons)
  };

  struct DeviceModel
  {
    double                   temperature    = 300.0;
    double                   electrode_area = 3.14159265358979e-10; ///< m^2 (r = 10 um)
    ElectrodeMaterial        top_electrode;
    std::vector<Layer>       layers; ///< top (Pt side) to bottom, zero-thickness layers omitted
    VacancyBoundary          top_vacancy_boundary    = VacancyBoundary::blocking;
    VacancyBoundary          bottom_vacancy_boundary = VacancyBoundary::blocking;
    double                   top_reservoir_density    = 0.0;
    double                   bottom_reservoir_density = 0.0;
    std::optional<double>    back_contact_potential_override;
    /// Width of the vacancy landscape's ramps at material boundaries (m); 0: the
    /// largest hop distance of the layers (see vacancy_site_energy_at)
    double                   vacancy_transition_width_setting = 0.0;
    /// Shape of those ramps: false, linear (the uniform window average of the layers' values,
    /// with kinks at the ramp's ends); true, the smoothstep 3t^2 - 2t^3 (the window average
    /// with the parabolic weight 6t(1-t), continuous slope). A kink inside a mesh edge costs
    /// the discretisation its second order (HISTORY.md, ninth session).
    bool                     smooth_vacancy_transition = false;

    const Material &material(dealii::types::material_id id) const;
    const Layer &   layer(dealii::types::material_id id) const;
    double          total_thickness() const;

    /// Schottky barrier Phi_M,eff - chi of the first layer (J).
    double schottky_barrier() const;
    /// phi at the Pt contact for applied voltage V: V - Phi_M,eff / e.
    double top_contact_potential(double applied_voltage) const;
    /// phi at the back contact from charge neutrality of the substrate.
    double back_contact_potential() const;
    /// Electron density (m^-3) and d n / d phi of a material at potential phi,
    /// for an electron quasi-Fermi level at energy fermi_energy (J).
    double electron_density(const Material &m, double phi, double *d_dphi = nullptr,
                            double fermi_energy = 0.0) const;

    /// Electron quasi-Fermi level (J) at a depth for applied voltage V. In the
    /// substrate it is that of the grounded back contact (0); across the
    /// oxide film it falls linearly from the Pt Fermi level (-eV) at x = 0 to 0
    /// at the film / substrate interface: the standard approximation for a
    /// tunnel barrier whose electrons exchange with both electrodes (Sze & Ng,
    /// Physics of Semiconductor Devices, 3rd ed., section 4.3 on MIS tunnel
    /// diodes). Electrons in the film then never exceed the supply of either
    /// contact under bias.
    double electron_quasi_fermi_energy(double depth, double applied_voltage) const;
    /// Thickness of all layers above the substrate (m).
    double film_thickness() const;
    /// The vacancy landscape across material boundaries. A hopping model has no
    /// structure below the hop distance a: a vacancy site's energy and the barrier
    /// of a hop are lattice quantities, so a material boundary is a transition
    /// over one hop distance, not a step. The site energy and the hop barrier at
    /// a depth are the averages of the layers' values over the window
    /// [depth - a/2, depth + a/2] (clipped to the device), a = the largest hop
    /// distance of the layers (or "Vacancy transition width (nm)" if set): linear
    /// ramps of width a centred on each boundary.
    /// (Assigned per cell, a step resolved on cells much shorter than a made
    /// the interface crossing rate grow as 1/cell size, D0/L times the step over
    /// kT, and the results depend on the mesh: the read resistance 10 ns after
    /// a 2.3 V / 50 ns pulse changed 10x between 0.01 and 0.0016 nm cells.)
    /// Cf. the diffuse-interface treatment of layered media (the
    /// interface width is a material length, resolved by the mesh).
    double vacancy_transition_width() const;
    double vacancy_site_energy_at(double depth) const;   ///< J
    double vacancy_activation_at(double depth) const;    ///< J

    std::vector<ScreeningLength> screening_lengths() const;

    static void declare_parameters(dealii::ParameterHandler &prm);
    /// base_dir resolves relative material-file paths; file names the run file.
    void parse_parameters(dealii::ParameterHandler &prm, const std::string &base_dir, const std::string &file);
  };

  /// Resolves path relative to base_dir when it exists there, else as given.
  std::string resolve_path(const std::string &path, const std::string &base_dir);
} // namespace otj
