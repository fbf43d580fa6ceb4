#!/usr/bin/env bash
# Assembles the appliance overlay from rootfs/ and a published dist/<rid>/:
#   package.sh rootfs <rid>   → dist/clawedge-<version>-rootfs-<rid>.tar.gz (copy onto / of an image)
#   package.sh deb <rid>      → dist/clawedge_<version>_<arch>.deb (same files, plus maintainer scripts)
set -euo pipefail
cd "$(dirname "$0")/.."
kind=$1 rid=$2
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
case "$rid" in
  linux-arm64) arch=arm64 ;;
  linux-x64) arch=amd64 ;;
  *) echo "unsupported rid $rid" >&2; exit 2 ;;
esac
bin=dist/$rid/clawedge
[ -x "$bin" ] || { echo "$bin missing: ./build.sh publish $rid first" >&2; exit 1; }

stage=$(mktemp -d)
# Packages are written beside their name and renamed into it: the suite packs while other tests read the same
# dist/ file (ImageBootTests' image build copies the .deb that Arm64DeviceTests packs again), and a reader must
# see a whole package, never one half written (stop 19's CI: "unexpected end of file in archive member header").
partial=""
trap 'rm -rf "$stage" ${partial:+"$partial"}' EXIT
cp -a rootfs/. "$stage/"
install -D -m 0755 "$bin" "$stage/usr/bin/clawedge"
# Skia's native library is folded into the executable (docs/DECISIONS.md); a libSkiaSharp.so in
# dist/ is only the SDK's copy, so it is not shipped unless the binary was built without embedding.
if [ -f "dist/$rid/libSkiaSharp.so" ] && ! grep -q "ClawEdge.Native.libSkiaSharp.so.gz" "$bin"; then
  install -D -m 0644 "dist/$rid/libSkiaSharp.so" "$stage/usr/lib/clawedge/libSkiaSharp.so"
fi
chmod 0755 "$stage/usr/lib/clawedge/clawedge-firstboot"
find "$stage" -type d -exec chmod 0755 {} +

case "$kind" in
rootfs)
  out=dist/clawedge-$version-rootfs-$rid.tar.gz
  partial=$out.partial.$$
  tar --owner=0 --group=0 --numeric-owner --sort=name -czf "$partial" -C "$stage" .
  ;;
deb)
  mkdir -p "$stage/DEBIAN"
  size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
  cat > "$stage/DEBIAN/control" <<CONTROL
Package: clawedge
Version: $version
Architecture: $arch
Maintainer: ClawEdge <clawedge@localhost>
Installed-Size: $size
Depends: libc6 (>= 2.28), libssl3, libstdc++6
Recommends: systemd, libturbojpeg0, libasound2, libopus0
Section: net
Priority: optional
Description: OpenClaw node in one small binary
 Makes this machine (Raspberry Pi, ARM64 board, kiosk) an OpenClaw node: it
 connects to the OpenClaw Gateway, pairs with its own device identity and
 serves node commands. Runs as the clawedge system user under systemd.
CONTROL
  printf '%s\n' /etc/clawedge/clawedge.json /etc/cron.d/clawedge > "$stage/DEBIAN/conffiles"
  cat > "$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers clawedge.conf
  else
    getent group gpio >/dev/null || groupadd --system gpio
    getent group i2c >/dev/null || groupadd --system i2c
    getent group video >/dev/null || groupadd --system video
    getent passwd clawedge >/dev/null || useradd --system --user-group --home-dir /var/lib/clawedge --shell /usr/sbin/nologin clawedge
    usermod -aG video,gpio,i2c clawedge
  fi
  if command -v systemd-tmpfiles >/dev/null 2>&1; then
    systemd-tmpfiles --create clawedge.conf
  else
    install -d -m 0700 -o clawedge -g clawedge /var/lib/clawedge
  fi
  if command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
    udevadm control --reload-rules || true
    udevadm trigger --subsystem-match=gpio --subsystem-match=i2c-dev --subsystem-match=dma_heap --subsystem-match=video4linux || true
  fi
  if command -v systemctl >/dev/null 2>&1; then
    # Works offline too (an image being built in a chroot): enabling only writes symlinks.
    systemctl enable clawedge.service >/dev/null 2>&1 || true
    if [ -d /run/systemd/system ]; then
      systemctl daemon-reload || true
      # --no-block: with Type=notify, start returns only once connected; dpkg must not wait for the gateway.
      systemctl --no-block restart clawedge.service || true
    fi
  fi
fi
POSTINST
  cat > "$stage/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop clawedge.service || true
fi
PRERM
  cat > "$stage/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
if [ "$1" = purge ]; then
  command -v systemctl >/dev/null 2>&1 && systemctl disable clawedge.service >/dev/null 2>&1 || true
  # Purge forgets the device identity: the gateway will see a new device after a reinstall.
  rm -rf /var/lib/clawedge
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
POSTRM
  chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"
  out=dist/clawedge_${version}_$arch.deb
  partial=$out.partial.$$
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$partial" >/dev/null
  ;;
*) echo "usage: package.sh rootfs|deb <rid>" >&2; exit 2 ;;
esac
mv -f "$partial" "$out"
partial=""
echo "$out"
