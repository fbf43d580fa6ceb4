#!/usr/bin/env bash
# Figures for docs/PERFORMANCE.md, "Wayland screen (wlr-screencopy)": the same media-bench runs as
# bench/media-bench.sh, against a headless sway 1920x1080 output showing a detailed still (testsrc2 via swaybg).
# sway refuses root, so sway and the node run as the user cewayland (created if missing, as the tests do).
# Needs ./build.sh publish linux-x64 first, plus sway, swaybg, ffmpeg and /usr/bin/time (build.sh setup).
#   bench/wayland-bench.sh [frames] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${CE_BIN_X64:-dist/linux-x64/clawedge}")
FRAMES=${1:-300}
SECONDS_LONG=${2:-60}
USER_NAME=cewayland
id -u "$USER_NAME" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
run=$(mktemp -d); chmod 0700 "$run"
sway=""
cleanup() { [ -n "$sway" ] && kill "$sway" 2>/dev/null; wait 2>/dev/null; rm -rf "$run"; }
trap cleanup EXIT
ffmpeg -v error -f lavfi -i testsrc2=size=1920x1080 -frames:v 1 "$run/screen.png"
printf 'xwayland disable\noutput * resolution 1920x1080 bg %s/screen.png fill\n' "$run" > "$run/config"
chown -R "$USER_NAME:$USER_NAME" "$run"
as_user() { setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --clear-groups -- env HOME="$run" XDG_RUNTIME_DIR="$run" "$@"; }
# Not through the function: $! must be sway itself (setpriv and env exec), not a subshell.
setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --clear-groups -- env HOME="$run" XDG_RUNTIME_DIR="$run" \
  WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman sway -c "$run/config" >"$run/sway.log" 2>&1 & sway=$!
for _ in $(seq 100); do ls "$run"/sway-ipc.* >/dev/null 2>&1 && break; sleep 0.1; done
sleep 1
W=$(basename "$(ls "$run"/wayland-* | grep -v lock | head -1)")

echo "## unpaced, $FRAMES frames after 10 warm-up frames"
for enc in libx264 mjpeg; do as_user WAYLAND_DISPLAY="$W" "$BIN" screen bench grab "$enc" "$FRAMES" || true; done
echo "## paced, $SECONDS_LONG s at 10 fps"
as_user WAYLAND_DISPLAY="$W" /usr/bin/time -f "  (time: %M KB max RSS)" "$BIN" screen bench record libx264 "$SECONDS_LONG" 10
