#!/usr/bin/python3
"""Barrier extraction from simulated I-V curves, as done in the paper.

Applies the three fits of Li et al., ACS Appl. Mater. Interfaces (2019),
doi:10.1021/acsami.9b13434 (Fig. S1; the method of their ref. 26, Li et al.,
iScience 16, 368 (2019)) to simulated I-V curves, and compares the extracted
barriers with the paper's (SPEC.md sections 5 and 7, "prediction set"):

1. Thermionic emission (TE), HRS I-V, forward branch:
       I = A A** T^2 exp(-q Phi_B / kT) [exp(qV / (n kT)) - 1]
   [Sze & Ng, Physics of Semiconductor Devices, 3rd ed. (Wiley 2007), ch. 3,
   thermionic-emission theory with ideality factor n], with the effective
   Richardson constant A** = 4 pi q m* k^2 / h^3 = 120 (m*/m0) A cm^-2 K^-2
   [Sze & Ng, ch. 3]. Fit of ln I versus V gives n and I_s, then
       Phi_B = (kT/q) ln(A A** T^2 / I_s).
2. Direct tunnelling (DT), LRS I-V at low bias, trapezoidal barrier of
   Brinkman, Dynes and Rowell (BDR), J. Appl. Phys. 41, 1915 (1970):
       G(V)/G(0) = 1 - (A0 dPhi / (16 Phi^(3/2))) eV + (9/128) (A0^2 / Phi) (eV)^2,
       A0 = 4 d sqrt(2 m*) / (3 hbar), Phi = (Phi1 + Phi2)/2, dPhi = Phi2 - Phi1.
   Sign convention (checked numerically against the WKB current of the same
   trapezoid in test_barrier_fits.py): in BDR's formula V > 0 means electrode 2
   (the Phi2 side) positive with respect to electrode 1, i.e. electrons tunnel
   from electrode 1. Here electrode 1 is the top Pt electrode (Phi1 = Pt/STO)
   and electrode 2 the Nb:STO substrate (Phi2 = STO/SNTO). The device's
   positive V is the top electrode positive (SPEC.md section 2), so
   V_device = -V_BDR and
       G(V) = G(0) [1 + (A0 dPhi / (16 Phi^(3/2))) qV + (9/128)(A0^2/Phi)(qV)^2].
   A parabola g0 + g1 V + g2 V^2 is fitted to the numerically differentiated
   G = dI/dV over |V| <= V_max (default 0.1 V: for d = 2.8 nm and barriers near
   0.4 eV, G(0.3 V)/G(0) ~ 7 and the expansion no longer holds; on the WKB
   current of an ideal 0.35/0.45 eV trapezoid the parabola gives 0.34/0.43 eV
   over 0.05 V, 0.29/0.40 eV over 0.1 V, 0.12/0.25 eV over 0.2 V and G(0) < 0
   over 0.3 V), then
       Phi  = (9/128) A0^2 q^2 g0 / g2,   dPhi = 16 Phi^(3/2) g1 / (q A0 g0).
3. Fowler-Nordheim (FN), LRS I-V at high bias [Fowler & Nordheim, Proc. R. Soc.
   Lond. A 119, 173 (1928); in the form of Lenzlinger & Snow, J. Appl. Phys.
   40, 278 (1969)]:
       J = (q^3 E^2 / (8 pi h Phi)) exp(-8 pi sqrt(2 m*) Phi^(3/2) / (3 q h E)),
   with E = V/d: ln(I/V^2) is linear in 1/V with slope
       -4 sqrt(2 m*) d Phi^(3/2) / (3 hbar q) = -A0 Phi^(3/2) / q   (SI, Phi in J).

Polarity assumptions (the paper's Fig. S1 gives no numbers we can read):
TE uses the forward branch of the Pt/Nb:STO Schottky contact, V > 0 (Pt
positive); FN uses V > 0 (electrons injected from Nb:STO into Pt). Both can be
changed with --te-polarity / --fn-polarity.
Automatic fit ranges (override with --te-range / --fn-range): TE from |V| = 0.1 V
over the contiguous run where d ln I/dV stays within 30 % of its maximum (this
stops before series-resistance bending); FN over the contiguous high-|V| run
where the slope of ln(I/V^2) versus 1/V stays within 10 % of its steepest value
(this skips the direct-tunnelling part below the transition voltage).

Input: CSV files with a header holding at least `voltage_V` and `current_A`
(other columns are ignored; lines starting with '#' are skipped), e.g. the
`iv_hrs.csv` and `iv_lrs.csv` written by `otj`.
Output (written atomically): OUT/barrier_fits.json, OUT/barrier_fits.csv,
OUT/barrier_fits.png.
Exit codes: 0 success, 2 bad input (missing file or column, too few points,
currents of the wrong sign where logarithms are taken; the message names the
file and what was expected), 1 anything else. A fit whose model yields no
barrier on well-formed data (e.g. a G(V) that is not an upward parabola) is not
fatal: its message goes to stderr and to the JSON, its values stay empty.

Usage:
  /usr/bin/python3 postprocess/barrier_fits.py --hrs HRS.csv --lrs LRS.csv \\
      --area 3.14159e-10 --thickness 2.8e-9 --temperature 300 --mass 1.0 --out DIR
"""
import argparse
import csv
import hashlib
import io
import json
import math
import os
import sys
import tempfile
import textwrap

import numpy as np

