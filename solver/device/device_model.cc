// Device stack, contacts and screening lengths (see device_model.h).
#include "device/device_model.h"

#include "common/input_error.h"
#include "physics/constants.h"
#include "physics/fermi_dirac.h"

#include <deal.II/base/parameter_handler.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

namespace otj
{
  using namespace dealii;
  namespace fs = std::filesystem;

  std::string resolve_path(const std::string &path, const std::string &base_dir)
  {
    if (path.empty())
      return path;
    const fs::path p(path);
    if (p.is_absolute())
      return path;
    const fs::path candidate = fs::path(base_dir) / p;
    if (fs::exists(candidate))
      return candidate.lexically_normal().string();
    return path;
  }

  const Layer &DeviceModel::layer(const types::material_id id) const
  {
    for (const auto &l : layers)
      if (l.id == id)
        return l;
    throw InputError("device: no layer with material id " + std::to_string(id));
  }

  const Material &DeviceModel::material(const types::material_id id) const
  {
    return layer(id).material;
  }

  double DeviceModel::total_thickness() const
  {
    double t = 0;
    for (const auto &l : layers)
      t += l.thickness;
    return t;
  }

  double DeviceModel::schottky_barrier() const
  {
    return top_electrode.effective_work_function() - layers.front().material.electron_affinity;
  }

  double DeviceModel::top_contact_potential(const double V) const
  {
    return V - top_electrode.effective_work_function() / constants::elementary_charge;
  }

  double DeviceModel::film_thickness() const
  {
    double t = 0;
    for (const auto &l : layers)
      if (l.id != ids::substrate)
        t += l.thickness;
    return t;
  }

  double DeviceModel::vacancy_transition_width() const
  {
    if (vacancy_transition_width_setting > 0)
      return vacancy_transition_width_setting;
    double a = 0;
    for (const auto &l : layers)
      a = std::max(a, l.material.hop_distance);
    return a;
  }

  namespace
  {
    /// Average over [lo, hi] (clipped to [0, total], the device) of a per-layer property, with a
    /// uniform weight or (smooth) the parabolic weight of the smoothstep.
    template <typename Property>
    double window_average(const std::vector<Layer> &layers, const double total, double lo, double hi,
                          const bool smooth, Property property)
    {
      // the weight's mass on [a, b]: uniform, or parabolic 6t(1-t) over the unclipped window
      const double lo0 = lo, hi0 = hi;
      auto         weight = [&](double a, double b) {
        if (!smooth || !(hi0 > lo0))
          return b - a;
        auto F = [&](double x) {
          const double t = (x - lo0) / (hi0 - lo0);
          return t * t * (3 - 2 * t);
        };
        return F(b) - F(a);
      };
      lo = std::max(lo, 0.0);
      hi = std::min(hi, total);
      double top = 0, sum = 0, covered = 0;
      for (const auto &l : layers)
        {
          const double bottom  = top + l.thickness;
          const double overlap = std::min(hi, bottom) - std::max(lo, top);
          if (overlap > 0)
            {
              const double w = weight(std::max(lo, top), std::min(hi, bottom));
              sum += w * property(l.material);
              covered += w;
            }
          top = bottom;
        }
      if (covered > 0)
        return sum / covered;
      // a point (zero-width window): the layer holding it
      top = 0;
      for (const auto &l : layers)
        {
          if (lo <= top + l.thickness)
            return property(l.material);
          top += l.thickness;
        }
      return property(layers.back().material);
    }
  } // namespace

  double DeviceModel::vacancy_site_energy_at(const double depth) const
  {
    const double a = vacancy_transition_width();
    return window_average(layers, total_thickness(), depth - 0.5 * a, depth + 0.5 * a, smooth_vacancy_transition,
                          [](const Material &m) { return m.vacancy_site_energy; });
  }

  double DeviceModel::vacancy_activation_at(const double depth) const
  {
    const double a = vacancy_transition_width();
    return window_average(layers, total_thickness(), depth - 0.5 * a, depth + 0.5 * a, smooth_vacancy_transition,
                          [](const Material &m) { return m.activation_energy; });
  }

  double DeviceModel::electron_quasi_fermi_energy(const double depth, const double V) const
  {
    // the drop happens across the film; a device without a substrate layer
    // (test slabs) has it across its whole thickness
    const bool   has_substrate = layers.back().id == ids::substrate;
    const double d             = has_substrate ? film_thickness() : total_thickness();
    if (depth >= d)
      return 0.0;
    return -constants::elementary_charge * V * (1.0 - depth / d);
  }

