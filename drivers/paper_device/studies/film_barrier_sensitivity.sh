#!/usr/bin/env bash
# Sensitivity study (not part of ./run): how the film's vacancy hopping barrier trades the
# volatile relaxation time against the 20 ns switching threshold, the two calibration-set
# numbers of SPEC 7 that the calibrated landscape cannot meet together (HISTORY.md,
# thirteenth session). For each barrier the calibrated materials are copied with only the
# film's "Vacancy activation energy (eV)" (and optionally its permittivity) changed, and
# `otj merits` derives the thresholds at 20 ns and 1 us, tau_1 after 0.6 V and 1.0 V / 50 ns
# spikes and the retention of both states.
#   bash drivers/paper_device/studies/film_barrier_sensitivity.sh ["Ea[:eps_r] ..."]
# Output: results/paper_device/studies/film_barrier/<case>/{merits.json, log.txt}, summary.txt
set -euo pipefail
cd "$(dirname "$0")/../../.."
cases="${1:-0.332093 0.38 0.42 0.46 0.50}"
out=results/paper_device/studies/film_barrier
mkdir -p "$out"
: > "$out/summary.txt"
for c in $cases; do
  Ea=${c%%:*}; eps=""; [ "$c" != "$Ea" ] && eps=${c##*:}
  d="$PWD/$out/Ea_${Ea}${eps:+_eps_$eps}"; rm -rf "$d"; mkdir -p "$d/materials" "$d/drivers"
  cp materials/calibrated/*.prm "$d/materials/"
  sed -i "s/^  set Vacancy activation energy (eV) = .*/  set Vacancy activation energy (eV) = $Ea/" "$d/materials/srtio3_film.prm"
  [ -n "$eps" ] && sed -i "s/^  set Relative permittivity = .*/  set Relative permittivity = $eps/" "$d/materials/srtio3_film.prm"
  sed "s|../../materials/calibrated/|$d/materials/|" drivers/paper_device/writes.prm > "$d/drivers/writes.prm"
  # the paper device's merits.prm with two widths, two relaxation spikes, no STM/LTM or energy runs
  sed -e "s|set Output directory = .*|set Output directory = $d|" \
      -e "s|set Pulse widths (s) = .*|set Pulse widths (s) = 2e-8, 1e-6|" \
      -e "s|set Amplitudes (V) = 0.2, 0.6, 1.0|set Amplitudes (V) = 0.6, 1.0|" \
      -e "s|^  subsection STM to LTM|&\n    set Enabled = false|" -e "s|^  subsection Energy|&\n    set Enabled = false|" \
      -e "s|set Endurance cycles = .*|set Endurance cycles = 1|" drivers/paper_device/merits.prm > "$d/drivers/merits.prm"
  ./build/otj merits "$d/drivers/merits.prm" > "$d/log.txt" 2>&1
  /usr/bin/python3 - "$d/merits.json" "$Ea" "${eps:-100}" >> "$out/summary.txt" <<'EOPY'
import json, sys
j = json.load(open(sys.argv[1]))
th = {p["width_s"]: p for p in j["threshold"]["points"]}
tau = [p["tau1_s"] for p in j["relaxation"]["pulses"]]
ret = j["retention"]
print(f"film Ea {float(sys.argv[2]):.3f} eV, eps_r {sys.argv[3]}: V_th(20 ns) +{th[2e-8]['positive_V']:.2f} V, "
      f"V_th(1 us) +{th[1e-6]['positive_V']:.2f} V, tau_1 {tau[0]:.3g} / {tau[1]:.3g} s (0.6 / 1.0 V), "
      f"LRS {ret['LRS']['initial_resistance_ohm']:.3g} ohm kept {ret['LRS']['retained_time_s']:.3g} s, "
      f"HRS {ret['HRS']['initial_resistance_ohm']:.3g} ohm")
EOPY
  tail -1 "$out/summary.txt"
done
