// One 2D device run distributed over MPI ranks (SPEC sections 3, 4, 6): the
// p4est slab of the layer stack (planar or axisymmetric), the initial state,
// the source waveform through the external circuit, and the outputs (PVTU
// per snapshot with mpi_rank + PVD record, a time-series CSV and a JSON
// summary). It coordinates as the 1D TransientSimulation does and reuses its
// parts: the time control is the same BdfIntegrator (each rank integrates its
// locally owned dofs plus a replicated circuit block; the local-error norm is
// an MPI max, so every rank takes the same steps), the circuit is the same
// ExternalCircuit, the current the same Tsu-Esaki line current, per Pt face
// (parallel/electrode_current.h).
//
// Terminal quantities: the 2D domain is a representative section of the
// electrode (a slab of width W per unit depth, or a disc of radius W). The
// Pt surface charge sigma and the tunnelling current density J are the
// electrode means (Gauss-law charge / contact measure, face currents /
// contact measure), and the terminal current is
//   I = A (J + d sigma / dt),
// A the electrode area of the device, as in 1D (where J and sigma are per
// unit area). For a planar slab this is the current per unit depth times
// the depth A / W.
//
// State vector of the time integration on each rank: the locally owned dofs,
// then the replicated circuit block [sigma / sigma_scale, V_j, I, I_tunnel]
// (as in transient_simulation.h).
#pragma once

#include "circuit/external_circuit.h"
#include "parallel/distributed_drift_diffusion_system.h"
#include "parallel/distributed_newton_solver.h"
#include "parallel/distributed_solution_writer.h"
#include "parallel/electrode_current.h"
#include "simulation/run_parameters.h"
#include "simulation/transient_simulation.h"
#include "time_stepping/bdf_integrator.h"

#include <deal.II/distributed/tria.h>
#include <deal.II/lac/vector.h>

#include <memory>
#include <string>
#include <vector>

namespace otj
{
  class DistributedTransientSimulation
  {
  public:
    /// Builds the 2D mesh and system of p (p.geometry.dimension must be 2) on
    /// the ranks of comm. `quiet` suppresses progress output (rank 0 prints).
    DistributedTransientSimulation(const RunParameters &p, MPI_Comm comm, bool quiet = false);

    /// The full run: initial state, waveform, outputs, summary (collective).
    void run();
    /// Initial state at the waveform's first voltage (as-grown or equilibrium).
    void solve_initial_state();
    /// Integrates the waveform to its end; snapshots (PVTU) at the corners
    /// and output times if write_output.
    void integrate_waveform(bool write_output);

    const DistributedDriftDiffusionSystem<2> &system() const { return *system_; }
    const std::vector<StepRecord> &           steps() const { return steps_; }
    const std::vector<Snapshot> &             snapshots() const { return snapshots_; }
    const IntegratorStatistics &              statistics() const { return integrator_->statistics(); }
    double junction_voltage() const { return u_[n_ + 1]; }
    double terminal_current() const { return u_[n_ + 2]; }
    double tunnel_current() const { return u_[n_ + 3]; }
    /// Vacancies in the domain (per unit depth planar, a number axisymmetric).
    double total_vacancies() const;
    double initial_vacancies() const { return n_initial_; }
    /// Krylov iterations of all Newton solves so far (0 with the direct solver).
    unsigned int krylov_iterations() const { return newton_->statistics().linear_iterations; }
    /// The Pt contact's measure (m per unit depth planar, m^2 axisymmetric).
    double electrode_measure() const { return measure_; }
    /// Mean tunnelling current density (A/m^2) of device state u at V (collective).
    double tunnel_current_density(const DistributedVector &u, double V) const;
    /// Read at V_read with the vacancies frozen: V_read / I (ohm), collective.
    double read_resistance(double V_read);
    /// The Joule heating (disabled unless the run file enables it) and the device's temperature now.
    const JouleHeating &joule_heating() const { return *heating_; }
    double              temperature() const { return p_.device.temperature; }

  private:
    /// One Newton solve at source voltage V; newton: a solver other than the run's.
    NewtonResult solve_at(double V, const DistributedTimeTerm &tt, DistributedVector &u,
                          DistributedNewtonSolver *newton = nullptr);
    NewtonResult solve_step(double t_new, const TimeTerm &tt, dealii::Vector<double> &u);
    void         attach_circuit_block(double Vj);
    void         to_distributed(const dealii::Vector<double> &local, DistributedVector &u) const;
    void         snapshot(const std::string &label);
    void         write_timeseries() const;
    /// stopped: why the run stopped early (empty: it ran to the end)
    void         write_summary(double wall_seconds, const std::string &stopped = "") const;

    RunParameters                                        p_;
    bool                                                 quiet_;
    MPI_Comm                                             comm_;
    bool                                                 root_;
    std::unique_ptr<dealii::parallel::DistributedTriangulationBase<2>> tria_; ///< slab: column-distributed; gmsh: p4est
    std::unique_ptr<DistributedDriftDiffusionSystem<2>>  system_;
    std::unique_ptr<DistributedNewtonSolver>             newton_;
    std::unique_ptr<ElectrodeCurrent>                    electrode_;
    std::unique_ptr<BdfIntegrator>                       integrator_;
    std::unique_ptr<DistributedSolutionWriter<2>>        writer_;
    ExternalCircuit                                      circuit_;
    std::unique_ptr<JouleHeating>                        heating_;
    EnergyAccount                                        energy_;
    unsigned int                                         n_ = 0; ///< locally owned dofs
    double                                               sigma_scale_ = 1, measure_ = 1;
    unsigned int                                         circuit_evaluations_ = 0, equilibrium_newton_ = 0;
    dealii::Vector<double>                               u_; ///< owned dofs + circuit block
    mutable DistributedVector                            work_, history_, frozen_, best_;
    double                                               t_ = 0, n_initial_ = 0;
    std::vector<StepRecord>                              steps_;
    std::vector<Snapshot>                                snapshots_;
  };
} // namespace otj
