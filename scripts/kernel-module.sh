#!/usr/bin/env bash
# Builds a kernel module Debian does not ship, out of tree, for the kernel the test VM boots
# (scripts/vivid-vm.sh), once: Debian's `linux-source-6.1` for the driver's files, the `linux-headers` and
# `linux-kbuild` packages of that exact kernel release to build against. The result lands beside the VM's other
# modules ($CACHE/vivid-vm/<release>/modules/<name>.ko), where vivid-vm.sh --insmod finds it.
#
#   kernel-module.sh NAME        build NAME (known: gpio-sim, vicodec) unless cached; prints the .ko path
#
# A new module is one entry in `recipe` below: the files it needs from the source tree and how they link.
set -euo pipefail

CACHE=${CLAWEDGE_CACHE:-$HOME/.cache/clawedge}
die() { echo "kernel-module: $*" >&2; exit 1; }
note() { [ -n "${VIVID_VM_QUIET:-}" ] || echo "kernel-module: $*" >&2; }

[ $# -eq 1 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
NAME=$1
KEY=${NAME//-/_}

[ -f "$CACHE/vivid-vm/current" ] || bash "$(dirname "$0")/vivid-vm.sh" --prepare
RELEASE=$(cat "$CACHE/vivid-vm/current")          # e.g. 6.1.0-57-amd64
DEST="$CACHE/vivid-vm/$RELEASE/modules/$KEY.ko"
[ -f "$DEST" ] && { echo "$DEST"; exit 0; }

# recipe NAME → SOURCES (paths in the source tree), OBJECTS (kbuild objects of the module), FIXUP (a function)
recipe() {
  case "$1" in
    gpio-sim)
      # Debian builds neither gpio-sim nor the irq_sim library it selects (CONFIG_IRQ_SIM is off), so irq_sim.c is
      # linked into the same module. Its one use of irq_to_desc(), which 6.1 does not export to modules, becomes
      # generic_handle_irq(): the same lookup and handler call, through an exported function.
      SOURCES=(drivers/gpio/gpio-sim.c drivers/gpio/gpiolib.h kernel/irq/irq_sim.c)
      OBJECTS="gpio-sim-main.o irq_sim.o"
      fixup() {
        mv gpio-sim.c gpio-sim-main.c
        sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' irq_sim.c
        grep -q 'generic_handle_irq(irqnum)' irq_sim.c || die "irq_sim.c changed upstream: review the irq_to_desc fixup"
      }
      ;;
    vicodec)
      # The virtual FWHT codec: the same stateful memory-to-memory encoder API as the Pi's H.264 encoder. Debian
      # 6.1 builds neither it nor v4l2-mem2mem (CONFIG_V4L2_MEM2MEM_DEV is off: no module, no exported symbols), so
      # v4l2-mem2mem.c is linked in. Both files declare a module parameter `debug`; one module cannot have two,
      # so the framework's becomes `m2m_debug`.
      local d=drivers/media/test-drivers/vicodec
      SOURCES=($d/vicodec-core.c $d/codec-fwht.c $d/codec-fwht.h $d/codec-v4l2-fwht.c $d/codec-v4l2-fwht.h
               drivers/media/v4l2-core/v4l2-mem2mem.c)
      OBJECTS="vicodec-core.o codec-fwht.o codec-v4l2-fwht.o v4l2-mem2mem.o"
      fixup() {
        sed -i 's/^module_param(debug, bool, 0644);/module_param_named(m2m_debug, debug, bool, 0644);/' v4l2-mem2mem.c
        grep -q 'module_param_named(m2m_debug' v4l2-mem2mem.c || die "v4l2-mem2mem.c changed upstream: review the debug parameter fixup"
      }
      ;;
    *) die "no recipe for $1 (known: gpio-sim, vicodec)" ;;
  esac
}
recipe "$NAME"

# The kernel tree: headers for this release, kbuild for its series, the source of the same Debian version.
TREE="$CACHE/kernel-build/$RELEASE"
SERIES=$(sed 's/^\([0-9]*\.[0-9]*\).*/\1/' <<<"$RELEASE")   # 6.1
ABI=${RELEASE%-*}                                         # 6.1.0-57
if [ ! -f "$TREE/ready" ]; then
  command -v apt-get >/dev/null || die "apt-get is needed to fetch Debian's kernel headers and source"
  note "downloading linux-headers-$RELEASE, linux-kbuild-$SERIES and linux-source-$SERIES (once; cached in $TREE)"
  rm -rf "$TREE"; mkdir -p "$TREE/debs"; chmod 755 "$TREE/debs"
  version=$(apt-cache policy "linux-headers-$RELEASE" | sed -n 's/^ *Candidate: //p')
  [ -n "$version" ] && [ "$version" != "(none)" ] || die "linux-headers-$RELEASE is not in the package lists (apt-get update?)"
  (cd "$TREE/debs" && apt-get download "linux-headers-$RELEASE=$version" "linux-headers-$ABI-common=$version" \
      "linux-kbuild-$SERIES=$version" "linux-source-$SERIES=$version" >/dev/null 2>&1) || die "apt-get download failed"
  for deb in "$TREE"/debs/*.deb; do dpkg-deb -x "$deb" "$TREE/root"; done
  # The arch headers' Makefile includes the common tree by its installed absolute path.
  sed -i "s|/usr/src/linux-headers-$ABI-common|$TREE/root/usr/src/linux-headers-$ABI-common|" \
    "$TREE/root/usr/src/linux-headers-$RELEASE/Makefile"
  mv "$TREE/root/usr/src/linux-source-$SERIES.tar.xz" "$TREE/"
  rm -rf "$TREE/debs"
  touch "$TREE/ready"
fi

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
tar -xJf "$TREE/linux-source-$SERIES.tar.xz" -C "$work" "${SOURCES[@]/#/linux-source-$SERIES/}"
mkdir -p "$work/m"
for s in "${SOURCES[@]}"; do cp "$work/linux-source-$SERIES/$s" "$work/m/"; done
cd "$work/m"
fixup
printf 'obj-m := %s.o\n%s-y := %s\n' "$NAME" "$NAME" "$OBJECTS" > Kbuild
note "building $NAME.ko for $RELEASE"
make -s -C "$TREE/root/usr/src/linux-headers-$RELEASE" M="$PWD" modules >build.log 2>&1 || { cat build.log >&2; die "build of $NAME failed"; }
cp "$NAME.ko" "$DEST.$$" && mv "$DEST.$$" "$DEST"
note "$NAME.ko ready: $DEST"
echo "$DEST"
