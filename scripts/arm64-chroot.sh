#!/usr/bin/env bash
# arm64-chroot.sh ROOT CMD [ARGS…]: runs CMD chrooted into the arm64 tree ROOT, arm64 children included.
#
# How: a private user namespace (uids 0-65535 mapped to themselves, so dpkg's chowns land as they would on
# a Pi) with its own mount, pid and network namespaces. Since Linux 6.7 binfmt_misc is per user namespace:
# the qemu-aarch64-static registration (fix-binary flag, so the interpreter is opened here, outside the
# chroot) exists only inside this namespace and vanishes with it. Nothing on the host is changed.
# Needs: root (to write the identity uid map), Linux >= 6.7, qemu-user-static. No network in the chroot.
set -euo pipefail
root=$(cd "$1" && pwd); shift
qemu=$(command -v qemu-aarch64-static) || { echo "arm64-chroot: qemu-aarch64-static missing" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "arm64-chroot: must run as root (identity uid map)" >&2; exit 2; }
fifo=$(mktemp -u); mkfifo "$fifo"
trap 'rm -f "$fifo"' EXIT
# aarch64 ELF header magic and mask, as Debian's binfmt-support entry for qemu-aarch64.
magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
# container=lxc in pid 1's environment (the chrooted command is pid 1): what this is, and how maintainer
# scripts learn it (systemd-detect-virt): raspi-firmware's kernel hook then fills /boot/firmware instead of
# insisting that it be a mount point; debootstrap skips its mknod probe, which a user namespace refuses.
inner='read -r _ < "$FIFO"
mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
printf "%s" ":qemu-aarch64:M::$MAGIC:$MASK:$QEMU:F" > /proc/sys/fs/binfmt_misc/register
mount -t proc proc "$ROOT/proc"
mount --rbind /dev "$ROOT/dev"
mount -t tmpfs tmpfs "$ROOT/run"
mount -t tmpfs tmpfs "$ROOT/tmp"
exec chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive container=lxc "$@"'
FIFO=$fifo ROOT=$root QEMU=$qemu MAGIC=$magic MASK=$mask \
  unshare --user --mount --pid --net --fork --kill-child bash -c "$inner" arm64-chroot "$@" &
pid=$!
# The map can be written only once unshare has entered its new user namespace.
for _ in $(seq 100); do
  [ "$(readlink "/proc/$pid/ns/user" 2>/dev/null)" != "$(readlink /proc/self/ns/user)" ] && break
  sleep 0.05
done
echo "0 0 65536" > "/proc/$pid/uid_map"
echo "0 0 65536" > "/proc/$pid/gid_map"
echo go > "$fifo"
wait "$pid"
