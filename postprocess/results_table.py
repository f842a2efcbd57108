#!/usr/bin/python3
"""Results table of SPEC section 7: every number of the paper's calibration set and
prediction set beside the simulated value and the ratio simulated / paper, good or bad.

  /usr/bin/python3 postprocess/results_table.py --results results/paper_device --out results/paper_device

writes OUT/results_table.md and OUT/results_table.csv (atomically). Inputs, each optional
(a missing file or key gives the row "not run", ratio "-"; never a crash):

  RESULTS/calibration/calibration_check.json  otj calibrate --check  (final: R_HRS, R_LRS, threshold dG/G)
  RESULTS/loops/loops.json                    otj loops              (HRS/LRS read at 0.1 V, mechanisms)
  RESULTS/barriers/barrier_fits.json          postprocess/barrier_fits.py (TE, BDR, FN barriers)
  RESULTS/merits/merits.json                  otj merits             (threshold, relaxation, STM->LTM,
                                                                      energy per spike, retention)
  RESULTS/merits/retention.csv                (only to tell whether a retained time is the run length)
  RESULTS/protocols/protocols.json            synaptic protocols; this schema is ASSUMED (not yet written):
      {"ltp_ltd":  {"g_min_S": ..., "g_max_S": ...},
       "stdp":     {"antisymmetric": {"ltp": {"A": ..., "tau2_s": ...}, "ltd": {"A": ..., "tau2_s": ...}},
                    "symmetric":     {"A": ..., "tau3_s": ...}},
       "array":    {"H": {"retained_time_s": ...}}}
      (a "warning" or "error" string in any of these objects goes into the row's note).

A key that is present but null (e.g. a threshold that was not bracketed, a barrier fit that
failed) gives "no value": the run was made and produced no number.

The paper's values (Li et al., ACS Appl. Mater. Interfaces 11, 2019, doi:10.1021/acsami.9b13434)
come from paper_values.py (shared with the figure scripts): they are compared at report time
and never passed to a simulation.

Exit codes: 0 (also when rows are missing), 2 if a JSON file exists but cannot be parsed
(the message names the file) or the output cannot be written.
"""
import argparse
import csv
import datetime
import io
import json
import math
import os
import sys
import tempfile

from paper_values import REFERENCE as PAPER_REF, text as paper_text, value as paper_value

INPUTS = {
    "calibration": os.path.join("calibration", "calibration_check.json"),
    "loops": os.path.join("loops", "loops.json"),
    "barriers": os.path.join("barriers", "barrier_fits.json"),
    "merits": os.path.join("merits", "merits.json"),
    "protocols": os.path.join("protocols", "protocols.json"),
}
RETENTION_CSV = os.path.join("merits", "retention.csv")


class ParseError(Exception):
    pass


class Absent:
    """No value because the file or key is missing ("not run") or the run gave null ("no value")."""

    def __init__(self, status, reason):
        self.status, self.reason = status, reason


def not_run(reason):
    return Absent("not run", reason)


def no_value(reason):
    return Absent("no value", reason)


def fmt3(x):
    """3 significant digits, trailing zeros kept (2.00, 0.0310, 1.80e8)."""
    if x is None or not isinstance(x, (int, float)) or not math.isfinite(x):
        return str(x)
    s = "%#.3g" % x
    if "e" in s:
        mantissa, exponent = s.split("e")
        s = "%se%d" % (mantissa.rstrip("."), int(exponent))
    return s.rstrip(".")


def load_json(path):
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ParseError("%s: cannot parse: %s" % (path, e))
    if not isinstance(data, dict):
        raise ParseError("%s: cannot parse: expected a JSON object at the top level, got %s"
                         % (path, type(data).__name__))
    return data


def lookup(doc, fname, keys):
    """doc[keys[0]][keys[1]]...; Absent if the file or a key is missing or the value is null."""
    if doc is None:
        return not_run("%s absent" % fname)
    node = doc
    for i, k in enumerate(keys):
        if not isinstance(node, dict) or k not in node:
            return not_run("%s: no key %s" % (fname, ".".join(keys[:i + 1])))
        node = node[k]
    if node is None:
        return no_value("%s: %s is null" % (fname, ".".join(keys)))
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        return no_value("%s: %s is not a number (%r)" % (fname, ".".join(keys), node))
    if not math.isfinite(node):
        return no_value("%s: %s is %r" % (fname, ".".join(keys), node))
    return float(node)


