// Declaration, parsing and checks of a sweep file (see sweep_parameters.h).
#include "sweep/sweep_parameters.h"

#include "common/input_error.h"
#include "device/device_model.h"
#include "materials/material.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/utilities.h>

#include <algorithm>
#include <filesystem>
#include <ostream>

namespace otj
{
  using namespace dealii;

  namespace
  {
    const char *layer_roles = "top interface layer|barrier|bottom interface layer|substrate";

    std::vector<double> doubles(const std::string &list)
    {
      std::vector<double> v;
      for (const auto &s : Utilities::split_string_list(list))
        v.push_back(Utilities::string_to_double(s));
      return v;
    }
  } // namespace

  void SweepParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Sweep");
    prm.declare_entry("Device file", "writes.prm", Patterns::FileName(),
                      "Run parameter file of the device (relative to this file); its waveform and output settings "
                      "are not used. Each case starts from the device's equilibrium at 0 V.");
    prm.declare_entry("Output directory", "results/sweep", Patterns::Anything(),
                      "Directory of the results (relative to the working directory): cases/case_NNNNNN.json, one per "
                      "case, and the merged table sweep.csv and sweep.json. Run the same command again to resume.");
    prm.declare_entry("Write amplitudes (V)", "1.8", Patterns::List(Patterns::Double(-10.0, 10.0), 1),
                      "Source amplitudes of the write pulse (V, positive = Pt positive), comma separated.");
    prm.declare_entry("Pulse widths (s)", "2e-8", Patterns::List(Patterns::Double(1e-9, 1e4), 1),
                      "Flat-top widths of the write pulse (s), comma separated; the edges are 100 ns as in the "
                      "R-V loop's writes (PulseLab::write).");
    prm.declare_entry("Temperatures (K)", "", Patterns::List(Patterns::Double(1.0, 2000.0), 0),
                      "Device temperatures (K), comma separated; empty: the device file's temperature.");
    prm.declare_entry("Relaxation (s)", "1e-3", Patterns::Double(1e-9, 1e5),
                      "Time at 0 V between the end of the write and the read (s).");
    prm.declare_entry("Read voltage (V)", "0.1", Patterns::Double(-5.0, 5.0),
                      "Voltage of the read (V), vacancies frozen; also the read of the pristine state. Not 0.");
    prm.declare_entry("Rank 0 works", "true", Patterns::Bool(),
                      "With several MPI ranks: true, rank 0 also runs cases (in a second thread) while it hands out "
                      "case numbers; false, rank 0 only coordinates (for many ranks). With one rank it always works.");
    prm.enter_subsection("Material variation");
    prm.declare_entry("Parameter", "", Patterns::Anything(),
                      "Numeric entry of the material files to scale, as spelled there, e.g. 'Vacancy activation "
                      "energy (eV)' or 'Relative permittivity' (otj print-parameters lists them); empty: no variation.");
    prm.declare_entry("Layers", "barrier", Patterns::MultipleSelection(layer_roles),
                      "Layers whose material file entry is scaled: barrier (the SrTiO3 film file), top interface "
                      "layer, bottom interface layer, substrate; comma separated.");
    prm.declare_entry("Factors", "1", Patterns::List(Patterns::Double(0.0, 1e6), 1),
                      "Factors (> 0) applied to the parameter's value in the file, comma separated. A scaled value "
                      "outside the entry's range makes that case fail (reported, the others go on).");
    prm.leave_subsection();
    prm.enter_subsection("Device variation");
    prm.declare_entry("Seeds", "0", Patterns::List(Patterns::Integer(0, 2147483647), 1),
                      "Seeds of the device-to-device variation, comma separated. Seed 0 is the nominal device; a "
                      "seed s > 0 multiplies the initial vacancy density of every layer above the substrate by "
                      "f = exp(spread * z), z a standard normal number drawn from seed s (mt19937_64, Box-Muller), "
                      "so ln f has mean 0 and standard deviation 'spread'. For a 2D device file (Geometry/Dimension = 2) "
                      "a seed s > 0 instead multiplies the film's vacancies by a lateral log-normal random field "
                      "drawn from seed s, with log standard deviation 'spread' and the device file's "
                      "Geometry/Initial vacancy variation/Correlation length (nm).");
    prm.declare_entry("Vacancy density spread (ln)", "0.2", Patterns::Double(0.0, 3.0),
                      "Standard deviation of the natural log of the vacancy-density factor (0: seeds give the "
                      "nominal device).");
    prm.leave_subsection();
    prm.leave_subsection();
  }

  SweepParameters SweepParameters::from_file(const std::string &file)
  {
    ParameterHandler prm;
    declare_parameters(prm);
    parse_parameter_file(prm, file);

    SweepParameters p;
    p.file = file;
    const std::string S = "Sweep/";
    prm.enter_subsection("Sweep");
    const std::string base = std::filesystem::path(file).parent_path().string();
    p.device_file          = resolve_path(prm.get("Device file"), base.empty() ? "." : base);
    if (!std::filesystem::is_regular_file(p.device_file))
      throw_bad_parameter(file, S + "Device file", prm.get("Device file"),
                          "an existing run parameter file (relative to the sweep file's folder)");
    p.device           = RunParameters::from_file(p.device_file);
    p.output_directory = prm.get("Output directory");
    if (p.output_directory.empty())
      throw_bad_parameter(file, S + "Output directory", "''", "a directory name");
    p.lists.amplitudes   = doubles(prm.get("Write amplitudes (V)"));
    p.lists.widths       = doubles(prm.get("Pulse widths (s)"));
    p.lists.temperatures = doubles(prm.get("Temperatures (K)"));
    if (p.lists.temperatures.empty())
      p.lists.temperatures = {p.device.device.temperature};
    p.relaxation   = prm.get_double("Relaxation (s)");
    p.read_voltage = prm.get_double("Read voltage (V)");
    if (p.read_voltage == 0.0)
      throw_bad_parameter(file, S + "Read voltage (V)", "0", "a non-zero read voltage");
    p.coordinator_works = prm.get_bool("Rank 0 works");

    prm.enter_subsection("Material variation");
    p.material.parameter = prm.get("Parameter");
    p.material.layers    = Utilities::split_string_list(prm.get("Layers"));
    const std::string factors = prm.get("Factors");
    p.lists.material_factors  = doubles(factors);
    prm.leave_subsection();
    prm.enter_subsection("Device variation");
    p.lists.seeds.clear();
    for (const auto &s : Utilities::split_string_list(prm.get("Seeds")))
      p.lists.seeds.push_back(static_cast<unsigned int>(Utilities::string_to_int(s)));
    p.variation.spread = prm.get_double("Vacancy density spread (ln)");
    prm.leave_subsection();
    prm.leave_subsection();

    // the varied material entry must be a numeric entry of a material file
    const std::string M = S + "Material variation/";
    for (double f : p.lists.material_factors)
      if (!(f > 0))
        throw_bad_parameter(file, M + "Factors", std::to_string(f), "factors > 0");
    if (p.material.parameter.empty())
      {
        if (p.lists.material_factors != std::vector<double>{1.0})
          throw_bad_parameter(file, M + "Factors", factors,
                              "only 1 while 'Parameter' is empty (name the material entry to scale)");
      }
    else
      {
        ParameterHandler mat;
        Material::declare_parameters(mat);
        mat.enter_subsection("Material");
        bool numeric = true;
        try
          {
            mat.get_double(p.material.parameter);
          }
        catch (...)
          {
            numeric = false;
          }
        if (!numeric)
          throw_bad_parameter(file, M + "Parameter", "'" + p.material.parameter + "'",
                              "a numeric entry of a material file as spelled there, e.g. 'Vacancy activation energy "
                              "(eV)' (otj print-parameters lists them)");
        std::string present;
        for (const auto &l : p.device.device.layers)
          present += (present.empty() ? "" : ", ") + l.role;
        for (const auto &role : p.material.layers)
          if (std::none_of(p.device.device.layers.begin(), p.device.device.layers.end(),
                           [&](const Layer &l) { return l.role == role; }))
            throw_bad_parameter(file, M + "Layers", role, "layers of the device with a positive thickness (" + present + ")");
      }
    return p;
  }

  void SweepParameters::print_reference(std::ostream &out)
  {
    ParameterHandler prm;
    declare_parameters(prm);
    out << "# otj sweep parameter file: every entry with its default and meaning.\n"
        << "# Cases are the cartesian product of the lists (order: temperature, material factor, seed,\n"
        << "# amplitude, width; the last varies fastest).\n";
    prm.print_parameters(out, ParameterHandler::PRM);
  }
} // namespace otj
