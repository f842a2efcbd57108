#!/usr/bin/python3
"""Per-pulse view of the compact model's validation against the PDE (issue "Compact model").

Reads validation.csv written by `otj extract` (one row per sample of each validation and
development sequence: the PDE's and the compact model's read conductance and states) and
writes, into the same folder:

  capture.csv, capture.md  the trapped share w after each pulse of every sequence (the last
                           sample at the read bias before the next pulse), the capture of the
                           pulse dw = w_n - w_(n-1) of the PDE and of the compact model, and the
                           captured share of what was not yet trapped, f = dw / (1 - w_(n-1));
                           per sequence the slope d ln f / d w of the PDE and of the compact model
                           (least squares over the pulses), i.e. how fast the capture of a pulse
                           falls as the trapped charge builds up
  validation.png           G at 0.1 V against time, PDE (and its refined reference), the compact
                           model, and the compact read of the PDE's own states; one panel per
                           sequence (needs matplotlib)

The read bias is the validation's: the source voltage of the samples between pulses (the most
frequent source voltage of a sequence). Usage: plot_validation.py DIR
Exit codes: 0 success, 2 missing or malformed validation.csv."""
import csv
import math
import os
import sys


def read_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    need = ["sequence", "time_s", "source_V", "G_pde_S", "G_compact_S", "w_pde", "w_compact"]
    if not rows or any(k not in rows[0] for k in need):
        raise ValueError("%s: expected the columns %s" % (path, ", ".join(need)))
    return rows


def sequences(rows):
    order, by = [], {}
    for r in rows:
        s = r["sequence"]
        if s not in by:
            order.append(s)
            by[s] = []
        by[s].append(r)
    return [(s, by[s]) for s in order]


def read_bias(samples):
    """The most frequent source voltage of the sequence (the rests between pulses)."""
    count = {}
    for r in samples:
        v = round(float(r["source_V"]), 9)
        count[v] = count.get(v, 0) + 1
    return max(count, key=lambda v: count[v])


def per_pulse(samples):
    """w of the PDE and of the compact model before the first pulse and at the end of each rest
    that follows a pulse (a sequence that starts inside its first pulse starts from the pristine
    state, w = 0)."""
    vr = read_bias(samples)
    ends, last_rest, started_at_rest = [], None, None
    for r in samples:
        at_rest = abs(float(r["source_V"]) - vr) < 1e-9
        if started_at_rest is None:
            started_at_rest = at_rest
        if at_rest:
            last_rest = r
        elif last_rest is not None:
            ends.append(last_rest)  # the rest before this pulse ended
            last_rest = None
    if last_rest is not None:
        ends.append(last_rest)
    if started_at_rest:
        start, ends = ends[0], ends[1:]
        return (float(start["w_pde"]), float(start["w_compact"])), [(float(r["w_pde"]), float(r["w_compact"])) for r in ends]
    return (0.0, 0.0), [(float(r["w_pde"]), float(r["w_compact"])) for r in ends]


def slope(ws, fs):
    pts = [(w, math.log(f)) for w, f in zip(ws, fs) if f > 0]
    if len(pts) < 3:
        return None
    n = len(pts)
    mw = sum(p[0] for p in pts) / n
    ml = sum(p[1] for p in pts) / n
    sww = sum((p[0] - mw) ** 2 for p in pts)
    if sww <= 0:
        return None
    return sum((p[0] - mw) * (p[1] - ml) for p in pts) / sww


def capture_table(rows):
    table, summary = [], []
    for name, samples in sequences(rows):
        start, ends = per_pulse(samples)
        prev = start
        wp_before, fp, fc, wc_before = [], [], [], []
        for n, (wp, wc) in enumerate(ends, 1):
            dp, dc = wp - prev[0], wc - prev[1]
            f_p = dp / (1 - prev[0]) if prev[0] < 1 else float("nan")
            f_c = dc / (1 - prev[1]) if prev[1] < 1 else float("nan")
            table.append({"sequence": name, "pulse": n, "w_before_pde": prev[0], "w_after_pde": wp,
                          "w_before_compact": prev[1], "w_after_compact": wc, "dw_pde": dp, "dw_compact": dc,
                          "captured_share_pde": f_p, "captured_share_compact": f_c})
            wp_before.append(prev[0]), wc_before.append(prev[1]), fp.append(f_p), fc.append(f_c)
            prev = (wp, wc)
        # the slope over the pulses before the PDE's w saturates (w < 0.9: beyond, 1 - w is small
        # and the share is dominated by the last digits)
        keep = [i for i, w in enumerate(wp_before) if w < 0.9]
        summary.append({"sequence": name, "pulses": len(ends),
                        "slope_pde": slope([wp_before[i] for i in keep], [fp[i] for i in keep]),
                        "slope_compact": slope([wc_before[i] for i in keep], [fc[i] for i in keep]),
                        "w_final_pde": prev[0], "w_final_compact": prev[1]})
    return table, summary


