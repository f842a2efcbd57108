#!/usr/bin/python3
"""End-to-end test of `otj protocols` and plot_protocols.py on a synthetic compact model with
known behaviour (no PDE run): one film slab between the Pt-side layer and the interface,
rates log-linear in V, current I = V g0 exp(2 s), s = w + v.

Checks (each able to fail):
  - exit code 0, protocols.json with the keys the results table reads;
  - EPSC tau1 = 1 / (k0+(0.1 V) + k0- + k1+(0.1 V)), the slab's drain rate at the read bias,
    within 3 % (small-signal: the 0.2 V spike perturbs v by ~1e-3);
  - LTP raises and LTD lowers the conductance (g_max > 1.5 g_min), the NeuroSim fits exist;
  - the STDP starts mid-window (its read within half the window, in ln G, of sqrt(G_min G_max));
  - every CSV and all seven figures are written;
  - the energy of a 20 ns, 1 V spike lies between g0 exp(2 s) V^2 (T + 2 e / 3) of the rest
    state and of the fully charged slab.

Usage: test_protocols_pipeline.py OTJ_BINARY
"""
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
G0 = 1e-8
K = {-3.0: [1e2, 1e6, 0.0, 1e8], 0.0: [1e5, 1e6, 1e-3, 1e-3], 3.0: [1e8, 1e6, 1e9, 1e-3]}


def rate(V, i):
    """Log-linear interpolation of rate i between the nodes (as the compact model does)."""
    nodes = sorted(K)
    for a, b in zip(nodes, nodes[1:]):
        if a <= V <= b:
            ka, kb = max(K[a][i], 1e-12), max(K[b][i], 1e-12)
            return math.exp(math.log(ka) + (math.log(kb) - math.log(ka)) * (V - a) / (b - a))
    raise ValueError(V)


def model():
    vs = [round(-3 + 0.05 * k, 10) for k in range(121)]
    s_nodes = [0.1 * k for k in range(11)]
    return {
        "rate_voltages_V": sorted(K), "film_cells": 1, "rates_per_s": [K[v] for v in sorted(K)],
        "tau_v_s": 1e-6, "kappa": 1.0, "current_voltages_V": vs, "s_nodes": s_nodes,
        "current_A": [[V * G0 * math.exp(2 * s) for s in s_nodes] for V in vs], "read_voltage_V": 0.1,
        "provenance": {"program": "test_protocols_pipeline.py (synthetic)"}}


PRM = """subsection Protocols
  set Compact model = {model}
  set Output directory = {out}
  subsection EPSC
    set Amplitudes (V) = 0.2
  end
  subsection LTP LTD
    set Cycles = 3
  end
  subsection STDP
    set Antisymmetric time differences (s) = -4e-6, -2e-6, -1e-6, 1e-6, 2e-6, 4e-6, 6e-6
    set Symmetric time differences (s) = -3e-6, -1e-6, 0, 1e-6, 3e-6
  end
  subsection Energy
    set Amplitudes (V) = 0.5, 1.0
  end
  subsection Array
    set Retention horizon (s) = 1
  end
end
"""

failures = []


def check(name, ok, detail=""):
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail and not ok else ""))
    if not ok:
        failures.append(name)


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    otj = argv[1]
    with tempfile.TemporaryDirectory(prefix="otj_protocols_") as tmp:
        mpath, out = os.path.join(tmp, "model.json"), os.path.join(tmp, "out")
        with open(mpath, "w") as f:
            json.dump(model(), f)
        prm = os.path.join(tmp, "protocols.prm")
        with open(prm, "w") as f:
            f.write(PRM.format(model=mpath, out=out))
        p = subprocess.run([otj, "protocols", prm], capture_output=True, text=True)
        check("otj protocols exits 0", p.returncode == 0, p.stderr[-500:])
        if p.returncode != 0:
            return 1
        j = json.load(open(os.path.join(out, "protocols.json")))
        for keys in (("ltp_ltd", "g_min_S"), ("ltp_ltd", "g_max_S"), ("array", "H", "retained_time_s"),
                     ("facilitation", "ppf", "shortest_interval_percent"), ("energy", "points")):
            node = j
            for k in keys:
                node = node.get(k) if isinstance(node, dict) else None
            check("protocols.json has %s" % ".".join(keys), node is not None)
        tau = j["epsc"][0]["tau1_s"]
        want = 1 / (rate(0.1, 0) + rate(0.1, 1) + rate(0.1, 2))
        check("EPSC tau1 = 1/(k0+ + k0- + k1+) at 0.1 V", tau is not None and abs(tau / want - 1) < 0.03,
              "tau1 %s, expected %.4g" % (tau, want))
        lt = j["ltp_ltd"]
        check("LTP/LTD window opens (g_max > 1.5 g_min)", lt["g_max_S"] > 1.5 * lt["g_min_S"],
              "%g .. %g" % (lt["g_min_S"], lt["g_max_S"]))
        check("NeuroSim fits present", all(isinstance(lt["neurosim"][b]["A_pulses"], (int, float)) for b in ("ltp", "ltd")))
        # the STDP starts mid-window: its read (the LTP/LTD reads' kind) within half the window
        # (in ln G) of sqrt(G_min G_max)
        st = j.get("stdp", {})
        ini = st.get("initial_state", {})
        half = 0.5 * math.log(lt["g_max_S"] / lt["g_min_S"])
        g0 = ini.get("read_conductance_S")
        check("STDP initial state mid-window", str(ini.get("rule", "")).startswith("mid-window") and g0 is not None and
              abs(math.log(g0) - 0.5 * math.log(lt["g_min_S"] * lt["g_max_S"])) <= half,
              "stdp %s, window %g .. %g" % (json.dumps(st)[:300], lt["g_min_S"], lt["g_max_S"]))
        # energy of the 1 V spike in the rest state (v at equilibrium with 0.1 V, w ~ 0)
        v_rest = rate(0.1, 0) / (rate(0.1, 0) + rate(0.1, 1))
        e1 = [q for q in j["energy"]["points"] if q["amplitude_V"] == 1.0][0]["energy_J"]
        # the 20 ns spike moves v towards k0+(1)/(k0+(1) + k0-): bound the energy between both states
        v_hi = rate(1.0, 0) / (rate(1.0, 0) + rate(1.0, 1))
        base = G0 * (2e-8 + 2e-9 / 3)
        check("energy between the rest and the fully charged slab", base * math.exp(2 * v_rest) * 0.999 < e1 <
              base * math.exp(2 * v_hi) * 1.001, "E %g, bounds %g %g" % (e1, base * math.exp(2 * v_rest),
                                                                          base * math.exp(2 * v_hi)))
        for name in ("epsc", "frequency_peaks", "frequency_traces", "facilitation", "ltp_ltd", "ltp_ltd_lookup",
                     "energy", "array", "array_retention"):
            check("%s.csv written" % name, os.path.exists(os.path.join(out, name + ".csv")))
        p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "plot_protocols.py"), out], capture_output=True,
                           text=True)
        check("plot_protocols.py exits 0", p.returncode == 0, p.stderr[-500:])
        for fig in ("epsc", "frequency", "facilitation", "ltp_ltd", "stdp", "energy", "array"):
            path = os.path.join(out, fig + ".png")
            check("%s.png written" % fig, os.path.exists(path) and os.path.getsize(path) > 5000)
    print("%d check(s) failed" % len(failures) if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
