#!/usr/bin/env bash
# Runs a program against a REAL V4L2 kernel driver: Debian's own kernel with the `vivid` virtual video
# driver, booted under qemu (TCG; no KVM needed) from a small busybox initramfs. See docs/VIVID-VM.md.
#
#   vivid-vm.sh --prepare                           download + unpack the kernel once into the cache
#   vivid-vm.sh [options] OUTDIR -- PROGRAM ARGS…   run PROGRAM as /dev/video0's first user
#   vivid-vm.sh [options] --script FILE OUTDIR      run a busybox sh script (several commands, one boot)
#
# Options:
#   --bin PATH          carry an executable (with the .so files next to it and its ldd libraries) into
#                       the guest as /opt/<name>/<file>, on PATH; repeatable (PROGRAM is carried for you)
#   --lib SONAME        carry a library that is only dlopen'ed (e.g. libssl.so.3); repeatable
#   --needs-of FILE     carry the libraries FILE links against, not FILE itself (a library the program embeds
#                       and loads from memory, like clawedge's libSkiaSharp); repeatable
#   --file SRC[:DEST]   carry a file (default DEST /in/<basename>); repeatable
#   --env NAME=VALUE    guest environment; repeatable
#   --timeout SEC       guest limit for PROGRAM / script (default 60); qemu is killed 60 s after it
#   --vivid PARAMS      vivid module parameters (default "n_devs=1 node_types=0x1 input_types=0x0")
#   --memory MB         guest RAM (default 512)
#   --insmod "NAME ARGS"  load one more module (and what it depends on) before the script, e.g.
#                       "i2c_stub chip_addr=0x76"; a module Debian does not build (gpio-sim) is built once by
#                       scripts/kernel-module.sh; repeatable
#   --forward GUEST=HOST  the guest reaches host TCP port HOST (on 127.0.0.1) at 10.0.2.100:GUEST through qemu's
#                       user network, which reaches nothing else (restrict=on); repeatable
#
# OUTDIR receives stdout, stderr, exitcode (PROGRAM's or the script's), console.log (the serial console),
# and every file the guest wrote under /out. The exit status is PROGRAM's (143: guest timeout); 125 means the
# VM itself failed.
set -euo pipefail

CACHE=${CLAWEDGE_CACHE:-$HOME/.cache/clawedge}/vivid-vm
VIVID_PARAMS="n_devs=1 node_types=0x1 input_types=0x0"
# The module roots; their dependencies are read from each .ko's modinfo and loaded first.
MODULE_ROOTS=(vivid virtio_pci virtio_blk)
# Unpacked with the kernel but loaded only on --insmod (kernel test devices, the network for --forward).
MODULE_EXTRAS=(configfs i2c_stub i2c_dev virtio_net snd_aloop)
TIMEOUT=60
MEMORY=512
BINS=() LIBS=() NEEDS=() FILES=() ENVS=() INSMODS=() FORWARDS=() SCRIPT=""

die() { echo "vivid-vm: $*" >&2; exit 125; }
note() { [ -n "${VIVID_VM_QUIET:-}" ] || echo "vivid-vm: $*" >&2; }

# ---------------------------------------------------------------------------------------------------
# Kernel cache: $CACHE/<kernel-release>/{vmlinuz,modules/*.ko,modules.order}, $CACHE/current names it.

module_depends() { tr '\0' '\n' < "$1" | sed -n 's/^depends=//p' | tr ',' ' '; }

prepare() {
  if ! { [ -f "$CACHE/current" ] && [ -f "$CACHE/$(cat "$CACHE/current")/modules.order" ]; }; then
    download_kernel
  fi
  local extra
  for extra in "${MODULE_EXTRAS[@]}"; do
    [ -f "$CACHE/$(cat "$CACHE/current")/modules/$extra.ko" ] || { download_kernel; break; }
  done
  local dir; dir="$CACHE/$(cat "$CACHE/current")"
  [ -f "$dir/vmlinux" ] || [ -f "$dir/vmlinux.none" ] || extract_vmlinux "$dir"
}