def write_outputs(d, rows):
    table, summary = capture_table(rows)
    keys = list(table[0].keys()) if table else ["sequence"]
    tmp = os.path.join(d, "capture.csv.tmp")
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        for r in table:
            w.writerow({k: ("%.6g" % v if isinstance(v, float) else v) for k, v in r.items()})
    os.replace(tmp, os.path.join(d, "capture.csv"))
    fmt = lambda x: "-" if x is None or (isinstance(x, float) and math.isnan(x)) else "%.3g" % x
    lines = ["# Capture per pulse: PDE against the compact model", "",
             "w: the trapped share at the end of the rest after each pulse; f = dw / (1 - w before the "
             "pulse), the captured share of what was not yet trapped; slope = d ln f / d w over the pulses "
             "with w < 0.9 before them (how fast a pulse's capture falls as the trapped charge builds up).", "",
             "| sequence | pulses | final w PDE | final w compact | slope PDE | slope compact |", "|---|---|---|---|---|---|"]
    for s in summary:
        lines.append("| %s | %d | %s | %s | %s | %s |" % (s["sequence"], s["pulses"], fmt(s["w_final_pde"]),
                                                         fmt(s["w_final_compact"]), fmt(s["slope_pde"]), fmt(s["slope_compact"])))
    lines += ["", "| sequence | pulse | w before (PDE) | dw PDE | dw compact | f PDE | f compact |", "|---|---|---|---|---|---|---|"]
    for r in table:
        lines.append("| %s | %d | %s | %s | %s | %s | %s |" % (r["sequence"], r["pulse"], fmt(r["w_before_pde"]), fmt(r["dw_pde"]),
                                                               fmt(r["dw_compact"]), fmt(r["captured_share_pde"]),
                                                               fmt(r["captured_share_compact"])))
    tmp = os.path.join(d, "capture.md.tmp")
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, os.path.join(d, "capture.md"))
    return summary


def reduced_rows(d):
    """validation_reduced.csv (the reduced oxide model on the same sequences), by sequence; {} without it."""
    path = os.path.join(d, "validation_reduced.csv")
    if not os.path.exists(path):
        return {}
    with open(path, newline="") as f:
        by = {}
        for r in csv.DictReader(f):
            by.setdefault(r["sequence"], []).append(r)
    return by


def plot(d, rows):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot_validation.py: matplotlib not available, no figure")
        return
    seqs = sequences(rows)
    reduced = reduced_rows(d)
    n = len(seqs)
    cols = 3 if n > 4 else 2
    nr = (n + cols - 1) // cols
    fig, axes = plt.subplots(nr, cols, figsize=(5.2 * cols, 3.6 * nr), squeeze=False)
    for ax, (name, s) in zip(axes.flat, seqs):
        t = [float(r["time_s"]) * 1e6 for r in s]
        ax.semilogy(t, [float(r["G_pde_S"]) for r in s], "ko-", ms=3, lw=1, label="PDE")
        if "G_pde_refined_S" in s[0] and s[0]["G_pde_refined_S"] not in ("", "nan"):
            ax.semilogy(t, [float(r["G_pde_refined_S"]) for r in s], "k:", lw=1, label="PDE, refined")
        ax.semilogy(t, [float(r["G_compact_S"]) for r in s], "rs-", ms=3, lw=1, label="compartment model (fitted)")
        if name in reduced:
            rr = reduced[name]
            ax.semilogy([float(r["t_s"]) * 1e6 for r in rr], [float(r["G_reduced_S"]) for r in rr], "g+--", ms=5, lw=1,
                        label="reduced oxide model")
        if "G_compact_of_pde_state_S" in s[0]:
            ax.semilogy(t, [float(r["G_compact_of_pde_state_S"]) for r in s], "b^", ms=3, label="compact read of PDE states")
        ax.set_title(name, fontsize=8)
        ax.set_xlabel("time (us)")
        ax.set_ylabel("G at 0.1 V (S)")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    tmp = os.path.join(d, "validation.tmp.png")
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, os.path.join(d, "validation.png"))


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    d = sys.argv[1]
    path = os.path.join(d, "validation.csv")
    try:
        rows = read_rows(path)
    except (OSError, ValueError) as e:
        print("plot_validation.py: %s" % e, file=sys.stderr)
        return 2
    summary = write_outputs(d, rows)
    for s in summary:
        print("  %-55s final w PDE %.3f / compact %.3f; d ln f / d w PDE %s / compact %s" %
              (s["sequence"][:55], s["w_final_pde"], s["w_final_compact"],
               "-" if s["slope_pde"] is None else "%.2f" % s["slope_pde"],
               "-" if s["slope_compact"] is None else "%.2f" % s["slope_compact"]))
    plot(d, rows)
    print("plot_validation.py: wrote %s/{capture.csv, capture.md, validation.png}" % d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
