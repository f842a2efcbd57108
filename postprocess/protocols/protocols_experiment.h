// `otj protocols FILE`: the paper's synaptic protocols on an extracted compact
// model (SPEC 5; Figs. 2a-d, 3c-f, 4): EPSC, EPSC peaks versus frequency,
// PPF/PTP versus interval, LTP/LTD cycling with the NeuroSim nonlinearity and
// CrossSim-style lookup tables, antisymmetric and symmetric STDP with designed
// pre/post waveforms and the paper's fits (eqs. 1, 2), energy per spike, and
// the 5 x 5 letter array. Every protocol writes its CSV into the output
// directory and a block of protocols.json; protocols can be disabled.
#pragma once

#include "protocols/synaptic_protocols.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dealii
{
  class ParameterHandler;
}

namespace otj
{
  struct StdpDesign
  {
    // antisymmetric (Fig. 3d): each neuron's spike is `negative_pulses`
    // negative pulses of increasing amplitude, then one positive pulse
    unsigned int negative_pulses = 6;
    double       negative_width = 1e-7, negative_spacing = 1e-6;
    double       first_negative_fraction = 0.15, last_negative_fraction = 0.9; ///< of |V_th-(negative_width)|
    double       positive_width = 1e-6, positive_fraction = 0.9;               ///< of V_th+(positive_width)
    std::vector<double> antisymmetric_dts;
    // symmetric (Fig. 3e): pre = negative flank, positive centre, negative flank;
    // post = a short positive then negative pulse
    double centre_width = 1e-6, centre_fraction = 0.9; ///< of V_th+(centre_width)
    double flank_width = 2e-6, flank_fraction = 0.9;   ///< of |V_th-(flank_width)|
    double post_width = 1e-7, post_fraction = 0.8;     ///< of the thresholds at post_width
    std::vector<double> symmetric_dts;
    // the initial state: `initial_pulses` set pulses (LTP protocol amplitude and width) from the HRS
    unsigned int initial_pulses = 10;
    bool         initial_mid_window = false; ///< instead: the count nearest to the LTP/LTD window's middle
  };

  class ProtocolsExperiment
  {
  public:
    /// Declares every entry of a protocols file (defaults, ranges, meaning): what
    /// `otj protocols --print-parameters` prints.
    static void declare_parameters(dealii::ParameterHandler &prm);
    explicit ProtocolsExperiment(const std::string &file);
    /// Runs every enabled protocol; returns the number of integrator steps.
    unsigned long run(bool quiet);
    /// Overrides the parameter file's output directory (the benchmark writes elsewhere).
    void set_output_directory(const std::string &d) { output_dir_ = d; }
    /// Runs on this model file instead of the input's `Compact model` (the benchmark's two cases).
    void set_model_file(const std::string &f) { model_file_ = f; }

  private:
    void write_json(const nlohmann::json &j) const;

    std::string      file_, model_file_, output_dir_;
    ProtocolSettings settings_;
    double           criterion_ = 0.1;
    // EPSC
    bool                epsc_enabled_ = true;
    std::vector<double> epsc_amplitudes_{0.2, 0.6, 1.0};
    double              epsc_width_ = 5e-8, epsc_duration_ = 2.5e-5;
    unsigned int        epsc_points_ = 81;
    // frequency
    bool                freq_enabled_ = true;
    double              freq_amplitude_ = 0.6, freq_width_ = 5e-8;
    std::vector<double> frequencies_{0.5e6, 1e6, 2e6, 5e6};
    unsigned int        freq_count_ = 10;
    // PPF / PTP
    bool                ppf_enabled_ = true;
    double              ppf_amplitude_ = 0.6, ppf_width_ = 5e-8;
    std::vector<double> ppf_intervals_;
    // LTP / LTD
    bool         ltp_enabled_ = true;
    double       ltp_set_ = 2.2, ltp_reset_ = -2.5, ltp_width_ = 5e-8, ltp_period_ = 1e-6;
    unsigned int ltp_pulses_ = 20, ltp_cycles_ = 100;
    double       ltp_periodic_tolerance_ = 1e-4;
    double       ltp_jump_tolerance_     = 0.0;
    // STDP
    bool       stdp_enabled_ = true;
    StdpDesign stdp_;
    // energy
    bool                energy_enabled_ = true;
    double              energy_width_   = 2e-8;
    std::vector<double> energy_amplitudes_;
    // array
    bool                       array_enabled_ = true;
    std::vector<LetterProgram> letters_;
    std::vector<double>        array_read_times_{0.0, 2.5e-5};
    double                     retention_horizon_ = 1e4, retention_reference_ = 2.5e-5, retention_criterion_ = 0.5;
  };
} // namespace otj