# The bzImage's own xz decompressor takes longer than the rest of the boot under TCG. Debian's kernel has a
# PVH entry point, so qemu boots the uncompressed ELF directly: unpack it here, once.
extract_vmlinux() {
  local dir=$1 tool offset
  local -A magic=([xz]=$'\xfd7zXZ' [zstd]=$'\x28\xb5\x2f\xfd' [gzip]=$'\x1f\x8b\x08')
  for tool in xz zstd gzip; do
    command -v "$tool" >/dev/null || continue
    for offset in $(LC_ALL=C grep -abo "${magic[$tool]}" "$dir/vmlinuz" 2>/dev/null | cut -d: -f1 | head -3); do
      tail -c +$((offset + 1)) "$dir/vmlinuz" | "$tool" -dc 2>/dev/null > "$dir/vmlinux.tmp" || true
      if [ "$(head -c 4 "$dir/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
        mv "$dir/vmlinux.tmp" "$dir/vmlinux"
        note "unpacked vmlinux ($tool) for a direct PVH boot"
        return 0
      fi
    done
  done
  rm -f "$dir/vmlinux.tmp"; touch "$dir/vmlinux.none"
  note "no uncompressed kernel found in vmlinuz: booting the bzImage (slower)"
}

download_kernel() {
  command -v apt-get >/dev/null || die "apt-get is needed to fetch Debian's kernel"
  local pkg
  kernel_package() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1; }
  pkg=$(kernel_package)
  if [ -z "$pkg" ]; then
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && pkg=$(kernel_package)
  fi
  [ -n "$pkg" ] || die "cannot find the kernel package behind linux-image-amd64"
  local release=${pkg#linux-image-}
  note "downloading $pkg (once; cached in $CACHE)"
  local tmp; tmp=$(mktemp -d); chmod 755 "$tmp"
  (cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) || { rm -rf "$tmp"; die "apt-get download $pkg failed"; }
  dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/x"
  local dest="$CACHE/$release"
  # Additive: a second download (new MODULE_EXTRAS) keeps vmlinux and modules built by kernel-module.sh.
  mkdir -p "$dest/modules"
  cp "$tmp/x/boot/vmlinuz-$release" "$dest/vmlinuz"

  # Index every module by its name (modinfo names use '_' and '-' interchangeably), then order the
  # roots' dependency closure depth first so each module follows what it needs.
  declare -A path_of=()
  local f name
  while IFS= read -r f; do
    name=$(basename "$f"); name=${name%%.ko*}; path_of[${name//-/_}]=$f
  done < <(find "$tmp/x/lib/modules/$release/kernel" -name '*.ko*')
  declare -A seen=()
  local order=()
  visit() {
    local key=${1//-/_}
    [ -n "${seen[$key]:-}" ] && return 0
    seen[$key]=1
    local src=${path_of[$key]:-}
    [ -n "$src" ] || die "module $1 not found in $pkg"
    local ko="$dest/modules/$key.ko"
    case "$src" in
      *.ko.xz) xz -dc "$src" > "$ko" ;;
      *.ko.zst) zstd -qdc "$src" > "$ko" ;;
      *.ko.gz) gzip -dc "$src" > "$ko" ;;
      *) cp "$src" "$ko" ;;
    esac
    local dep
    for dep in $(module_depends "$ko"); do visit "$dep"; done
    order+=("$key")
  }
  local root
  for root in "${MODULE_ROOTS[@]}"; do visit "$root"; done
  printf '%s\n' "${order[@]}" > "$dest/modules.order.$$"
  for root in "${MODULE_EXTRAS[@]}"; do visit "$root"; done
  mv "$dest/modules.order.$$" "$dest/modules.order"
  rm -rf "$tmp"
  echo "$release" > "$CACHE/current"
  note "kernel $release ready: ${order[*]}"
}

# ---------------------------------------------------------------------------------------------------
# Initramfs: a cached base (busybox, modules, /init) plus a per-run archive; the kernel unpacks
# concatenated cpio archives in order.

