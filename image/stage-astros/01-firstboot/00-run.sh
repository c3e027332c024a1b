#!/bin/bash -e
# pi-gen: the first-boot step (Wi-Fi, hostname, first user from astros-setup.txt on the boot
# partition) and the sound card setup run at every boot before AstrOS.
# shellcheck disable=SC2154  # ROOTFS_DIR is set by pi-gen

install -D -m 755 files/astros-firstboot "${ROOTFS_DIR}/usr/local/sbin/astros-firstboot"
install -D -m 755 files/astros-audio "${ROOTFS_DIR}/usr/local/sbin/astros-audio"
install -D -m 644 files/astros-firstboot.service "${ROOTFS_DIR}/etc/systemd/system/astros-firstboot.service"
install -D -m 644 files/astros-audio.service "${ROOTFS_DIR}/etc/systemd/system/astros-audio.service"
install -D -m 644 files/astros-setup.txt "${ROOTFS_DIR}/boot/firmware/astros-setup.txt.example"

on_chroot << CHROOT
systemctl enable astros-firstboot.service astros-audio.service
CHROOT