# CODATA 2018 exact / recommended values (SI).
Q = 1.602176634e-19  # elementary charge, C
K_B = 1.380649e-23  # Boltzmann constant, J/K
HBAR = 1.054571817e-34  # reduced Planck constant, J s
M0 = 9.1093837015e-31  # electron mass, kg
RICHARDSON_PER_M0 = 120.0e4  # A m^-2 K^-2 (= 120 A cm^-2 K^-2) per unit m*/m0 [Sze & Ng ch. 3]

# The paper's fitted barriers (Li et al. 2019, section 3.1, Fig. S1).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paper_values  # noqa: E402

PAPER = {"source": paper_values.REFERENCE + ", section 3.1 and Fig. S1"}
PAPER.update({k: paper_values.value(k) for k in ("te_barrier_eV", "dt_barrier_pt_sto_eV",
                                                 "dt_barrier_sto_snto_eV", "fn_barrier_eV")})

MIN_FIT_POINTS = 3


class InputError(Exception):
    """Bad input: the message names the file and what was expected (exit code 2)."""


class ModelError(Exception):
    """Well-formed data on which a model yields no barrier (e.g. a downward BDR parabola). Not fatal:
    main() records the message in the JSON, leaves the values empty and carries on (exit code 0)."""


# --------------------------------------------------------------------------- input

def read_iv(path):
    """Reads columns voltage_V and current_A of a CSV file; returns (V, I) sorted by V.

    Repeated voltages (e.g. a sweep that visits 0 V twice) are averaged."""
    if not os.path.isfile(path):
        raise InputError(f"{path}: file not found (expected a CSV with columns voltage_V,current_A)")
    try:
        with open(path, newline="") as f:
            lines = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read ({e})")
    reader = csv.DictReader(lines)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in ("voltage_V", "current_A") if c not in header]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; expected a header with "
                         f"voltage_V and current_A, found: {', '.join(header) or '(empty file)'}")
    v, i = [], []
    for row_number, row in enumerate(reader, start=2):
        try:
            vv, ii = float(row["voltage_V"]), float(row["current_A"])
        except (TypeError, ValueError):
            raise InputError(f"{path}: data row {row_number}: voltage_V={row.get('voltage_V')!r}, "
                             f"current_A={row.get('current_A')!r} are not both numbers")
        if not (math.isfinite(vv) and math.isfinite(ii)):
            raise InputError(f"{path}: data row {row_number}: non-finite value")
        v.append(vv)
        i.append(ii)
    if len(v) < 2 * MIN_FIT_POINTS:
        raise InputError(f"{path}: {len(v)} data rows; expected at least {2 * MIN_FIT_POINTS}")
    v, i = np.array(v), np.array(i)
    vu, inverse = np.unique(v, return_inverse=True)
    iu = np.bincount(inverse, weights=i) / np.bincount(inverse)
    return vu, iu


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- helpers

def linear_fit(x, y):
    """Least-squares line y = a + b x; returns (a, b, r_squared, rms_residual)."""
    b, a = np.polyfit(x, y, 1)
    res = y - (a + b * x)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(res ** 2)) / ss_tot if ss_tot > 0 else 1.0
    return float(a), float(b), r2, float(np.sqrt(np.mean(res ** 2)))


def linear_window(slope, tolerance):
    """Indices [i0, i1] of the contiguous run around the largest local slope in which
    the slope stays within `tolerance` (fraction) of that maximum."""
    k = int(np.argmax(slope))
    floor = (1.0 - tolerance) * slope[k]
    i0, i1 = k, k
    while i0 > 0 and slope[i0 - 1] >= floor:
        i0 -= 1
    while i1 < len(slope) - 1 and slope[i1 + 1] >= floor:
        i1 += 1
    return i0, i1


def polarity_branch(v, i, polarity):
    """|V| and polarity * I on the branch of the given polarity (+1 or -1), sorted by |V|."""
    sel = polarity * v > 0
    x, y = polarity * v[sel], polarity * i[sel]
    order = np.argsort(x)
    return x[order], y[order]


def require_positive(x, y, path, what):
    bad = y <= 0
    if np.any(bad):
        raise InputError(f"{path}: {what} needs currents of the same sign as the voltage (logarithms are "
                         f"taken), but {int(bad.sum())} point(s) in the fit range are not, e.g. at "
                         f"|V| = {x[bad][0]:.4g} V")


def select_range(x, user_range, path, what):
    lo, hi = user_range
    sel = (x >= lo * (1 - 1e-9)) & (x <= hi * (1 + 1e-9))  # bounds included despite rounding in V
    if sel.sum() < MIN_FIT_POINTS:
        raise InputError(f"{path}: {what}: {int(sel.sum())} point(s) with {lo} V <= |V| <= {hi} V; "
                         f"expected at least {MIN_FIT_POINTS}")
    return sel


# --------------------------------------------------------------------------- TE

def thermionic_emission_current(v, phi_b_eV, n, area, temperature, mass=1.0):
    """I = A A** T^2 exp(-q Phi_B / kT) [exp(qV/(n kT)) - 1]  [Sze & Ng ch. 3]."""
    kt = K_B * temperature / Q
    i_s = area * RICHARDSON_PER_M0 * mass * temperature ** 2 * np.exp(-phi_b_eV / kt)
    return i_s * np.expm1(np.asarray(v) / (n * kt))


def _te_model_log(v, beta):
    """ln[exp(beta V) - 1] for beta V > 0, written stably as beta V + ln(1 - exp(-beta V))."""
    return beta * v + np.log(-np.expm1(-beta * v))