  double DeviceModel::electron_density(const Material &m, const double phi, double *d_dphi,
                                       const double fermi_energy) const
  {
    if (m.dos_effective_mass <= 0.0)
      {
        if (d_dphi)
          *d_dphi = 0;
        return 0.0;
      }
    // N_c depends only on (m_dos, T): cache the last pair (pow is the hot spot of assembly)
    thread_local double cached_mass = -1, cached_T = -1, cached_Nc = 0;
    if (m.dos_effective_mass != cached_mass || temperature != cached_T)
      {
        cached_mass = m.dos_effective_mass;
        cached_T    = temperature;
        cached_Nc   = physics::effective_density_of_states(m.dos_effective_mass, temperature);
      }
    const double kT  = constants::boltzmann * temperature;
    const double Nc  = cached_Nc;
    const double eta = (constants::elementary_charge * phi + m.electron_affinity + fermi_energy) / kT;
    double       dF;
    const double F = physics::fermi_dirac_half(eta, dF);
    if (d_dphi)
      *d_dphi = Nc * dF * constants::elementary_charge / kT;
    return Nc * F;
  }

  double DeviceModel::back_contact_potential() const
  {
    if (back_contact_potential_override)
      return *back_contact_potential_override;
    const Material &m   = layers.back().material;
    const double    net = m.donor_density - m.acceptor_density + m.vacancy_charge_number * m.initial_vacancy_density;
    if (m.dos_effective_mass <= 0.0 || net <= 0.0)
      throw InputError(m.source_file +
                       ": the substrate needs free electrons and a positive net donor density for an ohmic "
                       "back contact ('Density-of-states effective mass' > 0 and 'Donor density (m^-3)' > "
                       "'Acceptor density (m^-3)')");
    const double kT  = constants::boltzmann * temperature;
    const double Nc  = physics::effective_density_of_states(m.dos_effective_mass, temperature);
    const double eta = physics::inverse_fermi_dirac_half(net / Nc);
    return (eta * kT - m.electron_affinity) / constants::elementary_charge;
  }

  std::vector<ScreeningLength> DeviceModel::screening_lengths() const
  {
    std::vector<ScreeningLength> out;
    const double kT  = constants::boltzmann * temperature;
    const double q   = constants::elementary_charge;
    const double inf = std::numeric_limits<double>::infinity();
    const double phi_b = back_contact_potential();
    for (const auto &l : layers)
      {
        const Material &m   = l.material;
        const double    eps = constants::vacuum_permittivity * m.relative_permittivity;
        ScreeningLength s{l.role, inf, inf};
        if (m.initial_vacancy_density > 0)
          s.vacancy_debye_length =
            std::sqrt(eps * kT / (m.vacancy_charge_number * m.vacancy_charge_number * q * q * m.initial_vacancy_density));
        if (m.dos_effective_mass > 0)
          {
            double dn = 0;
            electron_density(m, phi_b, &dn); // band position of the neutral substrate
            if (dn > 0)
              s.electron_screening_length = std::sqrt(eps / (q * dn));
          }
        out.push_back(s);
      }
    return out;
  }

