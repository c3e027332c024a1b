#!/bin/bash
# Builds the AstrOS Raspberry Pi OS image (Debian 12 "bookworm", arm64) with pi-gen.
#
#   image/build.sh [PI_GEN_DIR]
#
# Clones pi-gen's arm64 branch (at a fixed tag) into PI_GEN_DIR (default: ./pi-gen) unless it is
# there, adds this repository's stage, and runs pi-gen's Docker build. The image lands in
# PI_GEN_DIR/deploy/. Needs Docker (or run pi-gen's build.sh as root on Debian, see README.md).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pi_gen=${1:-$PWD/pi-gen}
pi_gen_tag=${PI_GEN_TAG:-2024-11-19-raspios-bookworm-arm64}

if [[ ! -d "$pi_gen" ]]; then
	git clone --depth 1 --branch "$pi_gen_tag" https://github.com/RPi-Distro/pi-gen.git "$pi_gen"
fi
rm -rf "$pi_gen/stage-astros"
cp -a "$here/stage-astros" "$pi_gen/stage-astros"
# The stage installs AstrOS from this checkout: hand it over as a source tree.
mkdir -p "$pi_gen/stage-astros/src"
tar -C "$here/.." --exclude=.git --exclude=.venv --exclude=image --exclude='__pycache__' -cf - . |
	tar -C "$pi_gen/stage-astros/src" -xf -
cp "$here/config" "$pi_gen/config"
touch "$pi_gen/stage2/SKIP_IMAGES"

cd "$pi_gen"
./build-docker.sh -c config
ls -l deploy/