def subtree(doc, keys):
    node = doc
    for k in keys:
        if not isinstance(node, dict) or k not in node:
            return None
        node = node[k]
    return node


def warnings_of(doc, keys):
    node = subtree(doc, keys)
    if isinstance(node, dict):
        return [("%s: %s" % (k, node[k])) for k in ("error", "warning") if isinstance(node.get(k), str)]
    return []


def mtime(path):
    t = os.path.getmtime(path)
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


# --------------------------------------------------------------------------------------------
# rows


def row(quantity, set_, panel, unit, paper, paper_text, value, source, note="", scale=1.0, ratio=True):
    """One table row; value is a float (in the source's unit, times scale) or Absent or a str
    (a textual simulated value without ratio)."""
    r = {"quantity": quantity, "set": set_, "panel": panel, "unit": unit, "paper": paper,
         "paper_text": paper_text, "source": source, "notes": [note] if note else []}
    if isinstance(value, Absent):
        r["simulated"], r["simulated_text"], r["ratio"] = None, value.status, None
        r["status"] = value.status
        if value.status == "no value":
            r["notes"].append(value.reason)
    elif isinstance(value, str):
        r["simulated"], r["simulated_text"], r["ratio"], r["status"] = None, value, None, "no ratio"
    else:
        v = value * scale
        r["simulated"], r["simulated_text"] = v, fmt3(v)
        if ratio and paper not in (None, 0):
            q = v / paper
            r["ratio"] = q
            # (a relative 1e-9 so that a ratio printed as 2.00 by rounding of the inputs counts as 2)
            r["status"] = "within 2x" if 0.5 * (1 - 1e-9) <= q <= 2.0 * (1 + 1e-9) else "outside 2x"
        else:
            r["ratio"], r["status"] = None, "no ratio"
    return r


def mechanism_note(loops, state):
    s = subtree(loops, [state])
    if not isinstance(s, dict):
        return ""
    parts = []
    if isinstance(s.get("dominant_mechanism"), str):
        parts.append("dominant: %s" % s["dominant_mechanism"])
    shares = [(k, s.get(k)) for k in ("thermionic_share", "thermionic_field_share", "field_emission_share")]
    shares = [(k.replace("_share", "").replace("_", "-"), v) for k, v in shares if isinstance(v, (int, float))]
    if shares:
        parts.append("shares " + ", ".join("%s %s" % (k, fmt3(v)) for k, v in shares))
    # the part of the thermionic-field share emitted over the Nb:STO depletion region's top, then
    # tunnelling through the film (MIS tunnel diode); only where that barrier is one (> 3 kT)
    if isinstance(s.get("substrate_barrier_eV"), (int, float)) and isinstance(s.get("schottky_emission_share"),
                                                                                 (int, float)):
        if s["schottky_emission_share"] > 0:
            parts.append("over the Nb:STO Schottky barrier (%s eV) and through the film %s"
                         % (fmt3(s["substrate_barrier_eV"]), fmt3(s["schottky_emission_share"])))
        else:
            parts.append("no Nb:STO Schottky barrier above 3 kT (band edge behind the film %s eV)"
                         % fmt3(s["substrate_barrier_eV"]))
    # the independent signature: the activation energy of the read current (Richardson plot)
    ea = subtree(loops, ["temperature_dependence", "states", state, "activation_energy_eV"])
    if isinstance(ea, (int, float)):
        temps = subtree(loops, ["temperature_dependence", "temperatures_K"])
        span = ("%g-%g K" % (min(temps), max(temps))) if isinstance(temps, list) and temps else "T"
        parts.append("Richardson-plot activation energy %s eV (%s)" % (fmt3(ea), span))
    if isinstance(s.get("mean_energy_eV"), (int, float)):
        parts.append("mean energy %s eV" % fmt3(s["mean_energy_eV"]))
    if isinstance(s.get("barrier_top_eV"), (int, float)):
        parts.append("barrier top %s eV" % fmt3(s["barrier_top_eV"]))
    return "; ".join(parts)


def retention_run_end(results):
    """Last read time per state in merits/retention.csv (None if absent or unreadable)."""
    path = os.path.join(results, RETENTION_CSV)
    ends = {}
    try:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                try:
                    t = float(r["time_s"])
                except (KeyError, TypeError, ValueError):
                    continue
                ends[r.get("state")] = max(t, ends.get(r.get("state"), t))
    except OSError:
        return None
    return ends


