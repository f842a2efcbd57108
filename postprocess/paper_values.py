"""The paper's numbers, in one place, for report time only.

Li et al., "Energy-Efficient Artificial Synapses Based on Oxide Tunnel Junctions",
ACS Appl. Mater. Interfaces 11 (2019), doi:10.1021/acsami.9b13434
(`../shared/paper/otj-synapses-2019.md`).

Each entry is (value in the unit named by the key, the paper's own spelling, the panel).
These numbers are compared with simulated ones in the results table and marked on the
figures; they are never passed to a simulation, an input file or a fit (SPEC section 7:
only the calibration set is fitted, by `otj calibrate`, whose targets live in its
parameter file). The scripts that read them: results_table.py, plot_loops.py,
plot_merits.py, plot_protocols.py, uniformity.py, barrier_fits.py.
"""

REFERENCE = "Li et al., ACS Appl. Mater. Interfaces 11 (2019), doi:10.1021/acsami.9b13434"

PAPER = {
    # calibration set (SPEC 7)
    "r_hrs_ohm": (1.8e8, "1.8e8", "Fig. 1b"),
    "r_lrs_ohm": (2.7e4, "2.7e4", "Fig. 1b"),
    "on_off": (6.7e3, "6.7e3", "Fig. 1b"),
    "threshold_20ns_V": (1.8, "1.8", "Fig. 3f, text"),
    # prediction set
    "energy_stm_fJ": (0.026, "0.026", "Fig. 3f"),
    "energy_ltm_fJ": (0.46, "0.46", "Fig. 3f"),
    "read_current_0p9V_nA": (8.5, "8.5", "Fig. 3a"),
    "read_current_3p6V_nA": (65.5, "65.5", "Fig. 3a"),
    "te_barrier_eV": (0.55, "0.55", "Fig. S1a"),
    "dt_barrier_pt_sto_eV": (0.35, "0.35", "Fig. S1b"),
    "dt_barrier_sto_snto_eV": (0.41, "0.41", "Fig. S1b"),
    "fn_barrier_eV": (0.075, "0.075", "Fig. S1b"),
    "retention_s": (1e4, "1e4 (more than)", "Fig. 1f"),
    "h_retained_s": (500.0, "500 (more than)", "Fig. 4h"),
    "window_min_uS": (1.0, "1", "Fig. 3c"),
    "window_max_uS": (10.5, "10.5", "Fig. 3c"),
    "stdp_ltp_A_percent": (96.3, "96.3", "Fig. 3d"),
    "stdp_ltp_tau2_us": (4.4, "4.4", "Fig. 3d"),
    "stdp_ltd_A_percent": (-53.1, "-53.1", "Fig. 3d"),
    "stdp_ltd_tau2_us": (-4.2, "-4.2", "Fig. 3d"),
    "stdp_sym_A_percent": (88.0, "88.0", "Fig. 3e"),
    "stdp_sym_tau3_us": (3.3, "3.3", "Fig. 3e"),
}


def value(key):
    """The paper's number for `key` (in the unit its name gives)."""
    return PAPER[key][0]


def text(key):
    """The paper's spelling of the number for `key`."""
    return PAPER[key][1]