  void DeviceModel::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Device");
    prm.declare_entry("Temperature (K)", "300", Patterns::Double(1.0, 2000.0), "Device temperature (K).");
    prm.declare_entry("Electrode radius (um)", "10", Patterns::Double(1e-4, 1e4),
                      "Radius of the circular Pt electrode (um); the paper's devices have 10 um.");
    prm.declare_entry("Vacancy transition width (nm)", "0", Patterns::Double(0.0, 10.0),
                      "Width of the linear ramp of the vacancy site energy and hop barrier centred on each "
                      "material boundary (nm); 0 = the largest hop distance of the layers (the lattice "
                      "scale below which a hopping model has no structure). Must be resolved by the mesh.");
    prm.declare_entry("Vacancy transition profile", "linear", Patterns::Selection("linear|smoothstep"),
                      "Shape of those ramps: linear (the uniform average over a window of that width; its slope "
                      "jumps at the ramp's ends, and a jump inside a mesh edge makes the discretisation first "
                      "order) or smoothstep (3t^2 - 2t^3 across the same width, a continuous slope).");
    prm.enter_subsection("Layers");
    prm.declare_entry("Top interface layer thickness (nm)", "0", Patterns::Double(0.0, 100.0),
                      "Thickness of an optional interface layer between Pt and the barrier film (nm); 0 = none.");
    prm.declare_entry("Barrier thickness (nm)", "2.8", Patterns::Double(0.0, 1000.0),
                      "Thickness of the SrTiO3 barrier film (nm), not counting interface layers.");
    prm.declare_entry("Bottom interface layer thickness (nm)", "0", Patterns::Double(0.0, 100.0),
                      "Thickness of an optional interface layer between the film and the substrate (nm); 0 = none.");
    prm.declare_entry("Substrate thickness (nm)", "30", Patterns::Double(0.0, 1e5),
                      "Thickness of the simulated Nb:SrTiO3 slab (nm); must hold its depletion region.");
    prm.leave_subsection();
    prm.enter_subsection("Materials");
    prm.declare_entry("Top electrode file", "materials/pt.prm", Patterns::Anything(), "Electrode material file.");
    prm.declare_entry("Top interface layer file", "", Patterns::Anything(),
                      "Material file of the top interface layer (needed when its thickness is > 0).");
    prm.declare_entry("Barrier file", "materials/srtio3_film.prm", Patterns::Anything(), "Barrier material file.");
    prm.declare_entry("Bottom interface layer file", "", Patterns::Anything(),
                      "Material file of the bottom interface layer (needed when its thickness is > 0).");
    prm.declare_entry("Substrate file", "materials/nb_srtio3_0p7wt.prm", Patterns::Anything(),
                      "Substrate material file.");
    prm.leave_subsection();
    prm.enter_subsection("Vacancy boundary conditions");
    prm.declare_entry("Top contact", "blocking", Patterns::Selection("blocking|reservoir"),
                      "Vacancy condition at the Pt contact: blocking (zero flux) or reservoir (fixed density).");
    prm.declare_entry("Top reservoir density (m^-3)", "0", Patterns::Double(0.0, 1e30),
                      "Vacancy density held at the Pt contact when it is a reservoir.");
    prm.declare_entry("Back contact", "blocking", Patterns::Selection("blocking|reservoir"),
                      "Vacancy condition at the ohmic back contact.");
    prm.declare_entry("Back reservoir density (m^-3)", "0", Patterns::Double(0.0, 1e30),
                      "Vacancy density held at the back contact when it is a reservoir.");
    prm.leave_subsection();
    prm.leave_subsection();
  }

  void DeviceModel::parse_parameters(ParameterHandler &prm, const std::string &base_dir, const std::string &file)
  {
    prm.enter_subsection("Device");
    temperature = prm.get_double("Temperature (K)");
    vacancy_transition_width_setting = prm.get_double("Vacancy transition width (nm)") * constants::nm;
    smooth_vacancy_transition        = prm.get("Vacancy transition profile") == "smoothstep";
    const double r = prm.get_double("Electrode radius (um)") * 1e-6;
    electrode_area = constants::pi * r * r;
    prm.enter_subsection("Layers");
    const double t_top = prm.get_double("Top interface layer thickness (nm)") * constants::nm;
    const double t_bar = prm.get_double("Barrier thickness (nm)") * constants::nm;
    const double t_bot = prm.get_double("Bottom interface layer thickness (nm)") * constants::nm;
    const double t_sub = prm.get_double("Substrate thickness (nm)") * constants::nm;
    prm.leave_subsection();
    prm.enter_subsection("Materials");
    const std::string f_el  = resolve_path(prm.get("Top electrode file"), base_dir);
    const std::string f_top = resolve_path(prm.get("Top interface layer file"), base_dir);
    const std::string f_bar = resolve_path(prm.get("Barrier file"), base_dir);
    const std::string f_bot = resolve_path(prm.get("Bottom interface layer file"), base_dir);
    const std::string f_sub = resolve_path(prm.get("Substrate file"), base_dir);
    prm.leave_subsection();
    prm.enter_subsection("Vacancy boundary conditions");
    top_vacancy_boundary     = prm.get("Top contact") == "reservoir" ? VacancyBoundary::reservoir : VacancyBoundary::blocking;
    top_reservoir_density    = prm.get_double("Top reservoir density (m^-3)");
    bottom_vacancy_boundary  = prm.get("Back contact") == "reservoir" ? VacancyBoundary::reservoir : VacancyBoundary::blocking;
    bottom_reservoir_density = prm.get_double("Back reservoir density (m^-3)");
    prm.leave_subsection();
    prm.leave_subsection();

    if (!(t_bar > 0))
      throw_bad_parameter(file, "Device/Layers/Barrier thickness (nm)", std::to_string(t_bar / constants::nm),
                          "a positive thickness");
    if (!(t_sub > 0))
      throw_bad_parameter(file, "Device/Layers/Substrate thickness (nm)", std::to_string(t_sub / constants::nm),
                          "a positive thickness");

    if (!fs::exists(f_el))
      throw_bad_parameter(file, "Device/Materials/Top electrode file", f_el, "an existing electrode file");
    top_electrode = read_electrode_file(f_el);
    layers.clear();
    auto add = [&](const std::string &role, double t, types::material_id id, const std::string &f,
                   const std::string &entry) {
      if (t <= 0)
        return;
      if (f.empty())
        throw_bad_parameter(file, "Device/Materials/" + entry, "(empty)",
                            "a material file, since the layer '" + role + "' has a positive thickness");
      if (!fs::exists(f))
        throw_bad_parameter(file, "Device/Materials/" + entry, f, "an existing material file");
      layers.push_back(Layer{role, t, id, read_material_file(f)});
    };
    add("top interface layer", t_top, ids::top_interface, f_top, "Top interface layer file");
    add("barrier", t_bar, ids::barrier, f_bar, "Barrier file");
    add("bottom interface layer", t_bot, ids::bottom_interface, f_bot, "Bottom interface layer file");
    add("substrate", t_sub, ids::substrate, f_sub, "Substrate file");
  }
} // namespace otj