GUEST_INIT='#!/bin/busybox sh
export PATH=/bin:/usr/bin:/sbin:/usr/sbin
uptime_s() { read -r u _ < /proc/uptime; echo "$u"; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/shm /run /xfer/result /xfer/out /etc
[ -f /etc/passwd ] || echo "root:x:0:0:root:/root:/bin/sh" > /etc/passwd
[ -f /etc/group ] || echo "root:x:0:" > /etc/group
ln -s /xfer/out /out
while read -r m; do
  args=""
  [ "$m" = vivid ] && args=$(cat /vm/vivid.params)
  insmod /lib/modules/vm/$m.ko $args || echo "vivid-vm: insmod $m failed"
done < /lib/modules/vm/modules.order
if [ -f /vm/insmod ]; then
  while read -r m args; do
    insmod /lib/modules/vm/$m.ko $args || echo "vivid-vm: insmod $m failed"
  done < /vm/insmod
fi
if [ -f /vm/net ]; then
  ip link set lo up
  ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2
fi
for p in /opt/*; do [ -d "$p" ] && PATH="$p:$PATH"; done
export PATH HOME=/root TMPDIR=/tmp
mkdir -p /root
[ -f /vm/env ] && . /vm/env
echo "vivid-vm: modules loaded, run at $(uptime_s) s"
cd /
timeout "$(cat /vm/timeout)" sh /vm/run > /xfer/result/stdout 2> /xfer/result/stderr
echo $? > /xfer/result/exitcode
echo "vivid-vm: exit $(cat /xfer/result/exitcode) at $(uptime_s) s"
tar cf /dev/vda -C /xfer result out && sync
poweroff -f
'

base_initramfs() {
  local release=$1 base="$CACHE/$1/base.cpio"
  [ -f "$base" ] && [ "$base" -nt "$0" ] && { echo "$base"; return; }
  local busybox; busybox=$(command -v busybox) || die "busybox (busybox-static) is missing"
  ldd "$busybox" >/dev/null 2>&1 && die "$busybox is dynamically linked: install busybox-static"
  local root; root=$(mktemp -d); chmod 755 "$root" # mktemp's 0700 would become the guest's / (non-root steps)
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,vm,lib/modules/vm}
  cp "$busybox" "$root/bin/busybox"
  local applet
  for applet in $("$busybox" --list-full); do
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
  done
  printf '%s' "$GUEST_INIT" > "$root/init"; chmod 755 "$root/init"
  local m; while read -r m; do cp "$CACHE/$release/modules/$m.ko" "$root/lib/modules/vm/"; done < "$CACHE/$release/modules.order"
  cp "$CACHE/$release/modules.order" "$root/lib/modules/vm/"
  (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$base.$$"
  mv "$base.$$" "$base"; rm -rf "$root" # atomic: concurrent runs may build it too
  echo "$base"
}

# Copies a file to the same path under ROOT, following symlinks (the guest needs the bytes).
carry_path() {
  local src=$1 root=$2
  mkdir -p "$root$(dirname "$src")"
  [ -e "$root$src" ] || cp -L "$src" "$root$src"
}

carry_libraries() {
  local object=$1 root=$2 lib
  # ldd prints "name => /path (addr)" and the interpreter as "/lib64/ld-linux-x86-64.so.2 (addr)".
  for lib in $(ldd "$object" 2>/dev/null | awk '/=> \//{print $3} /^\t\//{print $1}'); do
    carry_path "$lib" "$root"
  done
}

carry_bin() {
  local bin=$1 root=$2
  bin=$(readlink -f "$bin")
  [ -x "$bin" ] || die "not an executable: $bin"
  local name; name=$(basename "$bin")
  local dir="$root/opt/$name"
  mkdir -p "$dir"
  cp "$bin" "$dir/$name"
  carry_libraries "$bin" "$root"
  # NativeAOT finds P/Invoke libraries (libSkiaSharp.so) next to the executable.
  local so
  for so in "$(dirname "$bin")"/*.so "$(dirname "$bin")"/*.so.*; do
    [ -f "$so" ] || continue
    cp "$so" "$dir/"
    carry_libraries "$so" "$root"
  done
}

carry_lib() {
  local soname=$1 root=$2 path
  path=$(ldconfig -p | awk -v n="$soname" '$1 == n && /x86-64/ {print $NF; exit}')
  [ -n "$path" ] || die "library not found on this machine: $soname"
  carry_path "$path" "$root"
  carry_libraries "$path" "$root"
}

# Writes /vm/insmod: each --insmod module after what it depends on (read from the .ko), skipping what
# /init loads anyway, and carries the .ko files.
carry_insmods() {
  local release=$1 root=$2; shift 2
  local dir="$CACHE/$release/modules"
  declare -A loaded=()
  local m; while read -r m; do loaded[$m]=1; done < "$CACHE/$release/modules.order"
  mkdir -p "$root/lib/modules/vm"; : > "$root/vm/insmod"
  add() {
    local key=${1//-/_} args=$2
    [ -n "${loaded[$key]:-}" ] && return 0
    if [ ! -f "$dir/$key.ko" ]; then
      bash "$(dirname "$(readlink -f "$0")")/kernel-module.sh" "${1//_/-}" >/dev/null || die "module $1: not in the kernel package and no build recipe"
    fi
    local dep; for dep in $(module_depends "$dir/$key.ko"); do add "$dep" ""; done
    loaded[$key]=1
    cp "$dir/$key.ko" "$root/lib/modules/vm/"
    echo "$key $args" >> "$root/vm/insmod"
  }
  local entry; for entry in "$@"; do add "${entry%% *}" "$([ "${entry#* }" != "$entry" ] && echo "${entry#* }")"; done
}

# ---------------------------------------------------------------------------------------------------

run() {
  local outdir=$1; shift
  prepare
  local release; release=$(cat "$CACHE/current")
  local base; base=$(base_initramfs "$release")
  local work; work=$(mktemp -d)
  trap 'rm -rf "${work:-}"' EXIT
  local root="$work/root"
  mkdir -p "$root/vm" "$root/in"; chmod 755 "$work" "$root"

  if [ -n "$SCRIPT" ]; then
    cp "$SCRIPT" "$root/vm/run"
  else
    [ $# -gt 0 ] || die "nothing to run: give -- PROGRAM ARGS or --script FILE"
    local program; program=$(type -P "$1") || die "not found: $1"
    BINS+=("$program"); shift
    { printf '%q' "$(basename "$program")"; printf ' %q' "$@"; echo; } > "$root/vm/run"
  fi
  local b; for b in "${BINS[@]}"; do carry_bin "$b" "$root"; done
  local l; for l in "${LIBS[@]}"; do carry_lib "$l" "$root"; done
  local n; for n in "${NEEDS[@]}"; do
    [ -f "$n" ] || die "not found: $n"
    carry_libraries "$n" "$root"
  done
  local f src dest
  for f in "${FILES[@]}"; do
    src=${f%%:*}; dest=${f#*:}; [ "$dest" = "$f" ] && dest="/in/$(basename "$src")"
    mkdir -p "$root$(dirname "$dest")"; cp -L "$src" "$root$dest"
  done
  local e; : > "$root/vm/env"
  for e in "${ENVS[@]}"; do printf 'export %s=%q\n' "${e%%=*}" "${e#*=}" >> "$root/vm/env"; done
  [ ${#FORWARDS[@]} -gt 0 ] && { INSMODS+=(virtio_net); touch "$root/vm/net"; }
  [ ${#INSMODS[@]} -gt 0 ] && carry_insmods "$release" "$root" "${INSMODS[@]}"
  echo "$VIVID_PARAMS" > "$root/vm/vivid.params"
  echo "$TIMEOUT" > "$root/vm/timeout"
  (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) > "$work/run.cpio"
  cat "$base" "$work/run.cpio" > "$work/initramfs.cpio"

  # The guest tars its results straight onto this raw disk (no filesystem to format or mount).
  truncate -s 1G "$work/xfer.img"
  local kernel="$CACHE/$release/vmlinux"; [ -f "$kernel" ] || kernel="$CACHE/$release/vmlinuz"
  mkdir -p "$outdir"
  note "boot $release ($(( $(stat -c %s "$work/initramfs.cpio") / 1024 )) KiB initramfs)"
  local net=() fwd guestfwd=""
  # cmd: runs once per guest connection (a tcp: target would be one connection, opened when qemu starts).
  local relay; relay=$(command -v busybox)
  for fwd in "${FORWARDS[@]}"; do guestfwd+=",guestfwd=tcp:10.0.2.100:${fwd%%=*}-cmd:$relay nc 127.0.0.1 ${fwd#*=}"; done
  [ ${#FORWARDS[@]} -gt 0 ] && net=(-netdev "user,id=n0,restrict=on$guestfwd" -device virtio-net-pci,netdev=n0)
  local started=$SECONDS rc=0
  timeout $((TIMEOUT + 60)) qemu-system-x86_64 -accel tcg -cpu max -m "$MEMORY" -smp 1 \
    -nodefaults -no-reboot -nographic -display none \
    -kernel "$kernel" -initrd "$work/initramfs.cpio" \
    -append "console=ttyS0 quiet loglevel=4 panic=-1 rdinit=/init mitigations=off" \
    -serial "file:$outdir/console.log" \
    -drive "file=$work/xfer.img,format=raw,if=virtio" "${net[@]}" || rc=$?
  note "qemu exited $rc after $((SECONDS - started)) s"

  mkdir -p "$work/xfer"
  tar xf "$work/xfer.img" -C "$work/xfer" 2>/dev/null || true
  [ -f "$work/xfer/result/exitcode" ] || { tail -20 "$outdir/console.log" >&2; die "the guest produced no result (console: $outdir/console.log)"; }
  cp -a "$work/xfer/result/." "$outdir/"
  cp -a "$work/xfer/out/." "$outdir/"
  exit "$(cat "$outdir/exitcode")"
}

[ $# -gt 0 ] || { sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prepare) prepare; exit 0 ;;
    --bin) BINS+=("$2"); shift 2 ;;
    --lib) LIBS+=("$2"); shift 2 ;;
    --needs-of) NEEDS+=("$2"); shift 2 ;;
    --file) FILES+=("$2"); shift 2 ;;
    --env) ENVS+=("$2"); shift 2 ;;
    --script) SCRIPT=$(readlink -f "$2"); shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --vivid) VIVID_PARAMS=$2; shift 2 ;;
    --memory) MEMORY=$2; shift 2 ;;
    --insmod) INSMODS+=("$2"); shift 2 ;;
    --forward) FORWARDS+=("$2"); shift 2 ;;
    --) die "OUTDIR must come before --" ;;
    -*) die "unknown option $1" ;;
    *) OUTDIR=$1; shift
       [ "${1:-}" = "--" ] && shift
       run "$OUTDIR" "$@" ;;
  esac
done
die "missing OUTDIR"
