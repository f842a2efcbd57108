#!/usr/bin/python3
"""Self-test of postprocess/results_table.py and postprocess/plot_merits.py.

Builds temporary results directories with synthetic JSON and CSV files of the schemas the
programs write (calibration_check.json, loops.json, barrier_fits.json, merits.json + CSVs,
and the assumed protocols.json), runs both scripts with /usr/bin/python3 and checks:
  - ratios and statuses of the table (a synthetic R_HRS of 3.6e8 ohm gives 2.00, an STM
    energy of 5.2e-17 J gives 0.0520 fJ and 2.00, a missing FN fit gives "no value", ...),
    and the count line;
  - 3-significant-digit formatting;
  - missing inputs give "not run" rows with ratio "-" and exit code 0 (only loops.json; a
    results directory that does not exist);
  - a corrupt JSON (or a JSON that is not an object) gives exit code 2 and a message naming
    the file, for both scripts;
  - plot_merits writes the six PNGs from complete CSVs, and with missing CSVs skips those
    figures with a message and still exits 0.
Exits 1 on any failure. Run from the repository root: /usr/bin/python3 postprocess/test_results_table.py
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "results_table.py")
PLOT = os.path.join(HERE, "plot_merits.py")
PYTHON = "/usr/bin/python3"
DASH = "\u2014"
failures = []

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import results_table as rt  # noqa: E402


def report(name, ok, detail=""):
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail else ""))
    if not ok:
        failures.append(name)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")


def run(script, *args):
    p = subprocess.run([PYTHON, script, *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def read_table(out):
    with open(os.path.join(out, "results_table.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(out, "results_table.md"), encoding="utf-8") as f:
        md = f.read()
    return {r["quantity"]: r for r in rows}, rows, md


# --------------------------------------------------------------------------------------------
# synthetic results


def make_full(root):
    write_json(os.path.join(root, "calibration", "calibration_check.json"), {
        "program": "otj calibrate --check",
        "final": {"HRS resistance (ohm)": 3.6e8, "LRS resistance (ohm)": 2.7e4, "HRS tunnelling share": 0.99,
                  "LRS tunnelling share": 1.0, "threshold pulse dG/G": 0.1006, "ok": True}})
    state = {"resistance_ohm": 3.6e8, "dominant_mechanism": "thermionic-field emission", "thermionic_share": 1e-7,
             "thermionic_field_share": 0.999, "field_emission_share": 1e-3, "mean_energy_eV": 0.3,
             "barrier_top_eV": 1.07, "schottky_emission_share": 0.57, "substrate_barrier_eV": 0.3}
    write_json(os.path.join(root, "loops", "loops.json"), {
        "program": "otj loops", "read_voltage_V": 0.1, "on_off_ratio": 3.6e8 / 1.35e4,
        "HRS": state,
        "LRS": dict(state, resistance_ohm=1.35e4, dominant_mechanism="field emission / direct tunnelling",
                    schottky_emission_share=0.0, substrate_barrier_eV=-0.04),
        "temperature_dependence": {"temperatures_K": [250, 300, 350],
                                   "states": {"HRS": {"activation_energy_eV": 0.255}}}})
    write_json(os.path.join(root, "barriers", "barrier_fits.json"), {
        "tool": "postprocess/barrier_fits.py",
        "thermionic_emission": {"phi_B_eV": 0.55, "ideality_n": 1.6, "fit_range_V": [0.1, 1.0]},
        "direct_tunnelling_bdr": {"phi1_top_pt_sto_eV": 0.35, "phi2_bottom_sto_snto_eV": 0.82,
                                  "warning": "quadratic part 0.82 (> 0.5)"},
        "fowler_nordheim": {"error": "no linear range in the FN plot"}})
    m = os.path.join(root, "merits")
    write_json(os.path.join(m, "merits.json"), {
        "program": "otj merits", "version": "test", "input_file": "x.prm", "device_file": "w.prm",
        "threshold": {"criterion": 0.1, "read_delay_s": 2.5e-5,
                      "points": [{"width_s": 1e-8, "positive_V": 2.3, "negative_V": -2.9,
                                  "positive_evaluations": 7, "negative_evaluations": 8}],
                      "at_20ns": {"positive_V": 1.8, "negative_V": -2.4}},
        "relaxation": {"pulses": [{"amplitude_V": 0.2, "width_s": 5e-8, "tau1_s": 2e-6, "tau2_s": None,
                                   "model": "single", "rms_relative": 0.01},
                                  {"amplitude_V": 1.0, "width_s": 5e-8, "tau1_s": 5e-6, "tau2_s": 1e-7,
                                   "model": "double", "rms_relative": 0.02}],
                       "rc_time_s": 1e-9, "origin": "text"},
        "stm_ltm": {"compliance_A": 1.15e-7, "note": "text",
                    "amplitude": [{"amplitude_V": 0.9, "width_s": 1e-7, "read_current_A": 8.5e-9,
                                   "conductance_S": 8.5e-8, "conductance_25us_S": 4.25e-8},
                                  {"amplitude_V": 3.6, "width_s": 1e-7, "read_current_A": 1.15e-7,
                                   "conductance_S": 2e-6, "conductance_25us_S": 2e-6}],
                    "width": []},
        "energy": {"width_s": 2e-8, "threshold_V": 1.8, "stm_energy_J": 5.2e-17, "ltm_energy_J": 4.6e-17,
                   "stm_amplitude_V": 1.7, "ltm_amplitude_V": 1.9, "points": []},
        "retention": {"read_voltage_V": 0.1, "criterion": "text",
                      "LRS": {"retained_time_s": 5e3, "initial_resistance_ohm": 2.7e4, "final_resistance_ohm": 6e4},
                      "HRS": {"retained_time_s": 1e4, "initial_resistance_ohm": 1.8e8,
                              "final_resistance_ohm": 1.7e8}},
        "endurance": {"cycles": 3, "window_first": 5000, "window_last": 4800}})
    write_csv(os.path.join(m, "threshold_vs_width.csv"),
              ["width_s", "positive_threshold_V", "negative_threshold_V", "positive_evaluations",
               "negative_evaluations"],
              [[1e-8, 2.3, -2.9, 7, 8], [2e-8, 1.8, -2.4, 6, 6], [1e-7, 1.3, "nan", 5, 24], [1e-6, 1.0, "-nan", 5, 24]])
    for tag, A, tau in (("0.2V", 0.2, 2e-6), ("1V", 1.0, 5e-6)):
        rows = []
        for k in range(30):
            t = 1e-9 * 10 ** (k / 5)
            i = A * 1e-7 * (1 + 2 * 2.718281828 ** (-t / tau))
            rows.append([t, i * (1.01 if k % 2 else 0.99), i, 0.12])
        write_csv(os.path.join(m, "relaxation_%s.csv" % tag),
                  ["time_after_pulse_s", "read_current_A", "fit_current_A", "vacancy_centroid_nm"], rows)
    cols = ["amplitude_V", "width_s", "read_current_A", "conductance_S", "conductance_25us_S"]
    write_csv(os.path.join(m, "stm_ltm_amplitude.csv"), cols,
              [[0.9 + 0.3 * k, 1e-7, min(8.5e-9 * 1.3 ** k, 1.15e-7), 8.5e-8 * 1.3 ** k, 6e-8 * 1.3 ** k]
               for k in range(10)])
    write_csv(os.path.join(m, "stm_ltm_width.csv"), cols,
              [[1.5, w, 1e-8 * (1 + k), 1e-7 * (1 + k), 0.8e-7 * (1 + k)]
               for k, w in enumerate((1e-8, 3e-8, 1e-7, 3e-7, 1e-6))])
    write_csv(os.path.join(m, "energy_per_spike.csv"),
              ["amplitude_V", "width_s", "energy_junction_J", "energy_source_J", "energy_paper_formula_J",
               "relative_change", "ltm"],
              [[0.2 * k, 2e-8, 1e-18 * 3 ** k, 1.2e-18 * 3 ** k, 0.8e-18 * 3 ** k, 0.01 * k, int(k >= 9)]
               for k in range(1, 13)])
    write_csv(os.path.join(m, "retention.csv"), ["state", "time_s", "resistance_ohm"],
              [[s, 10 ** (e / 2), R * (1 + 0.01 * e)] for s, R in (("LRS", 2.7e4), ("HRS", 1.8e8))
               for e in range(-4, 9)])
    write_csv(os.path.join(m, "endurance.csv"), ["cycle", "lrs_resistance_ohm", "hrs_resistance_ohm"],
              [[c, 2.7e4, 1.8e8 / c] for c in (1, 2, 3)])
    write_json(os.path.join(root, "protocols", "protocols.json"), {
        "ltp_ltd": {"g_min_S": 2e-6, "g_max_S": 2.1e-5,
                    "neurosim": {"ltp": {"A_pulses": 5.0}, "ltd": {"A_pulses": -3.0}}},
        "stdp": {"antisymmetric": {"ltp": {"A": 192.6, "tau2_s": 2.2e-6}, "ltd": {"A": -26.55, "tau2_s": -8.4e-6}},
                 "symmetric": {"A": 44.0, "tau3_s": 6.6e-6, "warning": "poor fit"}},
        "array": {"H": {"retained_time_s": None, "last_read_on_over_off": 3.0},
                  "C": {"last_read_on_over_off": 1.01}, "N": {"last_read_on_over_off": 1.02}},
        "facilitation": {"ppf": {"shortest_interval_percent": 12.0, "tau_s": 2e-6},
                         "ptp": {"shortest_interval_percent": 30.0, "tau_s": None}},
        "energy": {"stm_energy_J": 0.052e-15}})


# --------------------------------------------------------------------------------------------
# checks


def check_format():
    for x, want in ((2.0, "2.00"), (1.8e8, "1.80e8"), (0.031, "0.0310"), (12.5, "12.5"), (-7.25, "-7.25"),
                    (100.0, "100"), (1e4, "1.00e4"), (6.42e-10, "6.42e-10"), (0.5, "0.500")):
        got = rt.fmt3(x)
        report("fmt3(%r)" % x, got == want, "got %r, want %r" % (got, want))


def check_full(tmp):
    res = os.path.join(tmp, "full")
    make_full(res)
    out = os.path.join(tmp, "full_table")
    code, so, se = run(TABLE, "--results", res, "--out", out)
    report("full: exit code 0", code == 0, "exit %d, stderr %s" % (code, se.strip()[:300]))
    if code != 0:
        return res
    t, rows, md = read_table(out)
    report("full: 37 rows in the CSV", len(rows) == 37, "%d rows" % len(rows))

    def expect(q, sim, ratio, status):
        r = t.get(q)
        if r is None:
            report("full: row %r" % q, False, "missing")
            return
        ok = r["simulated"] == sim and r["ratio"] == ratio and r["status"] == status
        report("full: %s" % q, ok, "simulated %s, ratio %s, %s (want %s, %s, %s)"
               % (r["simulated"], r["ratio"], r["status"], sim, ratio, status))
        return r

    r = expect("R_HRS at 0.1 V (R-V loop)", "3.60e8", "2.00", "within 2x")
    report("full: HRS note names the dominant mechanism", r is not None and "thermionic-field emission" in r["note"])
    report("full: HRS note gives the share over the substrate's Schottky barrier",
           r is not None and "over the Nb:STO Schottky barrier (0.300 eV) and through the film 0.570" in r["note"],
           r["note"] if r else "no row")
    report("full: HRS note gives the read current's activation energy",
           r is not None and "Richardson-plot activation energy 0.255 eV (250-350 K)" in r["note"],
           r["note"] if r else "no row")
    r = expect("R_LRS at 0.1 V (R-V loop)", "1.35e4", "0.500", "within 2x")
    report("full: LRS note says there is no substrate barrier to emit over",
           r is not None and "no Nb:STO Schottky barrier above 3 kT (band edge behind the film -0.0400 eV)" in r["note"]
           and "activation" not in r["note"], r["note"] if r else "no row")
    expect("R_HRS at 0.1 V (calibration check)", "3.60e8", "2.00", "within 2x")
    expect("R_LRS at 0.1 V (calibration check)", "2.70e4", "1.00", "within 2x")
    r = expect("ON/OFF ratio R_HRS/R_LRS", "2.67e4", "3.98", "outside 2x")
    report("full: ON/OFF marked derived", r is not None and "derived" in r["set"])
    r = expect("STM-to-LTM threshold, 20 ns pulses", "1.80", "1.00", "within 2x")
    report("full: threshold note has the negative polarity", r is not None and "-2.40 V" in r["note"])
    r = expect("STM relaxation tau1 (50 ns sub-threshold pulses)", "2.00 (0.200 V), 5.00 (1.00 V)", DASH,
               "no ratio")
    report("full: relaxation note says order us", r is not None and "order us" in r["note"]
           and "within 0.1-25 us: yes" in r["note"])
    expect("energy per spike, STM, 20 ns", "0.0520", "2.00", "within 2x")
    expect("energy per spike, LTM, 20 ns", "0.0460", "0.100", "outside 2x")
    r = expect("read current after a 100 ns spike of 0.9 V", "8.50", "1.00", "within 2x")
    report("full: 0.9 V note has G(25 us)/G", r is not None and "G(25 us)/G(first read) 0.500" in r["note"])
    r = expect("read current after a 100 ns spike of 3.6 V", "115", "1.76", "within 2x")
    report("full: 3.6 V note flags the compliance", r is not None and "compliance" in r["note"])
    expect("TE barrier (HRS I-V)", "0.550", "1.00", "within 2x")
    expect("DT barrier Pt/STO (LRS I-V, BDR)", "0.350", "1.00", "within 2x")
    r = expect("DT barrier STO/SNTO (LRS I-V, BDR)", "0.820", "2.00", "within 2x")
    report("full: BDR warning in the note", r is not None and "quadratic part" in r["note"])
    r = expect("FN barrier (LRS I-V)", "no value", DASH, "no value")
    report("full: FN error in the note", r is not None and "no linear range" in r["note"])
    r = expect("HRS retention time", "1.00e4", "1.00", "within 2x")
    report("full: HRS retention flagged as the run length", r is not None and "whole run" in r["note"])
    r = expect("LRS retention time", "5.00e3", "0.500", "within 2x")
    report("full: LRS retention not flagged as the run length", r is not None and "whole run" not in r["note"])
    expect("letter H retained (5x5 array)", "no value", DASH, "no value")
    expect("LTP/LTD window, lowest conductance", "2.00", "2.00", "within 2x")
    expect("LTP/LTD window, highest conductance", "21.0", "2.00", "within 2x")
    expect("antisymmetric STDP, LTP branch A (eq. 1)", "193", "2.00", "within 2x")
    expect("antisymmetric STDP, LTP branch tau2 (eq. 1)", "2.20", "0.500", "within 2x")
    expect("antisymmetric STDP, LTD branch A (eq. 1)", "-26.6", "0.500", "within 2x")
    expect("antisymmetric STDP, LTD branch tau2 (eq. 1)", "-8.40", "2.00", "within 2x")
    r = expect("symmetric STDP A (eq. 2)", "44.0", "0.500", "within 2x")
    report("full: protocol warning in the note", r is not None and "poor fit" in r["note"])
    expect("symmetric STDP tau3 (eq. 2)", "6.60", "2.00", "within 2x")
    expect("PPF index, shortest interval (0.6 V / 50 ns)", "12.0", DASH, "no ratio")
    expect("PPF decay constant (exponential fit)", "2.00", DASH, "no ratio")
    expect("PTP decay constant (exponential fit)", "no value", DASH, "no value")
    expect("letter C on/off current 25 us after the last pulse", "1.01", DASH, "no ratio")
    expect("letter H on/off current 25 us after the last pulse", "3.00", DASH, "no ratio")
    expect("LTD nonlinearity A (NeuroSim form), compact model", "-3.00", DASH, "no ratio")
    expect("STM energy per 20 ns spike, compact model (last STM amplitude)", "0.0520", "2.00", "within 2x")
    expect("LTM energy per 20 ns spike, compact model (first LTM amplitude)", "not run", DASH, "not run")
    want = "37 rows: 22 simulated within a factor 2, 2 outside, 9 without a ratio, 3 run without a value, 1 not run"
    last = md.rstrip().splitlines()[-1]
    report("full: count line", last == want, repr(last))
    report("full: markdown header explains the sets",
           "calibration set" in md and "prediction set" in md and "never fitted" in md)
    report("full: markdown lists the inputs with modification times",
           md.count("modified ") == 6 and "protocols.json`: modified" in md, "")
    report("full: markdown table row with ratio 2.00",
           any(l.startswith("| R_HRS at 0.1 V (R-V loop) |") and "| 2.00 |" in l for l in md.splitlines()))
    return res


def check_missing(tmp):
    res = os.path.join(tmp, "partial")
    write_json(os.path.join(res, "loops", "loops.json"),
               {"HRS": {"resistance_ohm": 1.8e8}, "LRS": {"resistance_ohm": 2.7e4}})
    out = os.path.join(tmp, "partial_table")
    code, so, se = run(TABLE, "--results", res, "--out", out)
    report("partial: exit code 0", code == 0, "exit %d, stderr %s" % (code, se.strip()[:300]))
    if code != 0:
        return
    t, rows, md = read_table(out)
    r = t["R_HRS at 0.1 V (R-V loop)"]
    report("partial: R_HRS from loops.json", r["simulated"] == "1.80e8" and r["ratio"] == "1.00", str(r))
    r = t["ON/OFF ratio R_HRS/R_LRS"]
    report("partial: ON/OFF derived from loops (1.8e8/2.7e4 = 6.67e3)",
           r["simulated"] == "6.67e3" and r["ratio"] == "0.995", str((r["simulated"], r["ratio"])))
    for q in ("R_HRS at 0.1 V (calibration check)", "STM-to-LTM threshold, 20 ns pulses",
              "STM relaxation tau1 (50 ns sub-threshold pulses)", "energy per spike, STM, 20 ns",
              "read current after a 100 ns spike of 3.6 V", "TE barrier (HRS I-V)", "HRS retention time",
              "symmetric STDP tau3 (eq. 2)"):
        r = t[q]
        report("partial: %s not run" % q, r["simulated"] == "not run" and r["ratio"] == DASH
               and r["status"] == "not run", str((r["simulated"], r["ratio"], r["status"])))
    md_row = [l for l in md.splitlines() if l.startswith("| energy per spike, STM")]
    report("partial: markdown row says not run with ratio dash",
           len(md_row) == 1 and "| not run | " + DASH + " |" in md_row[0], md_row[0] if md_row else "")
    last = md.rstrip().splitlines()[-1]
    want = "37 rows: 3 simulated within a factor 2, 0 outside, 34 not run"
    report("partial: count line", last == want, repr(last))
    report("partial: absent inputs listed", md.count(": absent") == 4)

    # a key missing inside an existing merits.json
    write_json(os.path.join(res, "merits", "merits.json"), {"program": "otj merits", "energy": {"stm_energy_J": None}})
    code, so, se = run(TABLE, "--results", res, "--out", out)
    t, rows, md = read_table(out)
    report("partial merits: null energy is 'no value'", t["energy per spike, STM, 20 ns"]["status"] == "no value")
    report("partial merits: missing key is 'not run'",
           t["energy per spike, LTM, 20 ns"]["simulated"] == "not run"
           and t["STM-to-LTM threshold, 20 ns pulses"]["simulated"] == "not run")

    # no results directory at all
    out2 = os.path.join(tmp, "nothing_table")
    code, so, se = run(TABLE, "--results", os.path.join(tmp, "does_not_exist"), "--out", out2)
    report("nothing: exit code 0", code == 0, "exit %d" % code)
    if code == 0:
        t, rows, md = read_table(out2)
        report("nothing: every row not run", all(r["simulated"] == "not run" for r in rows) and len(rows) == 37)
        report("nothing: count line", md.rstrip().splitlines()[-1] ==
               "37 rows: 0 simulated within a factor 2, 0 outside, 37 not run")


def check_corrupt(tmp):
    for name, text in (("merits/merits.json", '{"threshold": {"at_20ns": '), ("loops/loops.json", "[1, 2]"),
                       ("barriers/barrier_fits.json", "\xff\xfe not json")):
        res = os.path.join(tmp, "corrupt_" + name.split("/")[0])
        make_full(res)
        path = os.path.join(res, name)
        with open(path, "w", encoding="latin-1") as f:
            f.write(text)
        code, so, se = run(TABLE, "--results", res, "--out", os.path.join(tmp, "corrupt_out"))
        report("corrupt %s: table exit code 2 naming the file" % name, code == 2 and path in se,
               "exit %d, stderr %r" % (code, se.strip()[:200]))
    res = os.path.join(tmp, "corrupt_merits")
    code, so, se = run(PLOT, os.path.join(res, "merits"))
    report("corrupt merits.json: plot exit code 2 naming the file",
           code == 2 and os.path.join(res, "merits", "merits.json") in se,
           "exit %d, stderr %r" % (code, se.strip()[:200]))


def check_plots(tmp, full):
    d = os.path.join(full, "merits")
    code, so, se = run(PLOT, d)
    report("plots: exit code 0", code == 0, "exit %d, stderr %s" % (code, se.strip()[-500:]))
    for name in ("threshold_vs_width", "relaxation", "stm_ltm", "energy_per_spike", "retention", "endurance"):
        p = os.path.join(d, name + ".png")
        ok = os.path.exists(p) and os.path.getsize(p) > 1000
        if ok:
            with open(p, "rb") as f:
                ok = f.read(8) == b"\x89PNG\r\n\x1a\n"
        report("plots: %s.png written" % name, ok)
    report("plots: no stray temporary files", not [f for f in os.listdir(d) if f.endswith(".png")
                                                   and not f[:-4] in ("threshold_vs_width", "relaxation", "stm_ltm",
                                                                      "energy_per_spike", "retention", "endurance")])

    # only retention.csv, no merits.json: the others are skipped with a message
    d2 = os.path.join(tmp, "only_retention")
    write_csv(os.path.join(d2, "retention.csv"), ["state", "time_s", "resistance_ohm"],
              [["HRS", 1e-2, 1.8e8], ["HRS", 1e4, 1.7e8], ["LRS", 1e-2, 2.7e4], ["LRS", 1e4, 3e4]])
    code, so, se = run(PLOT, d2)
    report("plots, missing CSVs: exit code 0", code == 0, "exit %d, stderr %s" % (code, se.strip()[-500:]))
    report("plots, missing CSVs: retention.png written", os.path.exists(os.path.join(d2, "retention.png")))
    report("plots, missing CSVs: others skipped with a message",
           so.count("skipped") == 6 and not os.path.exists(os.path.join(d2, "stm_ltm.png")), so.strip())


def check_no_prediction_numbers_in_inputs():
    """SPEC 7: the prediction set never enters code or inputs. The paper's distinctive
    prediction numbers (paper_values.py) must not appear outside comments in the solver,
    the drivers, the materials and the meshes (small generic ones such as 3.3 or 500 are
    not checked: an amplitude of 3.3 V in a sweep is no leak)."""
    import re
    import paper_values
    keys = ("energy_stm_fJ", "energy_ltm_fJ", "read_current_0p9V_nA", "read_current_3p6V_nA", "te_barrier_eV",
            "dt_barrier_pt_sto_eV", "dt_barrier_sto_snto_eV", "fn_barrier_eV", "window_max_uS",
            "stdp_ltp_A_percent", "stdp_ltd_A_percent", "stdp_sym_A_percent")
    pats = {k: re.compile(r"(?<![\w.])%s(?![\w.])" % re.escape(paper_values.text(k).lstrip("-"))) for k in keys}
    root = os.path.dirname(HERE)
    hits = []
    for top in ("solver", "drivers", "materials", "meshes"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in files:
                if not name.endswith((".cc", ".h", ".prm", ".geo", ".json")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, errors="replace") as f:
                    for n, line in enumerate(f, 1):
                        code = re.split(r"//|#", line, 1)[0]
                        for k, pat in pats.items():
                            if pat.search(code):
                                hits.append("%s:%d (%s)" % (os.path.relpath(path, root), n, k))
    report("prediction-set numbers absent from code and inputs", not hits, "; ".join(hits[:10]))


def main():
    check_format()
    check_no_prediction_numbers_in_inputs()
    with tempfile.TemporaryDirectory(prefix="otj_results_table_") as tmp:
        full = check_full(tmp)
        check_missing(tmp)
        check_corrupt(tmp)
        check_plots(tmp, full)
    if failures:
        print("%d check(s) failed: %s" % (len(failures), ", ".join(failures)))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
