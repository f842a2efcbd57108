#!/usr/bin/env bash
# Shared set-up of ./run and ./test: installs the missing Debian packages
# (Debian 12, as root), then configures and builds Release into build/.
# Idempotent: a second call installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake libdeal.ii-dev petsc-dev libopenmpi-dev openmpi-bin libvtk9-dev
          libgtest-dev nlohmann-json3-dev libcli11-dev python3-matplotlib python3-numpy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > /tmp/otj-apt.log 2>&1 || {
    tail -n 30 /tmp/otj-apt.log; exit 1; }
fi

echo "== building (Release) in build/"
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > build-configure.log 2>&1 || { cat build-configure.log; exit 1; }
  rm -f build-configure.log
fi
cmake --build build -j 2
