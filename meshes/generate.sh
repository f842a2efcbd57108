#!/bin/sh
# Regenerates the gmsh meshes of this folder (MSH 2.2 ASCII, read by
# solver/mesh/gmsh_mesh.cc through dealii::GridIn::read_msh).
# Usage: meshes/generate.sh [gmsh options, e.g. -setnumber t_bar 2.8]
# Needs gmsh >= 4 (Debian: apt-get install gmsh).
set -e
cd "$(dirname "$0")"
for geo in electrode_edge cafm_tip; do
  gmsh -2 -format msh22 "$@" "$geo.geo" -o "$geo.msh" > "$geo.log" 2>&1 || { cat "$geo.log"; exit 1; }
  grep -E "nodes|contact radius" "$geo.log" | sed "s/^Info *: /$geo: /"
  rm -f "$geo.log"
done
