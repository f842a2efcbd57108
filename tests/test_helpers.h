// Shared helpers for the test suites: small devices built in code, so each
// test states its physics explicitly.
#pragma once

#include "device/device_model.h"
#include "materials/material.h"
#include "mesh/device_mesh.h"
#include "physics/constants.h"
#include "simulation/run_parameters.h"

#include <limits>
#include <string>

namespace otj::test_support
{
  inline std::string source_path(const std::string &rel) { return std::string(OTJ_SOURCE_DIR) + "/" + rel; }

  inline RunParameters paper_parameters()
  {
    return RunParameters::from_file(source_path("drivers/paper_device/writes.prm"));
  }

  /// A single-material slab: film of the given thickness between two
  /// contacts; back contact potential fixed at phi_back.
  inline DeviceModel single_layer_device(const Material &m, double thickness, double phi_back)
  {
    DeviceModel d;
    d.temperature                     = 300;
    d.top_electrode.work_function     = 5.0 * constants::eV;
    d.layers.push_back(Layer{"barrier", thickness, ids::barrier, m});
    d.back_contact_potential_override = phi_back;
    return d;
  }

  /// An insulator with mobile vacancies compensated by fixed acceptors and no electrons.
  inline Material ionic_insulator(double c0, double Ea_eV = 0.6, double cmax = 1e40)
  {
    Material m;
    m.name                    = "ionic insulator";
    m.relative_permittivity   = 100;
    m.dos_effective_mass      = 0; // no electrons
    m.vacancy_charge_number   = 2;
    m.activation_energy       = Ea_eV * constants::eV;
    m.attempt_frequency       = 1e13;
    m.hop_distance            = 0.276e-9;
    m.max_vacancy_density     = cmax;
    m.initial_vacancy_density = c0;
    m.acceptor_density        = 2 * c0;
    return m;
  }
} // namespace otj::test_support
