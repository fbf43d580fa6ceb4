#!/usr/bin/env bash
# Figures for docs/PERFORMANCE.md, "Kiosk canvas": browser start, present → load event, canvas.snapshot and
# screen.snapshot (png, jpeg) at 1920x1080, node RSS and Chromium's memory apart. No gateway: the bench drives
# the same CanvasBrowser and ScreenSnapshotCommand the node serves. Needs ./build.sh publish linux-x64, Xvfb, chromium.
#   bench/canvas-bench.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CE_BIN_X64:-dist/linux-x64/clawedge}
ROUNDS=${1:-30}
N=$((RANDOM % 300 + 100)); while [ -e /tmp/.X11-unix/X$N ]; do N=$((N + 1)); done
D=:$N
xvfb=""
cleanup() { [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null; true; }
trap cleanup EXIT
Xvfb "$D" -screen 0 1920x1080x24 -noreset -nolisten tcp >/dev/null 2>&1 & xvfb=$!
for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$N ] && break; sleep 0.1; done

DISPLAY=$D WAYLAND_DISPLAY= CLAWEDGE_Canvas__Enabled=true CLAWEDGE_Canvas__BrowserArgs__0=--disable-gpu \
  /usr/bin/time -f "bench process: %e s wall, %U+%S s CPU, %M KB max RSS" "$BIN" canvas bench "$ROUNDS"
