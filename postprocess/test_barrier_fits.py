#!/usr/bin/python3
"""Self-test of postprocess/barrier_fits.py (ctest: Postprocess.BarrierFits).

Synthetic I-V curves with known barriers are generated from the analytic models and
the script's fit functions must recover them:
  - thermionic emission, I = A A** T^2 exp(-q Phi_B/kT)[exp(qV/(n kT)) - 1]
    [Sze & Ng, Physics of Semiconductor Devices, 3rd ed. (2007), ch. 3]:
    Phi_B = 0.9 eV, n = 1.3, within 2 %; also with a series resistance that bends the
    curve at high bias (the automatic range must stop before the bend), within 2 %;
  - Brinkman-Dynes-Rowell conductance [J. Appl. Phys. 41, 1915 (1970)], integrated
    numerically to I(V): Phi1 = 0.35 eV (top), Phi2 = 0.45 eV (bottom), d = 2.8 nm,
    within 5 %;
  - Fowler-Nordheim, ln(I/V^2) = a - 4 sqrt(2m*) d Phi^1.5/(3 hbar q V) [Fowler &
    Nordheim, Proc. R. Soc. A 119, 173 (1928); Lenzlinger & Snow, J. Appl. Phys. 40,
    278 (1969)]: Phi = 0.3 eV, within 2 %, on a pure FN curve and on a curve with an
    ohmic (direct-tunnelling-like) part at low bias that the automatic range must skip;
  - the BDR sign convention, independently of the BDR formula: the T = 0 WKB current
    of a trapezoidal barrier [Simmons, J. Appl. Phys. 34, 1793 (1963), eq. 1 with the
    WKB transmission], 0.35 eV at the top electrode and 0.45 eV at the bottom, device
    V > 0 = top positive, fitted over |V| <= 0.05 V, must give Phi1 < Phi2 (each within
    10 %: BDR is a small-bias expansion of that current);
  - negative controls: data with a factor-2 different barrier, or a factor-2 wrong
    thickness, must fail the same tolerance;
  - main(): outputs written; exit code 2 with a message naming the file on bad input;
    a fit whose model yields no barrier is reported (JSON "error") without stopping the others.
Exits 1 on any failure. Runs in a few seconds.
"""
import contextlib
import io
import json
import math
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import barrier_fits as bf  # noqa: E402

T, AREA, D, MASS = 300.0, 3.14159e-10, 2.8e-9, 1.0
KT = bf.K_B * T / bf.Q  # eV
failures = []


def report(name, ok, detail):
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    if not ok:
        failures.append(name)


def within(got, want, tol):
    return math.isfinite(got) and abs(got / want - 1.0) <= tol


def check(name, got, want, tol):
    ok = within(got, want, tol)
    report(name, ok, f"recovered {got:.5g}, true {want:.5g}, error {100 * (got / want - 1):+.3f} % "
                     f"(tolerance {100 * tol:g} %)")
    # the check itself must reject a factor-2 error
    if within(2.0 * want, want, tol) or within(0.5 * want, want, tol):
        report(name + " (factor-2 sensitivity)", False, "tolerance too loose")


def check_fails(name, got, want, tol):
    """Negative control: `got` comes from wrong data or a wrong parameter and must NOT pass."""
    ok = not within(got, want, tol)
    report(name, ok, f"got {got:.5g} against {want:.5g}: {'rejected' if ok else 'wrongly accepted'}")


# ----------------------------------------------------------------- synthetic curves

def te_curve(phi_b, n, r_series=0.0):
    """TE current on a junction-voltage grid; with a series resistance V = V_j + I R."""
    vj = np.linspace(-0.6, 0.8, 141)
    i = bf.thermionic_emission_current(vj, phi_b, n, AREA, T, MASS)
    return vj + i * r_series, i