def fit_thermionic_emission(v, i, area, temperature, mass=1.0, polarity=+1, v_range=None,
                            v_min=0.1, slope_tolerance=0.3, path="HRS"):
    """TE fit of the forward branch (sign `polarity`) of an HRS I-V.

    Range: `v_range` = (lo, hi) in |V|, or automatically from |V| >= v_min up to the
    largest |V| at which d ln I / dV is still within `slope_tolerance` of its maximum.
    ln I = ln I_s + ln[exp(qV/(n kT)) - 1] is fitted (the '-1' kept, so the fit is exact
    for TE data down to a few kT/q); the plain straight line through ln I is also reported.
    """
    kt = K_B * temperature / Q
    x, y = polarity_branch(v, i, polarity)
    if v_range is not None:
        sel = select_range(x, v_range, path, "TE fit")
        how = "user"
    else:
        cand = x >= v_min
        if cand.sum() < MIN_FIT_POINTS:
            raise InputError(f"{path}: TE fit: {int(cand.sum())} forward-bias point(s) with |V| >= {v_min} V; "
                             f"expected at least {MIN_FIT_POINTS}")
        require_positive(x[cand], y[cand], path, "TE fit")
        xc, lc = x[cand], np.log(y[cand])
        slope = np.gradient(lc, xc)
        if slope.max() <= 0:
            raise ModelError(f"{path}: TE fit: ln I does not rise with |V| on the forward branch "
                             f"(no exponential region)")
        i0, i1 = linear_window(slope, slope_tolerance)
        if i1 - i0 + 1 < MIN_FIT_POINTS:
            raise ModelError(f"{path}: TE fit: only {i1 - i0 + 1} point(s) in the exponential region; "
                             f"give a range with --te-range")
        sel = np.zeros_like(x, dtype=bool)
        sel[np.flatnonzero(cand)[i0:i1 + 1]] = True
        how = f"auto: |V| >= {v_min} V, local slope of ln I within {100 * slope_tolerance:.0f} % of its maximum"
    xs, ys = x[sel], y[sel]
    require_positive(xs, ys, path, "TE fit")
    ln_i = np.log(ys)

    # 1) straight line ln I = ln I_s + qV/(n kT) (valid for qV >> n kT)
    a_lin, b_lin, r2_lin, _ = linear_fit(xs, ln_i)
    if b_lin <= 0:
        raise ModelError(f"{path}: TE fit: ln I falls with |V| in {xs[0]:.3g}..{xs[-1]:.3g} V")

    # 2) full TE form: for fixed beta = q/(n kT), ln I_s is the mean offset; minimise over beta
    def ssr(beta):
        r = ln_i - _te_model_log(xs, beta)
        return float(np.sum((r - r.mean()) ** 2))

    lo, hi = 0.5 * b_lin, 2.0 * b_lin
    g = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = hi - g * (hi - lo), lo + g * (hi - lo)
    fc, fd = ssr(c), ssr(d)
    for _ in range(100):
        if fc < fd:
            hi, d, fd = d, c, fc
            c = hi - g * (hi - lo)
            fc = ssr(c)
        else:
            lo, c, fc = c, d, fd
            d = lo + g * (hi - lo)
            fd = ssr(d)
    beta = 0.5 * (lo + hi)
    ln_is = float(np.mean(ln_i - _te_model_log(xs, beta)))
    res = ln_i - ln_is - _te_model_log(xs, beta)
    ss_tot = float(np.sum((ln_i - ln_i.mean()) ** 2))
    r2 = 1.0 - float(np.sum(res ** 2)) / ss_tot if ss_tot > 0 else 1.0

    a_rich = RICHARDSON_PER_M0 * mass
    prefactor = area * a_rich * temperature ** 2  # A A** T^2, in A
    phi_b = kt * (math.log(prefactor) - ln_is)  # Phi_B = (kT/q) ln(A A** T^2 / I_s)
    return {
        "phi_B_eV": phi_b,
        "ideality_n": 1.0 / (beta * kt),
        "saturation_current_A": math.exp(ln_is),
        "fit_range_V": [float(polarity * xs[0]), float(polarity * xs[-1])],
        "points": int(len(xs)),
        "r_squared_lnI": r2,
        "rms_residual_lnI": float(np.sqrt(np.mean(res ** 2))),
        "range_selection": how,
        "polarity": "positive" if polarity > 0 else "negative",
        "richardson_constant_A_m2_K2": a_rich,
        "straight_line_fit": {
            "phi_B_eV": kt * (math.log(prefactor) - a_lin),
            "ideality_n": 1.0 / (b_lin * kt),
            "saturation_current_A": math.exp(a_lin),
            "r_squared_lnI": r2_lin,
        },
        "formula": "I = A A** T^2 exp(-q Phi_B/kT) [exp(qV/(n kT)) - 1], A** = 120 (m*/m0) A cm^-2 K^-2 "
                   "[Sze & Ng 2007, ch. 3]",
    }


# --------------------------------------------------------------------------- BDR

def bdr_a0(thickness, mass=1.0):
    """A0 = 4 d sqrt(2 m*) / (3 hbar), in J^-1/2 [Brinkman, Dynes, Rowell 1970]."""
    return 4.0 * thickness * math.sqrt(2.0 * mass * M0) / (3.0 * HBAR)


