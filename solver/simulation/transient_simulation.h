// One 1D run of the device: builds the mesh and the discrete system from the
// run parameters, finds the initial state, integrates the source waveform and
// writes snapshots (VTU + PVD, CSV profiles), a time series and a JSON
// summary. It coordinates; the physics is in DriftDiffusionSystem, the
// nonlinear solve in NewtonSolver, time control in BdfIntegrator, the
// source / series resistance / compliance in ExternalCircuit.
//
// State vector of the time integration: the device dofs, then a circuit
// block: [n] the Pt surface charge sigma / sigma_scale (differential: its BDF
// derivative is the displacement current, and it is error-controlled),
// [n+1] the junction voltage V_j, [n+2] the terminal current, [n+3] the
// tunnelling current (algebraic records, carried along so that every accepted
// state has its circuit values).
#pragma once

#include "current/tsu_esaki_current.h"
#include "discretization/drift_diffusion_system.h"
#include "nonlinear/newton_solver.h"
#include "output/pvd_record.h"
#include "output/solution_writer.h"
#include "simulation/joule_heating.h"
#include "simulation/run_parameters.h"
#include "time_stepping/bdf_integrator.h"

#include <deal.II/grid/tria.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace otj
{
  /// A read of a frozen vacancy state: V_read / I and the current's energy ranges.
  struct ReadResult
  {
    double           resistance;
    ConductionShares shares;
  };

  struct Snapshot
  {
    std::string label;
    double      time, voltage, total_vacancies, centroid;
    double      junction_voltage; ///< V_j (V)
    double      current;          ///< terminal current (A): Tsu-Esaki + displacement
    double      tunnel_current;   ///< electron (Tsu-Esaki) current (A)
    double      read_resistance;  ///< V_read / I at the read voltage with the vacancies frozen (ohm)
    ConductionShares read_shares; ///< the read current by energy range (TE / TFE / FE)
    std::string vtu, profile;
  };

  struct StepRecord
  {
    double       time, voltage, junction_voltage, current, tunnel_current, energy_source, energy_junction, dt;
    unsigned int order, newton_iterations;
    double       total_vacancies, centroid, c_top;
    double       temperature; ///< K (the ambient unless Joule heating is on)
  };

  class TransientSimulation
  {
  public:
    /// `quiet` suppresses progress output (benchmarks, tests).
    explicit TransientSimulation(const RunParameters &p, bool quiet = false);

    /// The full run: initial state, waveform, outputs, summary.
    void run();

    /// Initial state at the waveform's first voltage.
    void solve_initial_state();
    /// Starts instead from a state of another run of the same device and mesh
    /// (e.g. a stored equilibrium or a written LRS), at the waveform's start
    /// time; the state must be stationary at the waveform's first voltage
    /// (the circuit block is recomputed there). Resets the energy account.
    void restart_from(const dealii::Vector<double> &state);
    /// Integrates the waveform to its end (or to t_stop; a later call
    /// continues from there), with snapshots if write_output.
    void integrate_waveform(bool write_output, double t_stop = std::numeric_limits<double>::infinity());

    /// Whether every time step evaluates the Tsu-Esaki current (default).
    /// With an ideal source the current does not act back on the state, so a
    /// caller that needs only reads (the R-V loop) may switch it off: the steps
    /// then carry the displacement current alone (tunnel current 0) and the
    /// energy account is not meaningful. Ignored with R_0, a compliance or Joule heating.
    void set_current_at_every_step(bool on) { current_at_every_step_ = on; }

    const DriftDiffusionSystem<1> &system() const { return *system_; }
    const dealii::Vector<double> & state() const { return u_; }
    double                         time() const { return t_; }
    const IntegratorStatistics &   statistics() const { return integrator_->statistics(); }
    unsigned int                   equilibrium_newton_iterations() const { return equilibrium_newton_; }
    const std::vector<StepRecord> &steps() const { return steps_; }
    const std::vector<Snapshot> &  snapshots() const { return snapshots_; }
    double                         initial_vacancies() const { return n_initial_; }
    /// Junction current (Tsu-Esaki, WKB) of state u at junction voltage V;
    /// energy_step (J) is the largest Simpson step (0: kT/8).
    JunctionCurrent junction_current(const dealii::Vector<double> &u, double V, double energy_step = 0,
                                     std::vector<SpectrumPoint> *spectrum = nullptr) const;
    /// Read at V_read: electrostatics re-solved with the vacancies frozen, then
    /// the current. Returns {resistance V/I, tunnelling share}.
    ReadResult read(const dealii::Vector<double> &u, double V_read, std::vector<SpectrumPoint> *spectrum = nullptr);
    /// Energies delivered by the source, dissipated in R_0 and delivered to the junction (J).
    const EnergyAccount &energy() const { return energy_; }
    /// Junction voltage and terminal current of the current state.
    double junction_voltage() const { return u_[n_ + 1]; }
    double terminal_current() const { return u_[n_ + 2]; }
    /// Pt electrode charge of the current state (C).
    double electrode_charge() const { return u_[n_] * sigma_scale_ * p_.device.electrode_area; }
    /// The Joule heating (disabled unless the run file enables it) and the device's temperature now.
    const JouleHeating &joule_heating() const { return *heating_; }
    double              temperature() const { return p_.device.temperature; }
    /// Largest relative round-off correction of the vacancy balance of a step.
    double max_balance_correction() const { return max_balance_correction_; }

  private:
    NewtonResult solve_at(double voltage, const TimeTerm &tt, dealii::Vector<double> &u,
                          const NewtonTolerances *tolerances = nullptr);
    /// The Newton convergence test of a time step: `Step tolerance fraction` of the integrator's
    /// error test, or the fixed tolerances where those are looser.
    NewtonTolerances step_tolerances() const;
    /// One implicit step with the circuit: finds V_j and the device state.
    NewtonResult solve_step(double t_new, const TimeTerm &tt, dealii::Vector<double> &u);
    /// Back to the ambient temperature (Joule heating; no-op without).
    void reset_temperature();
    /// Appends the circuit block to a device state (sigma from Gauss, V_j, currents).
    void attach_circuit_block(double Vj);
    void         snapshot(const std::string &label);
    void         write_timeseries() const;
    /// stopped: why the run stopped early (empty: it ran to the end)
    void         write_summary(double wall_seconds, const std::string &stopped = "") const;

    RunParameters                             p_;
    bool                                      quiet_;
    bool                                      current_at_every_step_ = true;
    dealii::Triangulation<1>                  tria_;
    std::unique_ptr<DriftDiffusionSystem<1>>  system_;
    std::unique_ptr<NewtonSolver>             newton_;
    std::unique_ptr<BdfIntegrator>            integrator_;
    ExternalCircuit                           circuit_;
    std::unique_ptr<JouleHeating>             heating_;
    EnergyAccount                             energy_;
    unsigned int                              n_ = 0;           ///< device dofs
    double                                    sigma_scale_ = 1; ///< C/m^2 per unit of the sigma entry
    unsigned int                              circuit_evaluations_ = 0;
    std::unique_ptr<SolutionWriter<1>>        writer_;
    std::unique_ptr<PvdRecord>                pvd_;
    std::vector<bool>                         is_vacancy_;
    dealii::Vector<double>                    u_;
    double                                    t_ = 0;
    double                                    n_initial_ = 0;
    double                                    max_balance_correction_ = 0;
    unsigned int                              equilibrium_newton_ = 0, equilibrium_steps_ = 0;
    std::vector<StepRecord>                   steps_;
    std::vector<Snapshot>                     snapshots_;
  };
} // namespace otj
