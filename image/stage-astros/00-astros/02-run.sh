#!/bin/bash -e
# pi-gen: AstrOS's Python environment in /opt/astros/.venv (script/setup installs the pinned
# packages, the models among them) and a check that every model is in place.

on_chroot << CHROOT
set -e
cd /opt/astros
./script/setup
# gpiozero's pin library on Raspberry Pi OS bookworm (Pi 5 included); only the Pi needs it
.venv/bin/python -m pip install --quiet --no-deps lgpio==0.2.2.0
.venv/bin/astros models verify
CHROOT