def bdr_conductance_ratio(v, phi1_eV, phi2_eV, thickness, mass=1.0):
    """G(V)/G(0) of the BDR trapezoidal barrier in the device convention (V > 0: top
    electrode, the Phi1 side, positive; V_device = -V_BDR):
    1 + (A0 dPhi/(16 Phi^1.5)) qV + (9/128)(A0^2/Phi)(qV)^2, dPhi = Phi2 - Phi1."""
    a0 = bdr_a0(thickness, mass)
    phi, dphi = 0.5 * (phi1_eV + phi2_eV) * Q, (phi2_eV - phi1_eV) * Q
    qv = Q * np.asarray(v)
    return 1.0 + a0 * dphi / (16.0 * phi ** 1.5) * qv + 9.0 / 128.0 * a0 ** 2 / phi * qv ** 2


def fit_bdr(v, i, thickness, mass=1.0, v_max=0.1, path="LRS"):
    """BDR fit: parabola through the numerical dI/dV over |V| <= v_max, solved for Phi1
    (top, Pt/STO) and Phi2 (bottom, STO/SNTO) given d and m*."""
    if len(v) < 2 * MIN_FIT_POINTS:
        raise InputError(f"{path}: BDR fit: {len(v)} points; expected at least {2 * MIN_FIT_POINTS}")
    g = np.gradient(i, v, edge_order=2)  # second-order central differences (non-uniform grid)
    sel = np.abs(v) <= v_max * (1 + 1e-9)  # the bound itself is included despite rounding in V
    vs, gs = v[sel], g[sel]
    if sel.sum() < 5 or not (vs.min() < 0 < vs.max()):
        raise InputError(f"{path}: BDR fit: {int(sel.sum())} point(s) with |V| <= {v_max} V; expected at "
                         f"least 5, on both sides of 0 V (the asymmetry needs both polarities)")
    c2, c1, c0 = np.polyfit(vs, gs, 2)
    res = gs - (c0 + c1 * vs + c2 * vs ** 2)
    ss_tot = float(np.sum((gs - gs.mean()) ** 2))
    r2 = 1.0 - float(np.sum(res ** 2)) / ss_tot if ss_tot > 0 else 1.0
    if c0 <= 0 or c2 <= 0:
        raise ModelError(f"{path}: BDR fit: G(V) over |V| <= {v_max} V gives G(0) = {c0:.4g} S and curvature "
                         f"{c2:.4g} S/V^2; the BDR model needs both positive (an upward parabola)")
    a0 = bdr_a0(thickness, mass)
    phi = 9.0 / 128.0 * a0 ** 2 * Q ** 2 * c0 / c2  # J; from g2/g0 = (9/128) A0^2 q^2 / Phi
    dphi = 16.0 * phi ** 1.5 * c1 / (Q * a0 * c0)  # J; from g1/g0 = A0 dPhi q / (16 Phi^1.5)
    phi1, phi2 = (phi - 0.5 * dphi) / Q, (phi + 0.5 * dphi) / Q
    out = {
        "phi1_top_pt_sto_eV": phi1,
        "phi2_bottom_sto_snto_eV": phi2,
        "phi_mean_eV": phi / Q,
        "delta_phi_eV": dphi / Q,
        "G0_S": float(c0),
        "parabola_S": {"g0_S": float(c0), "g1_S_per_V": float(c1), "g2_S_per_V2": float(c2)},
        "fit_range_V": [float(vs.min()), float(vs.max())],
        "v_max_V": v_max,
        "points": int(sel.sum()),
        "rms_residual_S": float(np.sqrt(np.mean(res ** 2))),
        "relative_rms_residual": float(np.sqrt(np.mean(res ** 2)) / c0),
        "r_squared": r2,
        "thickness_m": thickness,
        "mass_ratio": mass,
        "sign_convention": "BDR's V > 0 is electrode 2 (Phi2) positive; here electrode 1 = top Pt (Phi1, Pt/STO), "
                           "electrode 2 = Nb:STO (Phi2, STO/SNTO), device V > 0 = top positive, so V = -V_BDR",
        "formula": "G(V) = G(0)[1 + (A0 dPhi/(16 Phi^1.5)) qV + (9/128)(A0^2/Phi)(qV)^2], A0 = 4 d sqrt(2m*)/(3 hbar) "
                   "[Brinkman, Dynes, Rowell, J. Appl. Phys. 41, 1915 (1970)]",
    }
    # BDR is a small-bias expansion: once the quadratic term is comparable to 1 the parabola's
    # coefficients absorb higher orders. (For an ideal 0.35/0.45 eV, 2.8 nm trapezoid, whose WKB current
    # the self-test fits, this term is 0.16 at 0.05 V, barriers within 4 %; 0.64 at 0.1 V, within 15 %;
    # at 0.2 V the barriers come out halved.)
    quad = float(c2 * v_max ** 2 / c0)
    out["quadratic_term_at_vmax"] = quad
    warnings = []
    if quad > 0.5:
        warnings.append(f"G(V_max)/G(0) - 1 has a quadratic part of {quad:.2f} (> 0.5): outside the small-bias "
                        f"regime of the BDR expansion, the barriers are biased low; try a smaller --bdr-vmax")
    if phi1 <= 0 or phi2 <= 0:
        warnings.append("a barrier came out non-positive: the BDR expansion does not describe this curve")
    if warnings:
        out["warning"] = "; ".join(warnings)
    return out