def build_rows(docs, results):
    cal, loops, bar, mer, pro = (docs[k] for k in ("calibration", "loops", "barriers", "merits", "protocols"))
    F = {k: os.path.basename(p) for k, p in INPUTS.items()}
    rows = []
    C, P = "calibration", "prediction"

    # --- calibration set: resistances at 0.1 V after -4.3 V / +2.2 V writes of ~100 ms (Fig. 1b)
    R_PAPER = (("HRS", paper_value("r_hrs_ohm"), paper_text("r_hrs_ohm")),
               ("LRS", paper_value("r_lrs_ohm"), paper_text("r_lrs_ohm")))
    for state, paper, text in R_PAPER:
        rows.append(row("R_%s at 0.1 V (R-V loop)" % state, C, "Fig. 1b", "ohm", paper, text,
                        lookup(loops, F["loops"], [state, "resistance_ohm"]),
                        "loops.json: %s.resistance_ohm" % state, mechanism_note(loops, state)))
    for state, paper, text in R_PAPER:
        key = "%s resistance (ohm)" % state
        note = ""
        share = lookup(cal, F["calibration"], ["final", "%s tunnelling share" % state])
        if isinstance(share, float):
            note = "tunnelling share %s" % fmt3(share)
        rows.append(row("R_%s at 0.1 V (calibration check)" % state, C, "Fig. 1b", "ohm", paper, text,
                        lookup(cal, F["calibration"], ["final", key]), "calibration_check.json: final.%s" % key,
                        note))

    # ON/OFF, derived from the two calibration values
    hrs = lookup(loops, F["loops"], ["HRS", "resistance_ohm"])
    lrs = lookup(loops, F["loops"], ["LRS", "resistance_ohm"])
    if isinstance(hrs, float) and isinstance(lrs, float) and lrs > 0:
        onoff, src = hrs / lrs, "loops.json: HRS/LRS resistance_ohm"
    else:
        h = lookup(cal, F["calibration"], ["final", "HRS resistance (ohm)"])
        l_ = lookup(cal, F["calibration"], ["final", "LRS resistance (ohm)"])
        if isinstance(h, float) and isinstance(l_, float) and l_ > 0:
            onoff, src = h / l_, "calibration_check.json: final HRS/LRS resistance"
        else:
            onoff, src = (hrs if isinstance(hrs, Absent) else lrs), "loops.json: HRS/LRS resistance_ohm"
    rows.append(row("ON/OFF ratio R_HRS/R_LRS", "calibration (derived)", "Fig. 1b", "-", paper_value("on_off"), paper_text("on_off"), onoff,
                    src, "derived from the two calibration values"))

    # STM -> LTM threshold at 20 ns
    thr = lookup(mer, F["merits"], ["threshold", "at_20ns", "positive_V"])
    notes = []
    neg = lookup(mer, F["merits"], ["threshold", "at_20ns", "negative_V"])
    if isinstance(neg, float):
        notes.append("negative pulses (from the LRS): %s V" % fmt3(neg))
    crit = lookup(mer, F["merits"], ["threshold", "criterion"])
    if isinstance(crit, float):
        notes.append("criterion dG/G %s" % fmt3(crit))
    dgg = lookup(cal, F["calibration"], ["final", "threshold pulse dG/G"])
    if isinstance(dgg, float):
        notes.append("calibration check: dG/G %s after the 1.8 V / 20 ns pulse" % fmt3(dgg))
    rows.append(row("STM-to-LTM threshold, 20 ns pulses", C, "Fig. 3f, text", "V", paper_value("threshold_20ns_V"),
                    paper_text("threshold_20ns_V"), thr,
                    "merits.json: threshold.at_20ns.positive_V", "; ".join(notes)))

    # STM relaxation: of order microseconds, C and N fade within 25 us (no meaningful ratio)
    pulses = subtree(mer, ["relaxation", "pulses"])
    if mer is None:
        relax = not_run("merits.json absent")
        note = "order us"
    elif not isinstance(pulses, list) or not pulses:
        relax = not_run("merits.json: no relaxation.pulses")
        note = "order us"
    else:
        parts, taus = [], []
        for p in pulses:
            t = p.get("tau1_s") if isinstance(p, dict) else None
            a = p.get("amplitude_V") if isinstance(p, dict) else None
            label = ("%s V" % fmt3(a)) if isinstance(a, (int, float)) else "?"
            if isinstance(t, (int, float)) and math.isfinite(t):
                taus.append(t)
                parts.append("%s (%s)" % (fmt3(t * 1e6), label))
            else:
                parts.append("none (%s)" % label)
        relax = ", ".join(parts)
        note = "order us (paper); ratio not meaningful"
        if taus:
            inside = all(1e-7 <= t <= 2.5e-5 for t in taus)
            note += "; every tau1 within 0.1-25 us: %s" % ("yes" if inside else "no")
        models = sorted({p.get("model") for p in pulses if isinstance(p, dict) and isinstance(p.get("model"), str)})
        if models:
            note += "; fit model: %s" % "/".join(models)
    rows.append(row("STM relaxation tau1 (50 ns sub-threshold pulses)", C, "Fig. 2a, S2", "us", None,
                    "order 1 (C, N fade within 25 us)", relax, "merits.json: relaxation.pulses[].tau1_s", note))

    # --- prediction set
    # energies per spike at 20 ns
    for kind, paper, text in (("stm", paper_value("energy_stm_fJ"), paper_text("energy_stm_fJ")),
                              ("ltm", paper_value("energy_ltm_fJ"), paper_text("energy_ltm_fJ"))):
        notes = []
        amp = lookup(mer, F["merits"], ["energy", "%s_amplitude_V" % kind])
        if isinstance(amp, float):
            notes.append("at %s V (%s)" % (fmt3(amp), "largest STM amplitude" if kind == "stm"
                                            else "smallest LTM amplitude"))
        ep = lookup(mer, F["merits"], ["energy", "%s_energy_paper_formula_J" % kind])
        if isinstance(ep, float):
            notes.append("paper's V I t estimate: %s fJ" % fmt3(ep * 1e15))
        rows.append(row("energy per spike, %s, 20 ns" % kind.upper(), P, "Fig. 3f", "fJ", paper, text,
                        lookup(mer, F["merits"], ["energy", "%s_energy_J" % kind]),
                        "merits.json: energy.%s_energy_J" % kind, "; ".join(notes), scale=1e15))

    # read currents after 100 ns spikes of 0.9 and 3.6 V
    amp_list = subtree(mer, ["stm_ltm", "amplitude"])
    compliance = lookup(mer, F["merits"], ["stm_ltm", "compliance_A"])
    for A, paper, text in ((0.9, paper_value("read_current_0p9V_nA"), paper_text("read_current_0p9V_nA")),
                           (3.6, paper_value("read_current_3p6V_nA"), paper_text("read_current_3p6V_nA"))):
        src = "merits.json: stm_ltm.amplitude[amplitude_V=%g].read_current_A" % A
        notes = []
        if mer is None:
            value = not_run("merits.json absent")
        elif not isinstance(amp_list, list):
            value = not_run("merits.json: no stm_ltm.amplitude")
        else:
            hit = [e for e in amp_list if isinstance(e, dict) and isinstance(e.get("amplitude_V"), (int, float))
                   and abs(e["amplitude_V"] - A) < 1e-6]
            if not hit:
                value = not_run("merits.json: no stm_ltm.amplitude entry at %g V" % A)
            else:
                e = hit[0]
                value = lookup(e, F["merits"], ["read_current_A"])
                w = e.get("width_s")
                if isinstance(w, (int, float)) and abs(w / 1e-7 - 1) > 1e-3:
                    notes.append("spike width %s s, not 100 ns" % fmt3(w))
                if isinstance(value, float) and isinstance(compliance, float) and compliance > 0 \
                        and value >= compliance * (1 - 1e-9):
                    notes.append("at the %s nA compliance" % fmt3(compliance * 1e9))
                g1, g2 = e.get("conductance_S"), e.get("conductance_25us_S")
                if isinstance(g1, (int, float)) and isinstance(g2, (int, float)) and g1 > 0:
                    notes.append("G(25 us)/G(first read) %s" % fmt3(g2 / g1))
        rows.append(row("read current after a 100 ns spike of %g V" % A, P, "Fig. 3a", "nA", paper, text, value,
                        src, "; ".join(notes), scale=1e9))

    # barriers from the paper's fits applied to the simulated I-V
    bar_rows = (
        ("TE barrier (HRS I-V)", paper_value("te_barrier_eV"), paper_text("te_barrier_eV"), ["thermionic_emission", "phi_B_eV"], "Fig. S1a"),
        ("DT barrier Pt/STO (LRS I-V, BDR)", paper_value("dt_barrier_pt_sto_eV"), paper_text("dt_barrier_pt_sto_eV"), ["direct_tunnelling_bdr", "phi1_top_pt_sto_eV"],
         "Fig. S1b"),
        ("DT barrier STO/SNTO (LRS I-V, BDR)", paper_value("dt_barrier_sto_snto_eV"),
         paper_text("dt_barrier_sto_snto_eV"), ["direct_tunnelling_bdr", "phi2_bottom_sto_snto_eV"],
         "Fig. S1b"),
        ("FN barrier (LRS I-V)", paper_value("fn_barrier_eV"), paper_text("fn_barrier_eV"), ["fowler_nordheim", "phi_FN_eV"], "Fig. S1b"),
    )
    for name, paper, text, keys, panel in bar_rows:
        value = lookup(bar, F["barriers"], keys)
        notes = warnings_of(bar, keys[:1])
        fit = subtree(bar, keys[:1])
        if isinstance(fit, dict):
            if isinstance(value, Absent) and "error" in fit:
                value = no_value("fit failed")
            if keys[0] == "thermionic_emission" and isinstance(fit.get("ideality_n"), (int, float)):
                notes.insert(0, "ideality n %s" % fmt3(fit["ideality_n"]))
            rng = fit.get("fit_range_V")
            if isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, (int, float)) for v in rng):
                notes.insert(0, "fit %s..%s V" % (fmt3(rng[0]), fmt3(rng[1])))
        rows.append(row(name, P, panel, "eV", paper, text, value, "barrier_fits.json: %s" % ".".join(keys),
                        "; ".join(notes)))

    # retention of HRS and LRS
    ends = retention_run_end(results)
    for state in ("HRS", "LRS"):
        value = lookup(mer, F["merits"], ["retention", state, "retained_time_s"])
        notes = []
        r0 = lookup(mer, F["merits"], ["retention", state, "initial_resistance_ohm"])
        r1 = lookup(mer, F["merits"], ["retention", state, "final_resistance_ohm"])
        if isinstance(r0, float) and isinstance(r1, float):
            notes.append("R %s -> %s ohm" % (fmt3(r0), fmt3(r1)))
        if isinstance(value, float) and ends and isinstance(ends.get(state), float) \
                and value >= ends[state] * (1 - 1e-9):
            notes.append("kept over the whole run (a lower bound)")
        if isinstance(value, float):
            notes.append("criterion: within 2x of the first read")
        rows.append(row("%s retention time" % state, P, "Fig. 1f", "s", paper_value("retention_s"), paper_text("retention_s"), value,
                        "merits.json: retention.%s.retained_time_s" % state, "; ".join(notes)))

    # protocols (compact model): H retention, LTP/LTD window, STDP constants
    def prow(name, panel, unit, paper, text, keys, scale=1.0):
        value = lookup(pro, F["protocols"], keys)
        rows.append(row(name, P, panel, unit, paper, text, value, "protocols.json: %s" % ".".join(keys),
                        "; ".join(warnings_of(pro, keys[:-1])), scale=scale))

    prow("letter H retained (5x5 array)", "Fig. 4h", "s", paper_value("h_retained_s"), paper_text("h_retained_s"),
         ["array", "H", "retained_time_s"])
    if subtree(pro, ["array", "H", "retained_to_horizon"]) is True:
        rows[-1]["notes"].append("kept over the whole run (a lower bound)")
    prow("LTP/LTD window, lowest conductance", "Fig. 3c", "uS", paper_value("window_min_uS"), paper_text("window_min_uS"),
         ["ltp_ltd", "g_min_S"], 1e6)
    prow("LTP/LTD window, highest conductance", "Fig. 3c", "uS", paper_value("window_max_uS"), paper_text("window_max_uS"),
         ["ltp_ltd", "g_max_S"], 1e6)
    prow("antisymmetric STDP, LTP branch A (eq. 1)", "Fig. 3d", "%", paper_value("stdp_ltp_A_percent"), paper_text("stdp_ltp_A_percent"),
         ["stdp", "antisymmetric", "ltp", "A"])
    prow("antisymmetric STDP, LTP branch tau2 (eq. 1)", "Fig. 3d", "us", paper_value("stdp_ltp_tau2_us"), paper_text("stdp_ltp_tau2_us"),
         ["stdp", "antisymmetric", "ltp", "tau2_s"], 1e6)
    prow("antisymmetric STDP, LTD branch A (eq. 1)", "Fig. 3d", "%", paper_value("stdp_ltd_A_percent"), paper_text("stdp_ltd_A_percent"),
         ["stdp", "antisymmetric", "ltd", "A"])
    prow("antisymmetric STDP, LTD branch tau2 (eq. 1)", "Fig. 3d", "us", paper_value("stdp_ltd_tau2_us"), paper_text("stdp_ltd_tau2_us"),
         ["stdp", "antisymmetric", "ltd", "tau2_s"], 1e6)
    prow("symmetric STDP A (eq. 2)", "Fig. 3e", "%", paper_value("stdp_sym_A_percent"), paper_text("stdp_sym_A_percent"),
         ["stdp", "symmetric", "A"])
    prow("symmetric STDP tau3 (eq. 2)", "Fig. 3e", "us", paper_value("stdp_sym_tau3_us"), paper_text("stdp_sym_tau3_us"),
         ["stdp", "symmetric", "tau3_s"], 1e6)
    err = lookup(pro, F["protocols"], ["stdp", "error"])
    if isinstance(err, str):
        for r in rows[-6:]:
            r["notes"].append(err)
    # protocols without a number in the paper's text: simulated value, no ratio
    prow("PPF index, shortest interval (0.6 V / 50 ns)", "Fig. 2d", "%", None, "decays over us",
         ["facilitation", "ppf", "shortest_interval_percent"])
    prow("PPF decay constant (exponential fit)", "Fig. 2d", "us", None, "of order us",
         ["facilitation", "ppf", "tau_s"], 1e6)
    prow("PTP index, shortest interval (0.6 V / 50 ns)", "Fig. 2d", "%", None, "decays over us",
         ["facilitation", "ptp", "shortest_interval_percent"])
    prow("PTP decay constant (exponential fit)", "Fig. 2d", "us", None, "of order us",
         ["facilitation", "ptp", "tau_s"], 1e6)
    for L in ("C", "N"):
        prow("letter %s on/off current 25 us after the last pulse" % L, "Fig. 4e,g", "-", None, "faded (~1)",
             ["array", L, "last_read_on_over_off"])
    prow("letter H on/off current 25 us after the last pulse", "Fig. 4f", "-", None, "kept (> 1)",
         ["array", "H", "last_read_on_over_off"])
    prow("LTP nonlinearity A (NeuroSim form), compact model", "Fig. 3c", "pulses", None, "-",
         ["ltp_ltd", "neurosim", "ltp", "A_pulses"])
    prow("LTD nonlinearity A (NeuroSim form), compact model", "Fig. 3c", "pulses", None, "-",
         ["ltp_ltd", "neurosim", "ltd", "A_pulses"])
    prow("STM energy per 20 ns spike, compact model (last STM amplitude)", "Fig. 3f", "fJ", paper_value("energy_stm_fJ"),
         paper_text("energy_stm_fJ"), ["energy", "stm_energy_J"], 1e15)
    prow("LTM energy per 20 ns spike, compact model (first LTM amplitude)", "Fig. 3f", "fJ", paper_value("energy_ltm_fJ"),
         paper_text("energy_ltm_fJ"), ["energy", "ltm_energy_J"], 1e15)
    return rows


