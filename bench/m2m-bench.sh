#!/usr/bin/env bash
# The V4L2 memory-to-memory encoder session against vicodec (FWHT) in the test VM, next to v4l2-ctl doing the same
# encode on the same driver in the same boot (docs/PERFORMANCE.md "V4L2 memory-to-memory encoder"). Needs
# ./build.sh publish linux-x64 and the VM kernel with vicodec.ko (./build.sh setup builds it once).
#
#   bench/m2m-bench.sh [FRAMES] [WIDTH] [HEIGHT] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-200} width=${2:-640} height=${3:-480} rounds=${4:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat > "$out/guest.sh" <<GUEST
up() { read -r u _ < /proc/uptime; echo "\$u"; }
span() { awk -v a="\$1" -v b="\$2" -v n=$frames 'BEGIN { printf "%.2f s, %.1f fps", b - a, n / (b - a) }'; }
# The source frames (8 test-pattern frames as I420) for v4l2-ctl, written by a short run of our bench.
clawedge camera bench m2m fwht --frames 10 --width $width --height $height --file /tmp/src.i420 > /dev/null
for r in \$(seq $rounds); do
  t0=\$(up)
  v4l2-ctl -d /dev/video1 --set-fmt-video-out=width=$width,height=$height,pixelformat=YU12 --set-fmt-video=pixelformat=FWHT \
    --stream-out-mmap=4 --stream-mmap=4 --stream-from=/tmp/src.i420 --stream-loop --stream-count=$frames --stream-to=/dev/null > /tmp/ctl.log 2>&1
  t1=\$(up)
  clawedge camera bench m2m fwht --copy --frames $frames --width $width --height $height > /tmp/copy.log 2>&1
  t2=\$(up)
  clawedge camera bench m2m fwht --frames $frames --width $width --height $height > /tmp/convert.log 2>&1
  echo "round \$r: v4l2-ctl \$(span \$t0 \$t1) | clawedge --copy \$(span \$t1 \$t2) (process wall time, probes included)"
  echo "  clawedge --copy: \$(cat /tmp/copy.log)"
  echo "  clawedge (YUYV -> YU12 per frame): \$(cat /tmp/convert.log)"
done
GUEST
scripts/vivid-vm.sh --insmod vicodec --bin dist/linux-x64/clawedge --bin "$(command -v v4l2-ctl)" --timeout 600 \
  --script "$out/guest.sh" "$out/vm" >/dev/null 2>&1 || true
cat "$out/vm/stdout"; cat "$out/vm/stderr" >&2
echo "${frames} frames ${width}x${height} YU12 -> FWHT, 4+4 mmap buffers each; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
