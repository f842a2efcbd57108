// Junction current along one line (see line_current.h).
#include "current/line_current.h"

#include "physics/constants.h"

#include <algorithm>
#include <stdexcept>

namespace otj
{
  double conduction_band_edge(const DeviceModel &device, const double depth, const double phi)
  {
    double top = 0;
    for (const auto &l : device.layers)
      {
        if (depth <= top + l.thickness * (1 + 1e-12))
          return -constants::elementary_charge * phi - l.material.electron_affinity;
        top += l.thickness;
      }
    return -constants::elementary_charge * phi - device.layers.back().material.electron_affinity;
  }

  JunctionCurrent line_junction_current(const DeviceModel &device, const std::vector<double> &depth,
                                        const std::vector<double> &Ec, const double V, const double energy_step,
                                        std::vector<SpectrumPoint> *spectrum)
  {
    if (depth.size() != Ec.size() || depth.size() < 2)
      throw std::invalid_argument("line_junction_current: need matching depth and band-edge nodes (at least 2)");
    BandProfile band;
    band.x  = depth;
    band.Ec = Ec;
    for (std::size_t k = 0; k + 1 < depth.size(); ++k)
      {
        // tunnelling mass of the layer holding the segment midpoint
        const double xm = 0.5 * (depth[k] + depth[k + 1]);
        double       top = 0, mass = device.layers.back().material.tunnelling_mass;
        for (const auto &l : device.layers)
          {
            if (xm < top + l.thickness)
              {
                mass = l.material.tunnelling_mass;
                break;
              }
            top += l.thickness;
          }
        band.mass.push_back(mass);
      }
    add_image_force_lowering(band, device.top_electrode.image_force_permittivity, 0.0);
    TsuEsakiParameters par;
    par.temperature     = device.temperature;
    par.supply_mass     = device.top_electrode.electron_mass;
    par.fermi_pt        = -constants::elementary_charge * V;
    par.fermi_substrate = 0.0;
    // no states below the neutral substrate's band bottom: the transmission
    // into the substrate vanishes there (Ec - E > 0 over its whole slab)
    par.lowest_energy = band.Ec.back();
    // the Schottky barrier of the substrate (the semiconductor electrode): the highest band edge
    // over its nodes, the top of its depletion region behind the film. The node at the interface
    // carries the film's band edge (conduction_band_edge takes the upper layer there); the
    // substrate's side of it differs by the band offset chi_film - chi_substrate.
    const Layer *substrate = nullptr, *last_film_layer = nullptr;
    for (const auto &l : device.layers)
      (l.id == ids::substrate ? substrate : last_film_layer) = &l;
    if (substrate && last_film_layer)
      {
        const double film   = device.film_thickness();
        const double offset = last_film_layer->material.electron_affinity - substrate->material.electron_affinity;
        for (std::size_t k = 0; k < depth.size(); ++k)
          if (depth[k] >= film * (1 - 1e-12))
            par.substrate_barrier =
              std::max(par.substrate_barrier, band.Ec[k] + (depth[k] <= film * (1 + 1e-12) ? offset : 0.0));
      }
    // Simpson nodes at most kT/8 apart: the supply function varies on the
    // scale kT, the WKB transmission on >~ 50 meV (checked against a 16x finer grid in the tests)
    par.energy_points       = 101;
    par.maximum_energy_step = energy_step > 0 ? energy_step : constants::boltzmann * par.temperature / 8;
    par.spectrum            = spectrum;
    return TsuEsakiCurrent::current(band, par);
  }
} // namespace otj
