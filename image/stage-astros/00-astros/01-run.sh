#!/bin/bash -e
# pi-gen: copy AstrOS to /opt/astros, make the astros service user (audio, gpio), install the
# appliance configuration and enable the service. Runs on the build host; on_chroot runs commands
# inside the image. The Python environment comes next, in 02-run.sh.
# shellcheck disable=SC2154  # ROOTFS_DIR and STAGE_DIR are set by pi-gen

# image/build.sh puts the source tree in the stage as src/; otherwise the stage sits in a checkout.
if [ -d "${STAGE_DIR}/src" ]; then
	ASTROS_SRC="${ASTROS_SRC:-${STAGE_DIR}/src}"
else
	ASTROS_SRC="${ASTROS_SRC:-$(cd "${STAGE_DIR}/../.." && pwd)}"
fi

install -d "${ROOTFS_DIR}/opt/astros"
tar -C "${ASTROS_SRC}" --exclude=.git --exclude=.venv --exclude='__pycache__' --exclude='*.pyc' -cf - . |
	tar -C "${ROOTFS_DIR}/opt/astros" -xf -

install -D -m 644 "${ASTROS_SRC}/systemd/astros.service" "${ROOTFS_DIR}/etc/systemd/system/astros.service"
install -D -m 640 files/config.toml "${ROOTFS_DIR}/etc/astros/config.toml"
install -D -m 644 files/50-astros.rules "${ROOTFS_DIR}/etc/polkit-1/rules.d/50-astros.rules"

on_chroot << CHROOT
set -e
getent group gpio >/dev/null || groupadd --system gpio
getent passwd astros >/dev/null || useradd --system --home-dir /var/lib/astros --create-home \
	--shell /usr/sbin/nologin --user-group --groups audio,gpio astros
install -d -o astros -g astros -m 750 /var/lib/astros/Downloads /var/lib/astros/Documents
chgrp astros /etc/astros/config.toml
systemctl enable astros.service
CHROOT
