// Reads the device (run) file that another input file names (merits, loops,
// extraction, calibration, sweep), so that an error names the referring
// file and its parameter too (SPEC 9).
#pragma once

#include "common/input_error.h"
#include "simulation/run_parameters.h"

#include <filesystem>
#include <string>

namespace otj
{
  inline RunParameters read_device_file(const std::string &path, const std::string &referring_file,
                                        const std::string &parameter)
  {
    if (!std::filesystem::is_regular_file(path))
      throw_bad_parameter(referring_file, parameter, "'" + path + "'", "an existing device (run) file");
    try
      {
        return RunParameters::from_file(path);
      }
    catch (const InputError &e)
      {
        throw InputError(std::string(e.what()) + " (the device file named by '" + parameter + "' in " +
                         referring_file + ")");
      }
  }
} // namespace otj
