// The electron current through the junction along one line from the Pt
// contact (depth 0) to the back contact (SPEC section 3): the conduction-band
// profile along the line with the tunnelling mass of each layer, the
// image-force lowering by the Pt, and the Tsu-Esaki integral between the Pt
// Fermi level (-eV) and the substrate's (0) (current/tsu_esaki_current.h).
// The 1D run calls it with its nodal band profile; 2D runs call it once per
// face of the Pt electrode with the band profile along the normal line below
// the face (simulation/distributed_transient_simulation.h).
#pragma once

#include "current/tsu_esaki_current.h"
#include "device/device_model.h"

#include <vector>

namespace otj
{
  /// Conduction-band edge (J) at electrostatic potential phi (V) and depth y
  /// (m): E_c = -q phi - chi with the electron affinity chi of the layer that
  /// holds y (the upper layer at an interface node, as the 1D nodal values).
  double conduction_band_edge(const DeviceModel &device, double depth, double phi);

  /// Current density (A/m^2, positive from the Pt into the substrate) of the
  /// band profile Ec (J) at nodes `depth` (m, increasing from 0) at junction
  /// voltage V. energy_step (J) is the largest Simpson step (0: kT/8). If `spectrum` is set, it
  /// receives the current's energy spectrum (TsuEsakiParameters::spectrum).
  JunctionCurrent line_junction_current(const DeviceModel &device, const std::vector<double> &depth,
                                        const std::vector<double> &Ec, double V, double energy_step = 0,
                                        std::vector<SpectrumPoint> *spectrum = nullptr);
} // namespace otj
