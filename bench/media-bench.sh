#!/usr/bin/env bash
# Figures for docs/PERFORMANCE.md, "Clips and screen": 1080p capture → encode → mux per encoder, managed
# bytes per frame, peak RSS of a paced 60 s recording, and FFmpeg doing the same job on the same screen.
# Needs ./build.sh publish linux-x64 first, plus Xvfb, xwud, ffmpeg and /usr/bin/time (build.sh setup).
#   bench/media-bench.sh [frames] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CE_BIN_X64:-dist/linux-x64/clawedge}
FRAMES=${1:-300}
SECONDS_LONG=${2:-60}
N=$((RANDOM % 300 + 100)); while [ -e /tmp/.X11-unix/X$N ]; do N=$((N + 1)); done
D=:$N
work=$(mktemp -d)
xvfb=""; xwud=""
cleanup() { [ -n "$xwud" ] && kill "$xwud" 2>/dev/null; [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# A detailed still screen (FFmpeg's testsrc2 frame shown full-screen by xwud), like a dashboard or desktop.
ffmpeg -v error -f lavfi -i testsrc2=size=1920x1080 -frames:v 1 "$work/screen.xwd"
Xvfb "$D" -screen 0 1920x1080x24 -noreset -nolisten tcp >/dev/null 2>&1 & xvfb=$!
for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$N ] && break; sleep 0.1; done
DISPLAY=$D xwud -in "$work/screen.xwd" >/dev/null 2>&1 & xwud=$!
sleep 1

echo "## unpaced, $FRAMES frames after 10 warm-up frames"
for enc in libx264 mjpeg; do DISPLAY=$D "$BIN" screen bench grab "$enc" "$FRAMES" || true; done
# FFmpeg's default frame-rate mode makes a constant 1000 fps out of x11grab's timestamps: when grabs are slower than
# that it repeats frames instead of grabbing (its "dup" count), so its first figure encodes copies, not the screen.
# `-fps_mode passthrough` gives every grab to the encoder once: the like-for-like figure. Both are printed.
# -draw_mouse 0 everywhere: the node does not draw the pointer either.
for mode in cfr passthrough; do
  /usr/bin/time -f "ffmpeg x11grab + libx264 ultrafast/zerolatency, fps_mode $mode, $FRAMES frames: %e s wall, %U+%S s CPU, %M KB max RSS" \
    ffmpeg -v error -nostdin -progress "$work/progress-$mode" -y -f x11grab -draw_mouse 0 -framerate 1000 -video_size 1920x1080 -i "$D" \
    -frames:v "$FRAMES" -fps_mode "$mode" -c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p "$work/ff.mp4"
  echo "  frames FFmpeg repeated instead of grabbing: $(grep '^dup_frames=' "$work/progress-$mode" | tail -1 | cut -d= -f2)"
done

echo "## paced, $SECONDS_LONG s at 10 fps"
DISPLAY=$D /usr/bin/time -f "  (time: %M KB max RSS)" "$BIN" screen bench record libx264 "$SECONDS_LONG" 10
/usr/bin/time -f "ffmpeg x11grab + libx264, $SECONDS_LONG s at 10 fps: %U+%S s CPU, %M KB max RSS" \
  ffmpeg -v error -y -f x11grab -draw_mouse 0 -framerate 10 -video_size 1920x1080 -i "$D" -t "$SECONDS_LONG" \
  -c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p "$work/ff60.mp4"
echo "ffmpeg file: $(stat -c %s "$work/ff60.mp4") bytes"

echo "## camera path: 1920x1080 test pattern, unpaced, $FRAMES frames"
for fmt in yuyv mjpeg; do for enc in libx264 mjpeg; do "$BIN" camera bench clip "$enc" "$FRAMES" "$fmt"; done; done
"$BIN" screen bench convert "$FRAMES"
# FFmpeg's swscale on the same job, one thread like ours: BGRX noise → yuv420p, less the same run without the conversion.
head -c $((1920 * 1080 * 4)) /dev/urandom > "$work/bgrx.raw"
for pf in bgr0 yuv420p; do
  /usr/bin/time -f "%U %S" -o "$work/sws-$pf" ffmpeg -v error -nostdin -filter_threads 1 -threads 1 -f rawvideo -pix_fmt bgr0 \
    -s 1920x1080 -stream_loop $((FRAMES - 1)) -i "$work/bgrx.raw" -vf "format=$pf" -f null -
done
awk -v n="$FRAMES" 'FNR == 1 { t[FILENAME] = $1 + $2 } END { for (f in t) if (f ~ /yuv420p/) c = t[f]; else b = t[f];
  printf "ffmpeg swscale BGRX → yuv420p 1920x1080, one thread: %.2f ms per frame (CPU, less %.2f s of reading and looping)\n", (c - b) * 1000 / n, b }' \
  "$work/sws-bgr0" "$work/sws-yuv420p"
# The reference camera.clip runs FFmpeg (-c:v libx264 -preset veryfast) on the V4L2 device; with no device here,
# FFmpeg's own 1080p test source through a YUYV step stands in for the camera.
for preset in ultrafast veryfast; do
  /usr/bin/time -f "ffmpeg lavfi testsrc2 1080p yuyv422 -> libx264 $preset, $FRAMES frames: %e s wall, %U+%S s CPU, %M KB max RSS" \
    ffmpeg -v error -y -f lavfi -i testsrc2=size=1920x1080:rate=30 -frames:v "$FRAMES" -vf format=yuyv422,format=yuv420p \
    -c:v libx264 -preset "$preset" -tune zerolatency -f mp4 "$work/cam-$preset.mp4"
done
