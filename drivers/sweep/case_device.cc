// The device of one sweep case (see case_device.h).
#include "sweep/case_device.h"

#include "common/input_error.h"

#include <deal.II/base/parameter_handler.h>

#include <sstream>

namespace otj
{
  namespace
  {
    /// The informative line of a deal.II exception message (they are framed and long).
    std::string pattern_message(const std::string &what)
    {
      std::istringstream in(what);
      std::string        line;
      while (std::getline(in, line))
        if (line.find("does not match") != std::string::npos)
          return line.substr(line.find_first_not_of(" \t"));
      return "a value in the entry's declared range";
    }

    std::string number(double x)
    {
      std::ostringstream s;
      s.precision(12);
      s << x;
      return s.str();
    }
  } // namespace

  Material scaled_material(const std::string &file, const std::string &entry, const double factor)
  {
    dealii::ParameterHandler prm;
    Material::declare_parameters(prm);
    parse_parameter_file(prm, file);
    prm.enter_subsection("Material");
    const double value  = prm.get_double(entry);
    const auto   scaled = number(value * factor);
    try
      {
        prm.set(entry, scaled);
      }
    catch (const std::exception &e)
      {
        throw_bad_parameter(file, entry, number(value) + " x " + number(factor) + " = " + scaled,
                            "a value allowed by the material file (" + pattern_message(e.what()) + ")");
      }
    prm.leave_subsection();
    Material m;
    m.source_file = file;
    m.parse_parameters(prm);
    return m;
  }

  RunParameters case_device(const SweepParameters &sweep, const SweepCase &c)
  {
    RunParameters p               = sweep.device;
    p.device.temperature          = c.temperature;
    p.experiment.read_voltage     = sweep.read_voltage;
    if (!sweep.material.parameter.empty() && c.material_factor != 1.0)
      for (auto &l : p.device.layers)
        for (const auto &role : sweep.material.layers)
          if (l.role == role)
            l.material = scaled_material(l.material.source_file, sweep.material.parameter, c.material_factor);

    if (p.geometry.dimension == 2)
      {
        // 2D: the seed draws a laterally inhomogeneous field instead of one factor
        p.geometry.initial_variation.seed    = c.seed;
        p.geometry.initial_variation.log_std = c.seed == 0 ? 0.0 : sweep.variation.spread;
        return p;
      }
    const double f = vacancy_density_factor(c.seed, sweep.variation.spread);
    if (f != 1.0)
      for (auto &l : p.device.layers)
        if (l.role != "substrate")
          {
            l.material.initial_vacancy_density *= f;
            if (!(l.material.initial_vacancy_density < l.material.max_vacancy_density))
              throw_bad_parameter(l.material.source_file, "Initial vacancy density (m^-3)",
                                  number(l.material.initial_vacancy_density) + " (x " + number(f) + " from seed " +
                                    std::to_string(c.seed) + ")",
                                  "a value below 'Maximum vacancy density (m^-3)' = " +
                                    number(l.material.max_vacancy_density));
          }
    return p;
  }
} // namespace otj
