// The device of one sweep case: the sweep's device with the case's
// temperature, its material factor applied to the varied material-file entry
// (the file is re-read, the entry scaled and checked against its declared
// range, so an impossible value is an InputError like a bad file would be),
// and its seed's lognormal factor on the film's initial vacancy density. For
// a 2D device (Geometry/Dimension = 2) a seed s > 0 instead sets the seed of
// the lateral random field of the film's vacancies, with log standard
// deviation 'spread' and the device file's correlation length
// (Geometry/Initial vacancy variation); seed 0 is the uniform device.
#pragma once

#include "sweep/sweep_cases.h"
#include "sweep/sweep_parameters.h"

namespace otj
{
  /// Throws InputError (naming the material file, the entry and the allowed
  /// range) if the case's values are outside the material's ranges.
  RunParameters case_device(const SweepParameters &sweep, const SweepCase &c);

  /// The material of `file` with its entry `entry` multiplied by `factor`.
  Material scaled_material(const std::string &file, const std::string &entry, double factor);
} // namespace otj
