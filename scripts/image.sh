#!/usr/bin/env bash
# The flashed appliance image: a Raspberry Pi SD-card image made from Debian packages (docs/APPLIANCE.md).
#
#   image.sh prepare                     the cached Debian base (debootstrap both stages; minutes, once)
#   image.sh build [--read-only] [--raw] [--out FILE]
#                                        dist/clawedge-<version>-raspi-arm64[-ro].img.xz (+ .sha256) from the
#                                        base and dist/clawedge_<version>_arm64.deb; --raw leaves the .img
#                                        uncompressed (what the tests boot)
#
# No loop devices, no mounts of the image: ext4 is filled by mkfs.ext4 -d, FAT by mkfs.vfat + mtools, the
# partition table written by sfdisk into the file. The arm64 second stage runs in a chroot through
# scripts/arm64-chroot.sh (a private binfmt_misc; docs/DECISIONS.md says why not a VM).
#
# Layout (MBR, as the Pi firmware wants): 1 FAT32 RASPIFIRM at 4 MiB → /boot/firmware, 2 ext4 RASPIROOT → /;
# the read-only image adds 3 ext4 CLAWSTATE → /persist (node state, settings). The last partition grows at first boot.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CACHE=${CLAWEDGE_CACHE:-$HOME/.cache/clawedge}
SUITE=bookworm
MIRROR=${CLAWEDGE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The root file system: minimal Debian with systemd, the network, TLS roots, the node's libraries, the
# Pi's firmware and kernel. The recommended runtime libraries (libturbojpeg0, libasound2, libopus0,
# libx264-164, libgpiod2) are in: 2.5 MB that make camera/screen/audio/GPIO work without apt on the card.
PACKAGES=(systemd systemd-sysv systemd-resolved systemd-timesyncd udev dbus kmod iproute2 ca-certificates
  libssl3 libstdc++6 linux-image-arm64 initramfs-tools raspi-firmware firmware-brcm80211 wpasupplicant
  openssh-server e2fsprogs fdisk cloud-guest-utils
  libturbojpeg0 libasound2 libopus0 libx264-164 libgpiod2)
BOOT_MIB=256
STATE_MIB=64

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { echo "image: $*" >&2; exit 1; }

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
# The base is keyed by what goes into it: a changed package list makes a new one; so does BASE_REVISION,
# raised by hand when prepare_base changes. Everything from image/overlay on is applied per build (seconds).
BASE_REVISION=1
base_key() { printf '%s\n' "$BASE_REVISION" "$SUITE" "${PACKAGES[@]}" | sha256sum | cut -c1-12; }
BASE=$CACHE/image-base-$(base_key)

prepare_base() {
  [ -f "$BASE/.complete" ] && return
  mkdir -p "$CACHE"
  # Two builds at once (parallel tests) make the base once.
  exec 9>"$CACHE/image-base.lock"
  flock 9
  [ -f "$BASE/.complete" ] && return
  say "image base: debootstrap $SUITE arm64 (first stage: download and unpack)"
  local partial=$BASE.partial
  # The second stage is the slow part: a failure after it resumes from it.
  if [ ! -f "$partial/.stage2" ]; then
  rm -rf "$partial"
  debootstrap --foreign --arch=arm64 --variant=minbase --components=main,non-free-firmware \
    --include="$(IFS=,; echo "${PACKAGES[*]}")" "$SUITE" "$partial" "$MIRROR" >/dev/null
  say "image base: second stage (arm64 maintainer scripts under qemu-user; the initramfs is the slow part)"
  # INITRD=No: the kernel's postinst skips its initramfs (the trigger run after it then finds no kernel to update),
  # so it is made once, below, after every package's hooks are in place: under qemu-user each run costs minutes.
  bash scripts/arm64-chroot.sh "$partial" /usr/bin/env INITRD=No /debootstrap/debootstrap --second-stage >/dev/null
  touch "$partial/.stage2"
  fi

  say "image base: configuration"
  echo clawedge > "$partial/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tclawedge\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$partial/etc/hosts"
  cat > "$partial/etc/apt/sources.list" <<SOURCES
deb http://deb.debian.org/debian $SUITE main non-free-firmware
deb http://deb.debian.org/debian $SUITE-updates main non-free-firmware
deb http://security.debian.org/debian-security $SUITE-security main non-free-firmware
SOURCES
  # The root account has no password (no console login); SSH only with a key from the boot partition.
  bash scripts/arm64-chroot.sh "$partial" /bin/sh -e -c '
    ls /boot/initrd.img-* >/dev/null 2>&1 || update-initramfs -c -k all >/dev/null
    passwd -l root >/dev/null
    systemctl disable ssh.service >/dev/null 2>&1 || true
    apt-get clean'
  # Per-card identity is made on the card: machine-id at first boot (empty file = first boot), SSH host
  # keys only when SSH is enabled.
  rm -f "$partial"/etc/ssh/ssh_host_*
  : > "$partial/etc/machine-id"
  rm -f "$partial/var/lib/dbus/machine-id"
  ln -sf /etc/machine-id "$partial/var/lib/dbus/machine-id"
  ln -sf /run/systemd/resolve/stub-resolv.conf "$partial/etc/resolv.conf"
  rm -rf "$partial"/var/lib/apt/lists/* "$partial"/var/log/*.log "$partial"/var/cache/debconf/*-old "$partial/debootstrap"
  rm -f "$partial/.stage2"
  touch "$partial/.complete"
  rm -rf "$BASE"; mv "$partial" "$BASE"
  # Older bases (another package list) are not needed any more.
  local old; for old in "$CACHE"/image-base-*; do [ "$old" = "$BASE" ] || rm -rf "$old"; done
}

mib() { echo $(( ($1 + 1048575) / 1048576 )); }

build() {
  local readonly=0 raw=0 out=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --read-only) readonly=1; shift ;;
      --raw) raw=1; shift ;;
      --out) out=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  local deb=dist/clawedge_${version}_arm64.deb
  [ -f "$deb" ] || die "$deb missing: ./build.sh deb linux-arm64 first"
  prepare_base
  local suffix=""; [ "$readonly" = 1 ] && suffix=-ro
  [ -n "$out" ] || out=dist/clawedge-$version-raspi-arm64$suffix.img
  out=${out%.xz}
  # On the cache's file system, so the copy of the base can be a reflink where the file system offers it.
  WORK=$(mktemp -d "$CACHE/image-work.XXXXXX"); local work=$WORK
  trap 'rm -rf "$WORK"' EXIT
  local tree=$work/tree
  say "image: root tree (base + $(basename "$deb"))"
  cp -a --reflink=auto "$BASE" "$tree"
  rm -f "$tree/.complete"
  cp "$deb" "$tree/var/cache/clawedge.deb"
  cp -a image/overlay/. "$tree/"
  # The image's own config: raspi-firmware's hook regenerates config.txt/cmdline.txt from the overlay's
  # /etc/default/raspi-firmware (as it will on every kernel update on the card).
  bash scripts/arm64-chroot.sh "$tree" /bin/sh -e -c '
    dpkg -i /var/cache/clawedge.deb >/dev/null
    rm /var/cache/clawedge.deb
    DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware'
  systemctl --root="$tree" enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service \
    clawedge-settings.service clawedge-growfs.service >/dev/null 2>&1

  local grow_target=/
  mkdir -p "$tree/etc/clawedge-image"
  if [ "$readonly" = 1 ]; then
    # The state partition is /persist: the node's directory (bound onto /var/lib/clawedge) and the settings
    # applied from the boot partition (/persist/etc, /persist/root; the secrets in root-only directories), which
    # /etc and /root point into.
    grow_target=/persist
    cat > "$tree/etc/fstab" <<'FSTAB'
# ClawEdge read-only image: / is never written; the state partition (/persist) holds all that persists:
# the node's state (/persist/clawedge on /var/lib/clawedge) and the boot-partition settings (/persist/etc).
LABEL=RASPIROOT  /                  ext4   ro,noatime                  0 0
LABEL=RASPIFIRM  /boot/firmware     vfat   rw,noatime,umask=0077       0 2
LABEL=CLAWSTATE  /persist           ext4   rw,noatime,errors=remount-ro 0 2
/persist/clawedge /var/lib/clawedge none   bind,x-systemd.requires-mounts-for=/persist 0 0
tmpfs            /tmp               tmpfs  mode=1777,nosuid,nodev       0 0
tmpfs            /var/tmp           tmpfs  mode=1777,nosuid,nodev       0 0
tmpfs            /var/log           tmpfs  mode=0755,nosuid,nodev,size=32m 0 0
tmpfs            /var/lib/systemd   tmpfs  mode=0755,nosuid,nodev,size=4m 0 0
FSTAB
    mkdir -p "$tree/var/lib/clawedge" "$tree/persist"
    echo /persist > "$tree/etc/clawedge-image/persist"
    # What apply-settings writes lands in /persist; the read-only root only points there.
    mkdir -p "$work/state/clawedge" "$work/state/etc/clawedge" "$work/state/etc/wpa_supplicant" \
      "$work/state/etc/ssh" "$work/state/root"
    chmod 0700 "$work/state/clawedge" "$work/state/etc/wpa_supplicant" "$work/state/etc/ssh" "$work/state/root"
    chmod 0755 "$work/state/etc" "$work/state/etc/clawedge"
    mv "$tree/etc/clawedge/clawedge.json" "$work/state/etc/clawedge/clawedge.json"
    ln -s /persist/etc/clawedge/clawedge.json "$tree/etc/clawedge/clawedge.json"
    ln -s /persist/etc/wpa_supplicant/wpa_supplicant-wlan0.conf "$tree/etc/wpa_supplicant/wpa_supplicant-wlan0.conf"
    rm -rf "$tree/root/.ssh"; ln -s /persist/root/.ssh "$tree/root/.ssh"
    mv "$tree/etc/hosts" "$work/state/etc/hosts"; ln -s /persist/etc/hosts "$tree/etc/hosts"
    # systemd's credential provisioning writes /etc and /root (and warned that /root/.ssh is not a directory):
    # nothing can be provisioned onto a read-only root.
    ln -s /dev/null "$tree/etc/tmpfiles.d/provision.conf"
    printf '%s\n' "# ClawEdge read-only image: host keys are made on the card, in the state partition." \
      "HostKey /persist/etc/ssh/ssh_host_ed25519_key" "HostKey /persist/etc/ssh/ssh_host_ecdsa_key" \
      "HostKey /persist/etc/ssh/ssh_host_rsa_key" > "$tree/etc/ssh/sshd_config.d/clawedge-persist.conf"
  else
    cat > "$tree/etc/fstab" <<'FSTAB'
# ClawEdge image. The boot partition is root-only (umask): setup codes and settings files pass through it.
LABEL=RASPIROOT  /                  ext4   rw,noatime,errors=remount-ro 0 1
LABEL=RASPIFIRM  /boot/firmware     vfat   rw,noatime,umask=0077        0 2
FSTAB
  fi
  echo "$grow_target" > "$tree/etc/clawedge-image/grow"

  say "image: boot partition (FAT32, ${BOOT_MIB} MiB)"
  local boot=$work/boot.vfat
  mkdir -p "$work/bootfiles"
  mv "$tree"/boot/firmware/* "$work/bootfiles/"
  if [ "$readonly" = 1 ]; then
    sed -i 's/ rw / ro /; s/fsck.repair=yes/fsck.mode=skip/' "$work/bootfiles/cmdline.txt"
  fi
  rm -f "$boot"
  mkfs.vfat -F 32 -n RASPIFIRM -C "$boot" $((BOOT_MIB * 1024)) >/dev/null
  MTOOLS_SKIP_CHECK=1 mcopy -i "$boot" -s -m "$work/bootfiles"/* ::/

  say "image: root partition (ext4 from the tree)"
  local used; used=$(du -s --block-size=1 "$tree" | cut -f1)
  # Room for the first apt upgrade before the grow; the sparse file costs nothing in the .xz.
  local root_mib=$(( $(mib "$used") * 115 / 100 + 96 ))
  [ "$readonly" = 1 ] && root_mib=$(( $(mib "$used") * 105 / 100 + 16 ))
  # No lazy init: with it the kernel would zero inode tables after the first mount (and write a
  # read-only root's partition behind our back).
  mkfs.ext4 -q -F -L RASPIROOT -d "$tree" -E lazy_itable_init=0,lazy_journal_init=0,root_owner=0:0 \
    "$work/root.ext4" "${root_mib}M"
  local state_mib=0
  if [ "$readonly" = 1 ]; then
    state_mib=$STATE_MIB
    mkfs.ext4 -q -F -L CLAWSTATE -d "$work/state" -E lazy_itable_init=0,lazy_journal_init=0,root_owner=0:0 \
      "$work/state.ext4" "${state_mib}M"
  fi

  say "image: partition table and assembly"
  local start_mib=4 total_mib=$(( 4 + BOOT_MIB + root_mib + state_mib ))
  mkdir -p "$(dirname "$out")"; rm -f "$out"; truncate -s "${total_mib}M" "$out"
  {
    echo "label: dos"
    echo "start=$((start_mib * 2048)), size=$((BOOT_MIB * 2048)), type=c, bootable"
    echo "start=$(( (start_mib + BOOT_MIB) * 2048 )), size=$((root_mib * 2048)), type=83"
    if [ "$readonly" = 1 ]; then echo "start=$(( (start_mib + BOOT_MIB + root_mib) * 2048 )), size=$((state_mib * 2048)), type=83"; fi
  } | sfdisk -q "$out"
  dd if="$boot" of="$out" bs=1M seek=$start_mib conv=notrunc,sparse status=none
  dd if="$work/root.ext4" of="$out" bs=1M seek=$((start_mib + BOOT_MIB)) conv=notrunc,sparse status=none
  if [ "$readonly" = 1 ]; then
    dd if="$work/state.ext4" of="$out" bs=1M seek=$((start_mib + BOOT_MIB + root_mib)) conv=notrunc,sparse status=none
  fi
  rm -rf "$work"
  if [ "$raw" = 1 ]; then
    echo "$out"
    return
  fi
  say "image: xz"
  xz -T0 -6 -f "$out"
  (cd "$(dirname "$out")" && sha256sum "$(basename "$out").xz" > "$(basename "$out").xz.sha256")
  ls -l "$out.xz" | awk '{print "    " $5 " bytes  " $NF}' >&2
  echo "$out.xz"
}

case "${1:-}" in
  prepare) prepare_base ;;
  build) shift; build "$@" ;;
  base-dir) echo "$BASE" ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