# --------------------------------------------------------------------------------------------
# output


def count_line(rows):
    n = {s: sum(1 for r in rows if r["status"] == s) for s in
         ("within 2x", "outside 2x", "no ratio", "no value", "not run")}
    parts = ["%d simulated within a factor 2" % n["within 2x"], "%d outside" % n["outside 2x"]]
    if n["no ratio"]:
        parts.append("%d without a ratio" % n["no ratio"])
    if n["no value"]:
        parts.append("%d run without a value" % n["no value"])
    parts.append("%d not run" % n["not run"])
    return "%d rows: %s" % (len(rows), ", ".join(parts))


def md_escape(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def markdown(rows, inputs, results):
    out = io.StringIO()
    w = out.write
    w("# Results table: simulated versus paper\n\n")
    w("Paper: " + PAPER_REF + ". The **calibration set** (R_HRS and R_LRS at 0.1 V after the -4.3 V / +2.2 V writes, "
      "the STM-to-LTM threshold of 1.8 V for 20 ns pulses, STM relaxation of order microseconds) are the "
      "numbers the material parameters may be fitted to, by the documented fit that `otj calibrate` runs. "
      "The **prediction set** (energies per spike, read currents after 100 ns spikes, barrier heights from "
      "the paper's fits applied to simulated I-V curves, retention, LTP/LTD window, STDP constants) must "
      "follow from the calibrated model: these numbers are never fitted, tuned one by one, or written into "
      "code or inputs (SPEC section 7); the paper's values enter only here, at report time. Ratio = "
      "simulated / paper; a row is \"within a factor 2\" if 0.5 <= ratio <= 2. \"not run\": the input "
      "file or key is missing; \"no value\": the run was made but gave no number (null, failed fit). "
      "Numbers have 3 significant digits.\n\n")
    w("Inputs (results directory `%s`):\n\n" % results)
    for path, stamp in inputs:
        w("- `%s`: %s\n" % (path, stamp))
    w("\n")
    cols = ["quantity", "set", "source panel", "unit", "paper", "simulated", "simulated / paper", "from",
            "note"]
    w("| " + " | ".join(cols) + " |\n")
    w("|" + "|".join(["---"] * len(cols)) + "|\n")
    for r in rows:
        cells = [r["quantity"], r["set"], r["panel"], r["unit"], r["paper_text"], r["simulated_text"],
                 fmt3(r["ratio"]) if r["ratio"] is not None else "\u2014", r["source"], "; ".join(r["notes"])]
        w("| " + " | ".join(md_escape(c) for c in cells) + " |\n")
    w("\n%s\n" % count_line(rows))
    return out.getvalue()


def csv_text(rows):
    out = io.StringIO()
    wr = csv.writer(out, lineterminator="\n")
    wr.writerow(["quantity", "set", "panel", "unit", "paper", "simulated", "ratio", "status", "source", "note"])
    for r in rows:
        wr.writerow([r["quantity"], r["set"], r["panel"], r["unit"], r["paper_text"], r["simulated_text"],
                     fmt3(r["ratio"]) if r["ratio"] is not None else "\u2014", r["status"], r["source"],
                     "; ".join(r["notes"])])
    return out.getvalue()


def write_atomically(path, text):
    d = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=d, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--results", required=True, help="results directory of one device (e.g. results/paper_device)")
    p.add_argument("--out", required=True, help="directory of results_table.{md,csv} (created if missing)")
    args = p.parse_args(argv)

    if not os.path.isdir(args.results):
        print("results_table.py: warning: results directory %s does not exist: every row is 'not run'"
              % args.results, file=sys.stderr)
    docs, inputs = {}, []
    try:
        for key, rel in INPUTS.items():
            path = os.path.join(args.results, rel)
            docs[key] = load_json(path)
            inputs.append((path, ("modified " + mtime(path)) if os.path.exists(path) else "absent"))
    except ParseError as e:
        print("results_table.py: error: %s" % e, file=sys.stderr)
        return 2
    ret = os.path.join(args.results, RETENTION_CSV)
    if docs["merits"] is not None and os.path.exists(ret):
        inputs.append((ret, "modified " + mtime(ret)))

    rows = build_rows(docs, args.results)
    try:
        os.makedirs(args.out, exist_ok=True)
        md_path = os.path.join(args.out, "results_table.md")
        csv_path = os.path.join(args.out, "results_table.csv")
        write_atomically(md_path, markdown(rows, inputs, args.results))
        write_atomically(csv_path, csv_text(rows))
    except OSError as e:
        print("results_table.py: error: cannot write to %s: %s" % (args.out, e), file=sys.stderr)
        return 2

    width = max(len(r["quantity"]) for r in rows)
    for r in rows:
        ratio = fmt3(r["ratio"]) if r["ratio"] is not None else "-"
        print("  %-*s  paper %-12s simulated %-12s ratio %s" % (width, r["quantity"], r["paper_text"][:12],
                                                                r["simulated_text"][:12], ratio))
    print("  " + count_line(rows))
    print("  wrote %s and %s" % (md_path, csv_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
