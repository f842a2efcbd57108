// Runs one sweep case on the PDE: the device's pristine equilibrium at 0 V,
// the write pulse (100 ns edges) and the relaxation at 0 V, then a read with
// the vacancies frozen: the read resistance and the read current's shares by
// energy range (thermionic, thermionic-field, field emission). The pulse
// machinery is PulseLab's (postprocess/merits/pulse_lab.h); the runner keeps
// one PulseLab per device variant (temperature, material factor, seed), so a
// rank computes each pristine equilibrium once.
//
// A 2D device file (Geometry/Dimension = 2) runs each case with the
// distributed 2D solver on MPI_COMM_SELF (the sweep spreads cases, not
// meshes, over the ranks): pristine equilibrium, the same pulse and
// relaxation, and the read with frozen vacancies
// (DistributedTransientSimulation::read_resistance); the seed draws the
// laterally inhomogeneous random field of the film's vacancies
// (sweep/case_device.h). The energy-range shares are 1D-only (null in 2D).
//
// A case never throws: a failure (bad value for this case, non-convergence,
// any exception) gives a record with status "failed" and the message.
#pragma once

#include "merits/pulse_lab.h"
#include "sweep/sweep_cases.h"
#include "sweep/sweep_parameters.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

namespace otj
{
  class CaseRunner
  {
  public:
    /// `fingerprint` (of the inputs, see case_store.h) goes into every record; `rank` too.
    CaseRunner(const SweepParameters &sweep, std::string fingerprint, int rank);

    /// The result record of case c (see case_store.h for its fields).
    nlohmann::json run(const SweepCase &c);

  private:
    struct Device
    {
      std::unique_ptr<PulseLab>  lab;
      std::optional<ReadResult>  pristine_read; ///< the read of the pristine equilibrium
      std::string               error; ///< non-empty: this device variant cannot be set up or equilibrated
    };
    Device &device(const SweepCase &c);
    /// The 2D case: results of the read after the write (see above).
    nlohmann::json run_2d(const SweepCase &c);

    const SweepParameters &sweep_;
    std::string            fingerprint_;
    int                    rank_;
    std::map<std::tuple<double, double, unsigned int>, Device> devices_;
    std::map<std::tuple<double, double, unsigned int>, double> pristine_2d_; ///< read resistance (ohm)
  };

  /// The case's parameters as a JSON object (also the key that identifies a stored result).
  nlohmann::json case_record(const SweepCase &c);
} // namespace otj