# The small-bias regime of the BDR expansion, by its own measure: the quadratic part of G(V)/G(0)
# at the edge of the range. For the ideal 0.35 / 0.45 eV, 2.8 nm trapezoid (self-test) it is 0.16 at
# 0.05 V with the barriers within 4 %, 0.64 at 0.1 V with them 15 % low.
BDR_AUTO_QUADRATIC_MAX = 0.25
BDR_AUTO_VMAX_CAP = 0.1


def fit_bdr_auto(v, i, thickness, mass=1.0, path="LRS", quadratic_max=BDR_AUTO_QUADRATIC_MAX,
                 v_cap=BDR_AUTO_VMAX_CAP):
    """BDR fit over the widest |V| <= v_max (at most v_cap, among the curve's voltages) whose
    parabola has a quadratic part c2 v_max^2 / c0 <= quadratic_max, i.e. inside the expansion's
    small-bias regime; the fit is fit_bdr's. Raises fit_bdr's errors when no range qualifies."""
    bounds = sorted({round(float(abs(x)), 12) for x in v if 0 < abs(x) <= v_cap * (1 + 1e-9)}, reverse=True)
    last_error = None
    for vm in bounds:
        try:
            r = fit_bdr(v, i, thickness, mass, v_max=vm, path=path)
        except (InputError, ModelError) as e:
            last_error = e
            break  # fewer points, or no upward parabola, on every smaller range as well
        if r["quadratic_term_at_vmax"] <= quadratic_max:
            r["v_max_selection"] = (f"automatic: the widest |V| <= {v_cap} V with a quadratic part of G/G(0) "
                                    f"<= {quadratic_max} at its edge (the BDR small-bias regime)")
            return r
    if last_error is not None:
        raise last_error
    raise ModelError(f"{path}: BDR fit: no range |V| <= v_max <= {v_cap} V keeps the quadratic part of G/G(0) "
                     f"below {quadratic_max}: the curve is outside the small-bias regime at every sampled voltage; "
                     f"give --bdr-vmax to fit anyway")


# --------------------------------------------------------------------------- FN

def fowler_nordheim_slope(phi_eV, thickness, mass=1.0):
    """Slope of ln(I/V^2) versus 1/V: -4 sqrt(2 m*) d Phi^1.5 / (3 hbar q) = -A0 Phi^1.5 / q (volts)
    [Fowler & Nordheim 1928; Lenzlinger & Snow 1969, with E = V/d]."""
    return -bdr_a0(thickness, mass) * (phi_eV * Q) ** 1.5 / Q


def fit_fowler_nordheim(v, i, thickness, mass=1.0, polarity=+1, v_range=None, slope_tolerance=0.1,
                        path="LRS"):
    """FN fit: straight line through ln(I/V^2) versus 1/V on the branch of sign `polarity`.

    Range: `v_range` = (lo, hi) in |V|, or automatically: the contiguous high-bias run around
    the steepest (most negative) local slope d ln(I/V^2) / d(1/V), within `slope_tolerance`
    of it. Below the transition voltage (the minimum of ln(I/V^2)) the slope is positive
    (direct tunnelling), so that part is excluded."""
    x, y = polarity_branch(v, i, polarity)
    if v_range is not None:
        sel = select_range(x, v_range, path, "FN fit")
        how = "user"
    else:
        if len(x) < MIN_FIT_POINTS:
            raise InputError(f"{path}: FN fit: {len(x)} point(s) of {'positive' if polarity > 0 else 'negative'} "
                             f"voltage; expected at least {MIN_FIT_POINTS}")
        require_positive(x, y, path, "FN fit")
        inv_v, fn = 1.0 / x, np.log(y / x ** 2)
        slope = np.gradient(fn, inv_v)
        if slope.min() >= 0:
            raise ModelError(f"{path}: FN fit: ln(I/V^2) never falls with 1/V (no Fowler-Nordheim regime up to "
                             f"|V| = {x.max():.3g} V)")
        i0, i1 = linear_window(-slope, slope_tolerance)
        if i1 - i0 + 1 < MIN_FIT_POINTS:
            raise ModelError(f"{path}: FN fit: only {i1 - i0 + 1} point(s) in the linear FN region; "
                             f"give a range with --fn-range")
        sel = np.zeros_like(x, dtype=bool)
        sel[i0:i1 + 1] = True
        how = (f"auto: high-|V| run where the slope of ln(I/V^2) vs 1/V is within "
               f"{100 * slope_tolerance:.0f} % of its steepest value")
    xs, ys = x[sel], y[sel]
    require_positive(xs, ys, path, "FN fit")
    a, b, r2, rms = linear_fit(1.0 / xs, np.log(ys / xs ** 2))
    if b >= 0:
        raise ModelError(f"{path}: FN fit: ln(I/V^2) rises with 1/V over {xs[0]:.3g}..{xs[-1]:.3g} V "
                         f"(slope {b:.4g} V); no Fowler-Nordheim barrier")
    phi = (-b * Q / bdr_a0(thickness, mass)) ** (2.0 / 3.0)  # J, from slope = -A0 Phi^1.5 / q
    return {
        "phi_FN_eV": phi / Q,
        "slope_V": b,
        "intercept": a,
        "fit_range_V": [float(polarity * xs[0]), float(polarity * xs[-1])],
        "points": int(len(xs)),
        "r_squared": r2,
        "rms_residual": rms,
        "range_selection": how,
        "polarity": "positive" if polarity > 0 else "negative",
        "thickness_m": thickness,
        "mass_ratio": mass,
        "formula": "ln(I/V^2) = a - 4 sqrt(2m*) d Phi^1.5 / (3 hbar q) / V [Fowler & Nordheim 1928; "
                   "Lenzlinger & Snow, J. Appl. Phys. 40, 278 (1969)]",
    }


