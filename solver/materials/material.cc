// Declaration, parsing and validation of material files (see material.h).
#include "materials/material.h"

#include "common/input_error.h"
#include "physics/constants.h"

#include <deal.II/base/parameter_handler.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace otj
{
  using dealii::ParameterHandler;
  using dealii::Patterns::Double;
  using dealii::Patterns::Anything;

  namespace
  {
    const double inf = std::numeric_limits<double>::infinity();

    std::string first_line(const std::string &s)
    {
      // deal.II messages are long and framed; keep the informative lines.
      std::istringstream in(s);
      std::string        line, out;
      while (std::getline(in, line))
        {
          if (line.find("----") != std::string::npos || line.find("An error occurred") != std::string::npos ||
              line.find("Additional information") != std::string::npos ||
              line.find("Stacktrace") != std::string::npos || line.find("The violated condition") != std::string::npos)
            continue;
          if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
          if (line.find("#0 ") != std::string::npos)
            break;
          const auto p = line.find_first_not_of(" \t");
          if (!out.empty())
            out += " ";
          out += line.substr(p);
        }
      return out;
    }

    double finite(ParameterHandler &prm, const std::string &name, const std::string &file)
    {
      const double v = prm.get_double(name);
      if (!std::isfinite(v))
        throw_bad_parameter(file, name, prm.get(name), "a finite number");
      return v;
    }
  } // namespace

  void parse_parameter_file(ParameterHandler &prm, const std::string &path)
  {
    std::ifstream file(path);
    if (!file)
      throw InputError(path + ": cannot open the file (missing or unreadable)");
    std::stringstream in;
    in << file.rdbuf();
    {
      // an empty file (or one with comments only) would silently give every default
      std::istringstream lines(in.str());
      bool               sets = false;
      for (std::string l; !sets && std::getline(lines, l);)
        {
          std::istringstream words(l);
          std::string        keyword;
          words >> keyword;
          for (auto &c : keyword)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          sets = keyword == "set" || keyword == "include";
        }
      if (!sets)
        throw InputError(path + ": the file sets no parameter (expected 'set <name> = <value>' lines in its "
                                "subsections; see otj print-parameters)");
    }
    try
      {
        prm.parse_input(in, path, "", false);
      }
    catch (const std::exception &e)
      {
        std::string msg = first_line(e.what());
        const auto  pos = msg.find("Line <");
        if (pos != std::string::npos)
          msg = msg.substr(pos);
        throw InputError(path + ": " + msg);
      }
    // entries declared with has_to_be_set (e.g. a material's permittivity,
    // donor density, vacancy barrier): no silent default for them
    try
      {
        prm.assert_that_entries_have_been_set();
      }
    catch (const std::exception &e)
      {
        const std::string what = e.what(), from = "The following parameters", to = "have not been set";
        const auto        a = what.find(from), b = what.find(to);
        std::string       list = a != std::string::npos && b != std::string::npos && b > a
                                   ? what.substr(a + from.size(), b - a - from.size())
                                   : first_line(what);
        std::string       names;
        std::istringstream in(list);
        for (std::string w; std::getline(in, w);)
          if (const auto p = w.find_first_not_of(" \t"); p != std::string::npos)
            {
              // deal.II lists mangled paths: '.' between subsections, "_XX" a hexadecimal character code
              const std::string mangled = w.substr(p, w.find_last_not_of(" \t") + 1 - p);
              std::string       name;
              for (std::size_t k = 0; k < mangled.size(); ++k)
                if (mangled[k] == '_' && k + 2 < mangled.size() && std::isxdigit(mangled[k + 1]) &&
                    std::isxdigit(mangled[k + 2]))
                  {
                    name += static_cast<char>(std::stoi(mangled.substr(k + 1, 2), nullptr, 16));
                    k += 2;
                  }
                else
                  name += mangled[k] == '.' ? '/' : mangled[k];
              names += (names.empty() ? "'" : "', '") + name;
            }
        if (!names.empty())
          names += "'";
        throw InputError(path + ": required parameter(s) not set: " + names +
                         " (expected: an explicit 'set <name> = <value>' line for each; no default is assumed)");
      }
  }

  double Material::permittivity(const double E, double *d_dE) const
  {
    if (!(permittivity_field_scale > 0))
      {
        if (d_dE)
          *d_dE = 0;
        return relative_permittivity;
      }
    const double s = E / permittivity_field_scale;
    const double g = 1.0 + s * s;
    const double m = 1.0 / std::cbrt(g); // g^(-1/3)
    const double e = relative_permittivity * m;
    if (d_dE)
      *d_dE = -relative_permittivity / 3.0 * (m / g) * 2.0 * s / permittivity_field_scale;
    return e;
  }

  void Material::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Material");
    prm.declare_entry("Name", "unnamed", Anything(), "Human-readable name of the material.");
    prm.declare_entry("Relative permittivity", "100", Double(1.0, 1e5),
                      "Static relative permittivity eps_r at zero field (dimensionless). Required: set it in the file (no default).", true);
    prm.declare_entry("Permittivity field scale (V/m)", "0", Double(0.0, 1e12),
                      "Field scale E_0 of Johnson's law eps_r(E) = eps_r(0) / [1 + (E/E_0)^2]^(1/3) "
                      "(SrTiO3: eps_r falls ~10x between 1e7 and 1e9 V/m, van der Berg et al., APL 67, 697 (1995)); "
                      "0 keeps eps_r independent of the field.");
    prm.declare_entry("Electron affinity (eV)", "4.08", Double(0.0, 10.0),
                      "Electron affinity chi: conduction-band edge below the vacuum level (eV). Required: set it in the file (no default).", true);
    prm.declare_entry("Density-of-states effective mass", "1.8", Double(0.0, 100.0),
                      "Conduction-band density-of-states mass m_dos/m0; 0 removes the electrons from this region.");
    prm.declare_entry("Tunnelling effective mass", "1.0", Double(0.01, 100.0),
                      "Tunnelling (WKB) effective mass m_t/m0.");
    prm.declare_entry("Donor density (m^-3)", "0", Double(0.0, 1e29),
                      "Fixed ionised donor density (e.g. Nb on Ti sites), m^-3. Required: set it in the file (no default).", true);
    prm.declare_entry("Acceptor density (m^-3)", "0", Double(0.0, 1e29),
                      "Fixed ionised acceptor density (e.g. compensating Sr vacancies), m^-3.");
    prm.declare_entry("Vacancy charge number", "2", Double(0.0, 4.0),
                      "Charge number z of the oxygen vacancy (2 = doubly ionised).");
    prm.declare_entry("Vacancy activation energy (eV)", "0.6", Double(0.0, 5.0),
                      "Hopping barrier E_a of an oxygen vacancy (eV). Required: set it in the file (no default).", true);
    prm.declare_entry("Attempt frequency (Hz)", "1e13", Double(1.0, 1e16), "Attempt frequency nu0 (Hz).");
    prm.declare_entry("Hop distance (nm)", "0.276", Double(0.01, 10.0), "Hop distance a (nm).");
    prm.declare_entry("Maximum vacancy density (m^-3)", "5e27", Double(1e20, 1e30),
                      "Site limit c_max of the lattice gas (m^-3).");
    prm.declare_entry("Vacancy site energy (eV)", "0", Double(-10.0, 10.0),
                      "Site energy of a vacancy in this region relative to the SrTiO3 film (eV); "
                      "sets the equilibrium concentration jump at an interface.");
    prm.declare_entry("Initial vacancy density (m^-3)", "0", Double(0.0, 1e30),
                      "Vacancy density of the as-grown state (m^-3). Required: set it in the file (no default).", true);
    prm.declare_entry("Thermal conductivity (W/m/K)", "0", Double(0.0, 1e4),
                      "Thermal conductivity kappa (W/(m K)); used for the substrate by the optional Joule heating "
                      "(run file section 'Joule heating'). 0: not given.");
    prm.declare_entry("Volumetric heat capacity (J/m^3/K)", "0", Double(0.0, 1e9),
                      "Heat capacity per volume rho c_p (J/(m^3 K)); used for the substrate by the optional Joule "
                      "heating. 0: not given.");
    prm.leave_subsection();
  }

  void Material::parse_parameters(ParameterHandler &prm)
  {
    using constants::eV;
    prm.enter_subsection("Material");
    const std::string &f = source_file;
    name                    = prm.get("Name");
    relative_permittivity   = finite(prm, "Relative permittivity", f);
    permittivity_field_scale = finite(prm, "Permittivity field scale (V/m)", f);
    electron_affinity       = finite(prm, "Electron affinity (eV)", f) * eV;
    dos_effective_mass      = finite(prm, "Density-of-states effective mass", f);
    tunnelling_mass         = finite(prm, "Tunnelling effective mass", f);
    donor_density           = finite(prm, "Donor density (m^-3)", f);
    acceptor_density        = finite(prm, "Acceptor density (m^-3)", f);
    vacancy_charge_number   = finite(prm, "Vacancy charge number", f);
    activation_energy       = finite(prm, "Vacancy activation energy (eV)", f) * eV;
    attempt_frequency       = finite(prm, "Attempt frequency (Hz)", f);
    hop_distance            = finite(prm, "Hop distance (nm)", f) * constants::nm;
    max_vacancy_density     = finite(prm, "Maximum vacancy density (m^-3)", f);
    vacancy_site_energy     = finite(prm, "Vacancy site energy (eV)", f) * eV;
    initial_vacancy_density = finite(prm, "Initial vacancy density (m^-3)", f);
    thermal_conductivity    = finite(prm, "Thermal conductivity (W/m/K)", f);
    volumetric_heat_capacity = finite(prm, "Volumetric heat capacity (J/m^3/K)", f);
    prm.leave_subsection();
    if (initial_vacancy_density >= max_vacancy_density)
      throw_bad_parameter(f, "Initial vacancy density (m^-3)", std::to_string(initial_vacancy_density),
                          "a value below 'Maximum vacancy density (m^-3)' = " +
                            std::to_string(max_vacancy_density));
  }

  void ElectrodeMaterial::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Electrode");
    prm.declare_entry("Name", "metal", Anything(), "Human-readable name of the electrode metal.");
    prm.declare_entry("Work function (eV)", "5.65", Double(1.0, 10.0), "Work function Phi_M of the metal (eV). Required: set it in the file (no default).", true);
    prm.declare_entry("Interface dipole (eV)", "0", Double(-5.0, 5.0),
                      "Interface dipole lowering the effective work function at the oxide contact (eV): "
                      "Schottky barrier = Phi_M - dipole - chi(oxide). Required: set it in the file (no default).", true);
    prm.declare_entry("Electron mass", "1.0", Double(0.01, 100.0),
                      "Effective mass of the electrons in the metal (m/m0), for the tunnelling current.");
    prm.declare_entry("Image-force permittivity", "0", Double(0.0, 1000.0),
                      "Permittivity eps_if of the image-force lowering of the barrier in the current model "
                      "(the optical permittivity, ~5.5 for SrTiO3); 0 switches the image force off.");
    prm.declare_entry("Thickness (nm)", "0", Double(0.0, 1e6),
                      "Electrode thickness (nm); with 'Volumetric heat capacity (J/m^3/K)' the heat it takes up "
                      "in the optional Joule heating. 0: not counted.");
    prm.declare_entry("Volumetric heat capacity (J/m^3/K)", "0", Double(0.0, 1e9),
                      "Heat capacity per volume rho c_p of the electrode metal (J/(m^3 K)); 0: not counted.");
    prm.leave_subsection();
  }

  void ElectrodeMaterial::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Electrode");
    name             = prm.get("Name");
    work_function    = finite(prm, "Work function (eV)", source_file) * constants::eV;
    interface_dipole = finite(prm, "Interface dipole (eV)", source_file) * constants::eV;
    electron_mass    = finite(prm, "Electron mass", source_file);
    heat_capacity_per_area =
      finite(prm, "Thickness (nm)", source_file) * constants::nm * finite(prm, "Volumetric heat capacity (J/m^3/K)", source_file);
    image_force_permittivity = finite(prm, "Image-force permittivity", source_file);
    prm.leave_subsection();
  }

  Material read_material_file(const std::string &path)
  {
    ParameterHandler prm;
    Material::declare_parameters(prm);
    parse_parameter_file(prm, path);
    Material m;
    m.source_file = path;
    m.parse_parameters(prm);
    return m;
  }

  ElectrodeMaterial read_electrode_file(const std::string &path)
  {
    ParameterHandler prm;
    ElectrodeMaterial::declare_parameters(prm);
    parse_parameter_file(prm, path);
    ElectrodeMaterial m;
    m.source_file = path;
    m.parse_parameters(prm);
    return m;
  }
} // namespace otj
