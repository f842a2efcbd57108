#!/usr/bin/python3
"""Self-test of postprocess/barrier_fits.py: synthetic I-V curves from the three
analytic models with known barriers must be recovered (TE and FN within 1 %, BDR
within 3 %); a factor-2 error in any formula would fail. Run by ctest."""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import barrier_fits as bf  # noqa: E402

failures = []


def check(name, got, want, tol):
    ok = math.isfinite(got) and abs(got / want - 1) <= tol
    print("%-28s recovered %.5g, true %.5g (tolerance %g %%): %s" % (name, got, want, 100 * tol, "ok" if ok else "FAIL"))
    if not ok:
        failures.append(name)


T, area, d, m = 300.0, math.pi * 1e-10, 2.8e-9, 1.0
kT = bf.KB * T
# TE: Phi_B = 0.9 eV, n = 1.3
v = np.linspace(-1, 1, 81)
i = area * 120e4 * T ** 2 * math.exp(-0.9 * bf.Q / kT) * np.expm1(bf.Q * v / (1.3 * kT))
te = bf.fit_thermionic_emission(v, i, area, T, m)
check("TE barrier (eV)", te["barrier_eV"], 0.9, 0.01)
check("TE ideality", te["ideality"], 1.3, 0.01)
# BDR: Phi1 = 0.35, Phi2 = 0.45 eV; I = integral of G(V) from the BDR expansion
a0 = 4 * d * math.sqrt(2 * m * bf.M0) / (3 * bf.HBAR)
phi, dphi = 0.40 * bf.Q, 0.10 * bf.Q
v = np.linspace(-0.3, 0.3, 241)
g = 1e-4 * (1 - a0 * dphi / (16 * phi ** 1.5) * bf.Q * v + 9.0 / 128.0 * a0 ** 2 / phi * (bf.Q * v) ** 2)
i = np.concatenate([[0], np.cumsum(0.5 * (g[1:] + g[:-1]) * np.diff(v))])
i -= np.interp(0.0, v, i)
bdr = bf.fit_bdr(v, i, d, m)
check("BDR Phi1 (eV)", bdr["phi1_eV"], 0.35, 0.03)
check("BDR Phi2 (eV)", bdr["phi2_eV"], 0.45, 0.03)
# FN: Phi = 0.3 eV
b = 4 * math.sqrt(2 * m * bf.M0) * d * (0.3 * bf.Q) ** 1.5 / (3 * bf.HBAR * bf.Q)
v = np.linspace(0.05, 2.0, 80)
i = 1e-6 * v ** 2 * np.exp(-b / v)
fn = bf.fit_fowler_nordheim(v, i, d, m, vmin=0.6)
check("FN barrier (eV)", fn["barrier_eV"], 0.3, 0.01)
sys.exit(1 if failures else 0)