# --------------------------------------------------------------------------- output

def write_atomically(path, write):
    """Writes through `write(fileobj)` to a temporary file in the same directory, then renames."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def comparison_rows(te, bdr, fn):
    """One row per barrier; a failed fit (None) gives empty simulated value and ratio."""
    def get(fit, key):
        return fit[key] if fit is not None else None
    rows = [("te_barrier", get(te, "phi_B_eV"), PAPER["te_barrier_eV"]),
            ("dt_barrier_pt_sto", get(bdr, "phi1_top_pt_sto_eV"), PAPER["dt_barrier_pt_sto_eV"]),
            ("dt_barrier_sto_snto", get(bdr, "phi2_bottom_sto_snto_eV"), PAPER["dt_barrier_sto_snto_eV"]),
            ("fn_barrier", get(fn, "phi_FN_eV"), PAPER["fn_barrier_eV"])]
    return [{"name": n, "simulated_eV": s, "paper_eV": p, "ratio": None if s is None else s / p}
            for n, s, p in rows]


def _failed_panel(ax, title, message):
    ax.set_title(title)
    ax.text(0.5, 0.5, "fit failed:\n" + textwrap.fill(message, 50),
            transform=ax.transAxes, ha="center", va="center", fontsize=8, color="tab:red")


def make_figure(hrs, lrs, te, bdr, fn, errors, args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kt = K_B * args.temperature / Q
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.6))
    box = dict(boxstyle="round", fc="white", ec="0.6", alpha=0.9)

    # TE: ln I versus V (forward branch)
    pol = 1 if args.te_polarity == "positive" else -1
    x, y = polarity_branch(*hrs, pol)
    ok = y > 0
    if te is not None:  # show the fit range and as much again
        ok &= x <= 2.0 * max(abs(t) for t in te["fit_range_V"])
    ax[0].plot(pol * x[ok], np.log(y[ok]), "o", ms=3, color="tab:blue", label="simulated HRS")
    ax[0].set_xlabel("V (V)")
    ax[0].set_ylabel("ln |I| (I in A)")
    if te is None:
        _failed_panel(ax[0], "HRS: thermionic emission", errors["thermionic_emission"])
    else:
        lo, hi = sorted(te["fit_range_V"])
        vf = np.linspace(lo, hi, 200)
        ln_fit = np.log(te["saturation_current_A"]) + _te_model_log(pol * vf, 1.0 / (te["ideality_n"] * kt))
        ax[0].plot(vf, ln_fit, "-", color="tab:red", lw=2, label="TE fit")
        ax[0].axvspan(lo, hi, color="0.92", zorder=0)
        ax[0].set_title("HRS: thermionic emission")
        ax[0].text(0.04, 0.96, f"$\\Phi_B$ = {te['phi_B_eV']:.3f} eV, n = {te['ideality_n']:.2f}\n"
                   f"paper: {PAPER['te_barrier_eV']} eV (ratio {te['phi_B_eV'] / PAPER['te_barrier_eV']:.2f})\n"
                   f"$R^2$ = {te['r_squared_lnI']:.4f}", transform=ax[0].transAxes, va="top", fontsize=9, bbox=box)
    ax[0].legend(loc="lower right", fontsize=8)

    # BDR: G(V) with the parabola
    v, i = lrs
    g = np.gradient(i, v, edge_order=2)
    # the fitted range (automatic or given); the cap of the automatic range when the fit failed
    vm = bdr["v_max_V"] if bdr is not None else (args.bdr_vmax or BDR_AUTO_VMAX_CAP)
    show = np.abs(v) <= 2 * vm
    ax[1].plot(v[show], g[show], "o", ms=3, color="tab:purple", label="simulated LRS dI/dV")
    ax[1].set_xlabel("V (V)")
    ax[1].set_ylabel("G = dI/dV (S)")
    ax[1].axvspan(-vm, vm, color="0.92", zorder=0)
    if bdr is None:
        _failed_panel(ax[1], "LRS: direct tunnelling (BDR)", errors["direct_tunnelling_bdr"])
    else:
        vf = np.linspace(-vm, vm, 200)
        p = bdr["parabola_S"]
        ax[1].plot(vf, p["g0_S"] + p["g1_S_per_V"] * vf + p["g2_S_per_V2"] * vf ** 2, "-", color="tab:red",
                   lw=2, label="BDR parabola")
        ax[1].set_title("LRS: direct tunnelling (BDR)")
        ax[1].text(0.04, 0.96,
                   f"$\\Phi_1$ (Pt/STO) = {bdr['phi1_top_pt_sto_eV']:.3f} eV, paper {PAPER['dt_barrier_pt_sto_eV']} "
                   f"(ratio {bdr['phi1_top_pt_sto_eV'] / PAPER['dt_barrier_pt_sto_eV']:.2f})\n"
                   f"$\\Phi_2$ (STO/SNTO) = {bdr['phi2_bottom_sto_snto_eV']:.3f} eV, paper "
                   f"{PAPER['dt_barrier_sto_snto_eV']} (ratio "
                   f"{bdr['phi2_bottom_sto_snto_eV'] / PAPER['dt_barrier_sto_snto_eV']:.2f})\n"
                   f"d = {args.thickness * 1e9:.2f} nm, m*/m0 = {args.mass:g}",
                   transform=ax[1].transAxes, va="top", fontsize=9, bbox=box)
    ax[1].legend(loc="lower right", fontsize=8)

    # FN: ln(I/V^2) versus 1/V
    pol = 1 if args.fn_polarity == "positive" else -1
    x, y = polarity_branch(*lrs, pol)
    ok = y > 0
    if fn is not None:  # show |V| down to half the fit range's lower end
        ok &= x >= 0.5 * min(abs(t) for t in fn["fit_range_V"])
    ax[2].plot(1.0 / x[ok], np.log(y[ok] / x[ok] ** 2), "o", ms=3, color="tab:green", label="simulated LRS")
    ax[2].set_xlabel("1/|V| (1/V)")
    ax[2].set_ylabel("ln(|I|/V$^2$) (A/V$^2$)")
    if fn is None:
        _failed_panel(ax[2], "LRS: Fowler-Nordheim", errors["fowler_nordheim"])
    else:
        lo, hi = sorted(abs(t) for t in fn["fit_range_V"])
        xf = np.linspace(1.0 / hi, 1.0 / lo, 200)
        ax[2].plot(xf, fn["intercept"] + fn["slope_V"] * xf, "-", color="tab:red", lw=2, label="FN fit")
        ax[2].axvspan(1.0 / hi, 1.0 / lo, color="0.92", zorder=0)
        ax[2].set_title(f"LRS: Fowler-Nordheim ({fn['polarity']} V)")
        ax[2].text(0.96, 0.96, f"$\\Phi_{{FN}}$ = {fn['phi_FN_eV']:.3f} eV\n"
                   f"paper: {PAPER['fn_barrier_eV']} eV (ratio {fn['phi_FN_eV'] / PAPER['fn_barrier_eV']:.2f})\n"
                   f"$R^2$ = {fn['r_squared']:.4f}", transform=ax[2].transAxes, va="top", ha="right", fontsize=9,
                   bbox=box)
    ax[2].legend(loc="lower left", fontsize=8)
    fig.suptitle("Barrier fits of simulated I-V (grey: fit ranges); paper: Li et al., ACS AMI 2019, Fig. S1")
    fig.tight_layout()
    return fig


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Thermionic-emission, BDR direct-tunnelling and Fowler-Nordheim barrier fits of simulated "
                    "HRS and LRS I-V curves, compared with Li et al. 2019. Exit code 2 on bad input; a fit "
                    "that yields no barrier is reported in the outputs and does not stop the others.")
    p.add_argument("--hrs", required=True, help="HRS I-V CSV (columns voltage_V, current_A)")
    p.add_argument("--lrs", required=True, help="LRS I-V CSV (columns voltage_V, current_A)")
    p.add_argument("--area", type=float, default=3.14159e-10, help="junction area, m^2 (default: r = 10 um disc)")
    p.add_argument("--thickness", type=float, default=2.8e-9, help="barrier thickness d, m (default 2.8e-9)")
    p.add_argument("--temperature", type=float, default=300.0, help="temperature, K (default 300)")
    p.add_argument("--mass", type=float, default=1.0, help="effective mass m*/m0 (default 1)")
    p.add_argument("--te-mass", type=float, default=None,
                   help="m*/m0 in the Richardson constant A** = 120 m*/m0 A cm^-2 K^-2 (default: --mass)")
    p.add_argument("--te-range", type=float, nargs=2, metavar=("VMIN", "VMAX"),
                   help="TE fit range in |V| (default: automatic)")
    p.add_argument("--te-vmin", type=float, default=0.1, help="lowest |V| of the automatic TE range (default 0.1)")
    p.add_argument("--te-slope-tolerance", type=float, default=0.3,
                   help="automatic TE range: fraction by which d ln I/dV may fall below its maximum (default 0.3)")
    p.add_argument("--te-polarity", choices=("positive", "negative"), default="positive",
                   help="forward-bias branch for TE (default positive: Pt positive)")
    p.add_argument("--bdr-vmax", type=float, default=None,
                   help="BDR parabola over |V| <= this (default: automatic, the widest range up to 0.1 V whose "
                        "parabola keeps the quadratic part of G/G(0) <= 0.25, the expansion's small-bias regime; "
                        "at 0.3 V the expansion fails for 2.8 nm)")
    p.add_argument("--fn-range", type=float, nargs=2, metavar=("VMIN", "VMAX"),
                   help="FN fit range in |V| (default: automatic)")
    p.add_argument("--fn-slope-tolerance", type=float, default=0.1,
                   help="automatic FN range: fraction by which the slope of ln(I/V^2) vs 1/V may fall below its "
                        "steepest value (default 0.1)")
    p.add_argument("--fn-polarity", choices=("positive", "negative"), default="positive",
                   help="LRS branch for the FN fit (default positive)")
    p.add_argument("--out", required=True, help="output directory (created if missing)")
    args = p.parse_args(argv)
    for name in ("area", "thickness", "temperature", "mass", "bdr_vmax", "te_slope_tolerance",
                 "fn_slope_tolerance", "te_vmin"):
        if name == "bdr_vmax" and args.bdr_vmax is None:
            continue  # automatic
        if not getattr(args, name) > 0:
            p.error(f"--{name.replace('_', '-')} must be positive, got {getattr(args, name)}")
    if args.te_mass is None:
        args.te_mass = args.mass
    if not args.te_mass > 0:
        p.error(f"--te-mass must be positive, got {args.te_mass}")
    for name in ("te_range", "fn_range"):
        r = getattr(args, name)
        if r is not None and not 0 <= r[0] < r[1]:
            p.error(f"--{name.replace('_', '-')} needs 0 <= VMIN < VMAX, got {r[0]} {r[1]}")
    return args


def run_fits(hrs, lrs, args):
    """The three fits; a ModelError leaves that fit None and its message in `errors`."""
    fits = {
        "thermionic_emission": lambda: fit_thermionic_emission(
            *hrs, args.area, args.temperature, args.te_mass, polarity=1 if args.te_polarity == "positive" else -1,
            v_range=args.te_range, v_min=args.te_vmin, slope_tolerance=args.te_slope_tolerance, path=args.hrs),
        "direct_tunnelling_bdr": lambda: (fit_bdr(*lrs, args.thickness, args.mass, v_max=args.bdr_vmax,
                                                  path=args.lrs) if args.bdr_vmax is not None
                                          else fit_bdr_auto(*lrs, args.thickness, args.mass, path=args.lrs)),
        "fowler_nordheim": lambda: fit_fowler_nordheim(
            *lrs, args.thickness, args.mass, polarity=1 if args.fn_polarity == "positive" else -1,
            v_range=args.fn_range, slope_tolerance=args.fn_slope_tolerance, path=args.lrs),
    }
    results, errors = {}, {}
    for name, fit in fits.items():
        try:
            results[name] = fit()
        except ModelError as e:
            results[name], errors[name] = None, str(e)
    return results, errors


def main(argv=None):
    args = parse_args(argv)
    try:
        hrs = read_iv(args.hrs)
        lrs = read_iv(args.lrs)
        results, errors = run_fits(hrs, lrs, args)
        os.makedirs(args.out, exist_ok=True)
    except InputError as e:
        print(f"barrier_fits.py: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"barrier_fits.py: error: output directory {args.out}: {e}", file=sys.stderr)
        return 2
    te, bdr, fn = (results[k] for k in ("thermionic_emission", "direct_tunnelling_bdr", "fowler_nordheim"))

    rows = comparison_rows(te, bdr, fn)
    summary = {
        "tool": "postprocess/barrier_fits.py",
        "inputs": {k: {"path": os.path.abspath(p), "sha256": file_sha256(p), "points": int(len(d[0]))}
                   for k, p, d in (("hrs", args.hrs, hrs), ("lrs", args.lrs, lrs))},
        "parameters": {"area_m2": args.area, "thickness_m": args.thickness, "temperature_K": args.temperature,
                       "mass_ratio": args.mass, "te_mass_ratio": args.te_mass, "bdr_vmax_V": args.bdr_vmax if args.bdr_vmax is not None else "automatic",
                       "te_slope_tolerance": args.te_slope_tolerance,
                       "fn_slope_tolerance": args.fn_slope_tolerance},
    }
    for name, fit in results.items():
        summary[name] = fit if fit is not None else {"error": errors[name]}
    summary["paper"] = PAPER
    summary["comparison"] = rows
    text = json.dumps(summary, indent=2) + "\n"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["name", "simulated_eV", "paper_eV", "ratio"])
    for r in rows:
        w.writerow([r["name"], "" if r["simulated_eV"] is None else f"{r['simulated_eV']:.6g}", r["paper_eV"],
                    "" if r["ratio"] is None else f"{r['ratio']:.6g}"])
    fig = make_figure(hrs, lrs, te, bdr, fn, errors, args)

    out = {n: os.path.join(args.out, "barrier_fits." + n) for n in ("json", "csv", "png")}
    write_atomically(out["json"], lambda f: f.write(text.encode()))
    write_atomically(out["csv"], lambda f: f.write(buf.getvalue().encode()))
    write_atomically(out["png"], lambda f: fig.savefig(f, format="png", dpi=110))

    for r in rows:
        if r["simulated_eV"] is None:
            print(f"  {r['name']:<20s} simulated      -      paper {r['paper_eV']:6.3f} eV   (fit failed)")
        else:
            print(f"  {r['name']:<20s} simulated {r['simulated_eV']:8.4f} eV   paper {r['paper_eV']:6.3f} eV   "
                  f"ratio {r['ratio']:.3f}")
    if te is not None:
        print(f"  TE: n = {te['ideality_n']:.3f}, I_s = {te['saturation_current_A']:.3e} A, "
              f"{te['fit_range_V'][0]:.3g}..{te['fit_range_V'][1]:.3g} V, R^2 = {te['r_squared_lnI']:.5f}")
    if bdr is not None:
        print(f"  BDR: G(0) = {bdr['G0_S']:.4e} S, |V| <= {bdr['v_max_V']} V, relative rms residual "
              f"{bdr['relative_rms_residual']:.2e}")
    if fn is not None:
        print(f"  FN: {fn['fit_range_V'][0]:.3g}..{fn['fit_range_V'][1]:.3g} V, R^2 = {fn['r_squared']:.5f}")
    for name, message in errors.items():
        print(f"barrier_fits.py: warning: {name}: {message}", file=sys.stderr)
    for name, fit in results.items():
        if fit is not None and "warning" in fit:
            print(f"barrier_fits.py: warning: {name}: {fit['warning']}", file=sys.stderr)
    for path in out.values():
        print("  wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