def bdr_curve(phi1, phi2, d=D, g0=3.7e-5):
    """I(V) = integral from 0 of G(0) G(V)/G(0) (BDR, device convention), by the trapezoidal rule on a
    fine grid, then sampled every 10 mV."""
    vf = np.linspace(-0.5, 0.5, 10001)
    g = g0 * bf.bdr_conductance_ratio(vf, phi1, phi2, d, MASS)
    i = np.concatenate([[0.0], np.cumsum(0.5 * (g[1:] + g[:-1]) * np.diff(vf))])
    i -= i[len(vf) // 2]  # I(0) = 0
    return vf[::100], i[::100]


def fn_curve(phi, g_ohmic=0.0):
    """I = C V^2 exp(b/V) (b = FN slope < 0) for both polarities, plus an optional ohmic part."""
    b = bf.fowler_nordheim_slope(phi, D, MASS)
    vp = np.linspace(0.05, 3.0, 119)
    ip = 1e-4 * vp ** 2 * np.exp(b / vp) + g_ohmic * vp
    return np.concatenate([-vp[::-1], vp]), np.concatenate([-ip[::-1], ip])


def wkb_trapezoid_current(v_device, phi_top, phi_bottom, d=D, mass=MASS):
    """T = 0 current density through a trapezoidal barrier, WKB transmission [Simmons 1963, eq. 1]:
    J = (4 pi m q / h^3) Int dE_x D(E_x) xi(E_x). Top electrode at x = 0 (barrier phi_top above its
    Fermi level), bottom at x = d. Device V > 0: top positive, so the bottom's Fermi level lies qV above
    the top's and electrons tunnel bottom -> top; the sign of J follows the device current."""
    x = np.linspace(0.0, d, 401)
    m = mass * bf.M0
    # energies relative to the top electrode's Fermi level; the bottom's is at +qV
    u = (phi_top + (phi_bottom - phi_top + v_device) * x / d) * bf.Q  # barrier tilts with the bias
    ef_hi = max(0.0, v_device) * bf.Q
    ef_lo = min(0.0, v_device) * bf.Q
    e = np.linspace(-2.0 * bf.Q, ef_hi, 3001)
    kappa = np.sqrt(2.0 * m * np.clip(u[None, :] - e[:, None], 0.0, None)) / bf.HBAR
    tr = np.exp(-2.0 * np.trapz(kappa, x, axis=1))
    xi = np.where(e < ef_lo, ef_hi - ef_lo, np.where(e < ef_hi, ef_hi - e, 0.0))
    h = 2.0 * math.pi * bf.HBAR
    return math.copysign(4.0 * math.pi * m * bf.Q / h ** 3 * np.trapz(tr * xi, e), v_device)


# ----------------------------------------------------------------- checks

def test_thermionic_emission():
    v, i = te_curve(0.9, 1.3)
    te = bf.fit_thermionic_emission(v, i, AREA, T, MASS)
    check("TE Phi_B (eV)", te["phi_B_eV"], 0.9, 0.02)
    check("TE ideality n", te["ideality_n"], 1.3, 0.02)
    i_s = AREA * bf.RICHARDSON_PER_M0 * MASS * T ** 2 * math.exp(-0.9 / KT)
    check("TE I_s (A)", te["saturation_current_A"], i_s, 0.02)
    print(f"     TE range {te['fit_range_V'][0]:.3g}..{te['fit_range_V'][1]:.3g} V, R^2 = {te['r_squared_lnI']:.6f}")

    v, i = te_curve(0.9, 1.3, r_series=2e4)
    te = bf.fit_thermionic_emission(v, i, AREA, T, MASS)
    check("TE Phi_B with series R (eV)", te["phi_B_eV"], 0.9, 0.02)
    check("TE n with series R", te["ideality_n"], 1.3, 0.02)
    print(f"     TE range with 20 kohm in series {te['fit_range_V'][0]:.3g}..{te['fit_range_V'][1]:.3g} V")

    v, i = te_curve(0.45, 1.3)  # negative control: half the barrier
    check_fails("TE control: data with Phi_B/2 vs 0.9 eV", bf.fit_thermionic_emission(v, i, AREA, T)["phi_B_eV"],
                0.9, 0.02)


def test_bdr():
    v, i = bdr_curve(0.35, 0.45)
    r = bf.fit_bdr(v, i, D, MASS, v_max=0.3)
    check("BDR Phi1 top (eV)", r["phi1_top_pt_sto_eV"], 0.35, 0.05)
    check("BDR Phi2 bottom (eV)", r["phi2_bottom_sto_snto_eV"], 0.45, 0.05)
    check("BDR G(0) (S)", r["G0_S"], 3.7e-5, 0.05)
    print(f"     BDR relative rms residual {r['relative_rms_residual']:.2e} over {r['fit_range_V']} V")

    r = bf.fit_bdr(v, i, 2.0 * D, MASS, v_max=0.3)  # negative control: thickness off by 2
    check_fails("BDR control: d x 2, Phi1", r["phi1_top_pt_sto_eV"], 0.35, 0.05)
    v, i = bdr_curve(0.45, 0.35)  # negative control: the electrodes swapped
    r = bf.fit_bdr(v, i, D, MASS, v_max=0.3)
    check_fails("BDR control: electrodes swapped, Phi1", r["phi1_top_pt_sto_eV"], 0.35, 0.05)


def test_bdr_sign_convention_wkb():
    v = np.linspace(-0.05, 0.05, 21)
    j = np.array([wkb_trapezoid_current(x, 0.35, 0.45) for x in v])
    r = bf.fit_bdr(v, j * AREA, D, MASS, v_max=0.05)
    p1, p2 = r["phi1_top_pt_sto_eV"], r["phi2_bottom_sto_snto_eV"]
    report("BDR sign convention (WKB trapezoid 0.35 top / 0.45 bottom, |V| <= 0.05 V)",
           p1 < p2 and within(p1, 0.35, 0.1) and within(p2, 0.45, 0.1),
           f"Phi1 = {p1:.4f} eV, Phi2 = {p2:.4f} eV (Phi1 < Phi2, each within 10 %)")


def test_bdr_automatic_range():
    # the WKB trapezoid sampled to 0.2 V: the automatic range stays inside the small-bias regime
    # (quadratic part <= 0.25) and recovers the barriers better than the fixed 0.1 V range
    v = np.linspace(-0.2, 0.2, 81)
    i = np.array([wkb_trapezoid_current(x, 0.35, 0.45) for x in v]) * AREA
    r = bf.fit_bdr_auto(v, i, D, MASS)
    fixed = bf.fit_bdr(v, i, D, MASS, v_max=0.1)
    err = max(abs(r["phi1_top_pt_sto_eV"] / 0.35 - 1), abs(r["phi2_bottom_sto_snto_eV"] / 0.45 - 1))
    err_fixed = max(abs(fixed["phi1_top_pt_sto_eV"] / 0.35 - 1), abs(fixed["phi2_bottom_sto_snto_eV"] / 0.45 - 1))
    report("BDR automatic range: quadratic part <= 0.25, v_max < 0.1 V, barriers within 6 %, closer than at 0.1 V",
           r["quadratic_term_at_vmax"] <= 0.25 and r["v_max_V"] < 0.1 and err < 0.06 and err < err_fixed
           and "automatic" in r["v_max_selection"],
           f"v_max {r['v_max_V']:.3f} V, quadratic part {r['quadratic_term_at_vmax']:.3f}, error {err:.3f} "
           f"(fixed 0.1 V: {err_fixed:.3f}, quadratic part {fixed['quadratic_term_at_vmax']:.2f})")
    # too few points near 0 V: the error names the fit
    try:
        bf.fit_bdr_auto(np.array([-0.2, -0.1, 0.1, 0.2]), np.array([-2.0, -1.0, 1.0, 2.0]), D, MASS)
        ok, detail = False, "no error"
    except (bf.InputError, bf.ModelError) as e:
        ok, detail = "BDR fit" in str(e), str(e)
    report("BDR automatic range: a curve without small-bias points is refused", ok, detail)


def test_fowler_nordheim():
    v, i = fn_curve(0.3)
    fn = bf.fit_fowler_nordheim(v, i, D, MASS)
    check("FN Phi (eV), pure FN", fn["phi_FN_eV"], 0.3, 0.02)
    fn = bf.fit_fowler_nordheim(v, i, D, MASS, polarity=-1)
    check("FN Phi (eV), negative branch", fn["phi_FN_eV"], 0.3, 0.02)

    v, i = fn_curve(0.3, g_ohmic=2e-7)
    fn = bf.fit_fowler_nordheim(v, i, D, MASS)
    check("FN Phi (eV), with ohmic low-bias part", fn["phi_FN_eV"], 0.3, 0.02)
    print(f"     FN range with ohmic part {fn['fit_range_V'][0]:.3g}..{fn['fit_range_V'][1]:.3g} V, "
          f"R^2 = {fn['r_squared']:.6f}")

    v, i = fn_curve(0.6)  # negative control: twice the barrier
    check_fails("FN control: data with 2 Phi vs 0.3 eV", bf.fit_fowler_nordheim(v, i, D, MASS)["phi_FN_eV"], 0.3, 0.02)
    v, i = fn_curve(0.3)  # negative control: thickness off by 2
    check_fails("FN control: d x 2", bf.fit_fowler_nordheim(v, i, 2 * D, MASS)["phi_FN_eV"], 0.3, 0.02)


def write_csv(path, v, i, extra=True):
    with open(path, "w") as f:
        f.write("voltage_V,current_A,tunnelling_share\n" if extra else "voltage,current\n")
        for a, b in zip(v, i):
            f.write(f"{a:.10g},{b:.10g},1\n" if extra else f"{a:.10g},{b:.10g}\n")


def run_main(args):
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = bf.main(args)
        except SystemExit as e:
            code = e.code
    return code, err.getvalue().strip()


def test_main():
    with tempfile.TemporaryDirectory() as tmp:
        hrs, lrs, out = (os.path.join(tmp, n) for n in ("hrs.csv", "lrs.csv", "out"))
        write_csv(hrs, *te_curve(0.9, 1.3))
        vb, ib = bdr_curve(0.35, 0.45)
        vf, i_f = fn_curve(0.3)
        keep = np.abs(vf) > 0.5
        v = np.concatenate([vb, vf[keep]])
        i = np.concatenate([ib, 1e3 * i_f[keep]])
        order = np.argsort(v)
        write_csv(lrs, v[order], i[order])
        common = ["--area", str(AREA), "--thickness", str(D), "--temperature", str(T), "--mass", "1.0"]
        code, _ = run_main(["--hrs", hrs, "--lrs", lrs, "--out", out, "--fn-range", "0.6", "3"] + common)
        files = [os.path.join(out, "barrier_fits." + e) for e in ("json", "csv", "png")]
        ok = code == 0 and all(os.path.getsize(f) > 0 for f in files if os.path.exists(f)) and \
            all(os.path.exists(f) for f in files)
        if ok:
            with open(files[0]) as f:
                js = json.load(f)
            rows = {r["name"]: r for r in js["comparison"]}
            ok = within(rows["te_barrier"]["simulated_eV"], 0.9, 0.02) and rows["te_barrier"]["paper_eV"] == 0.55 \
                and within(rows["fn_barrier"]["ratio"], 0.3 / 0.075, 0.02) and len(rows) == 4 \
                and not [n for n in os.listdir(out) if n.endswith(".tmp")]
        report("main(): json, csv and png written", ok, f"exit code {code}")

        bad = os.path.join(tmp, "bad.csv")
        write_csv(bad, *te_curve(0.9, 1.3), extra=False)
        cases = [("missing file", ["--hrs", os.path.join(tmp, "none.csv"), "--lrs", lrs], "none.csv"),
                 ("missing column", ["--hrs", bad, "--lrs", lrs], "voltage_V"),
                 ]
        with open(os.path.join(tmp, "few.csv"), "w") as f:
            f.write("voltage_V,current_A\n0.1,1e-9\n0.2,2e-9\n")
        cases.append(("too few points", ["--hrs", os.path.join(tmp, "few.csv"), "--lrs", lrs], "few.csv"))
        with open(os.path.join(tmp, "neg.csv"), "w") as f:
            f.write("voltage_V,current_A\n" + "".join(f"{0.1 * k},{-1e-9}\n" for k in range(10)))
        cases.append(("non-positive currents", ["--hrs", os.path.join(tmp, "neg.csv"), "--lrs", lrs], "neg.csv"))
        for name, args, needle in cases:
            code, msg = run_main(args + ["--out", out] + common)
            report(f"main(): bad input, {name}", code == 2 and needle in msg, f"exit {code}: {msg[:150]}")

        # well-formed data on which BDR yields no barrier (downward parabola): reported, not fatal
        vd = np.linspace(-0.5, 0.5, 81)
        write_csv(os.path.join(tmp, "down.csv"), vd, 1e-6 * np.sin(3.0 * vd))
        code, msg = run_main(["--hrs", hrs, "--lrs", os.path.join(tmp, "down.csv"), "--out", out] + common)
        ok = code == 0 and "BDR" in msg
        if ok:
            with open(os.path.join(out, "barrier_fits.json")) as f:
                js = json.load(f)
            ok = "error" in js["direct_tunnelling_bdr"] and js["comparison"][1]["simulated_eV"] is None
        report("main(): BDR model failure reported in the JSON, exit 0", ok, f"exit {code}: {msg[:150]}")


if __name__ == "__main__":
    for test in (test_thermionic_emission, test_bdr, test_bdr_sign_convention_wkb, test_bdr_automatic_range,
                 test_fowler_nordheim, test_main):
        print(f"-- {test.__name__}")
        test()
    print(f"{len(failures)} failure(s)" + (": " + ", ".join(failures) if failures else ""))
    sys.exit(1 if failures else 0)
