#!/usr/bin/env bash
# Peak RSS (VmHWM) of the node while it answers a camera.clip that nearly fills the payload budget, through the real
# gateway and CLI. The test-pattern camera at 1280x720/30 fps is recorded as Motion JPEG (libx264 is hidden from the
# node in a private mount namespace: an H.264 test pattern is too small to fill anything, and MJPEG is what a board
# without libx264 sends). A 2 s probe clip gives the byte rate; the measured clip is sized to ~95 % of the budget.
#   bench/payload-rss.sh [path/to/clawedge] [fill fraction, default 0.95]
# Prints the file size, VmHWM before and after the clip, and peak − file. Needs root (unshare -m) and ./build.sh setup.
unset FORCE_COLOR CLICOLOR_FORCE # Node ignores NO_COLOR under FORCE_COLOR, and the log waits below want plain lines
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/build/versions"
C=$HOME/.cache/clawedge; NODE=$C/node-$NODE_VERSION/bin/node; OC=$C/openclaw-$OPENCLAW_VERSION/node_modules/openclaw/openclaw.mjs
BIN=$(realpath "${1:-$ROOT/dist/linux-x64/clawedge}"); FILL=${2:-0.95}
W=$(mktemp -d); export HOME=$W NO_COLOR=1 TMPDIR=$W; mkdir -p $W/.openclaw
echo '{"gateway":{"nodes":{"commands":{"allow":["camera.clip"]}}}}' > $W/.openclaw/openclaw.json
PORT=$((20000 + RANDOM % 20000)); TOKEN=e2e-token
# A gateway on a box loaded by other builds can miss its 5 s start-up lease: try again, six times at most.
for try in 1 2 3 4 5 6; do
  $NODE $OC gateway run --allow-unconfigured --bind loopback --port $PORT --token $TOKEN > $W/gw.log 2>&1 & GW=$!
  for i in $(seq 600); do grep -q "\[gateway\] ready" $W/gw.log && break; kill -0 $GW 2>/dev/null || break; sleep 1; done
  grep -q "\[gateway\] ready" $W/gw.log && break
done
grep -q "\[gateway\] ready" $W/gw.log || { echo "gateway did not start"; tail -5 $W/gw.log; kill $GW; rm -rf $W; exit 1; }
HIDE=""
for lib in /usr/lib/*/libx264.so*; do [ -e "$lib" ] && HIDE="$HIDE mount --bind /dev/null $lib;"; done
OPENCLAW_GATEWAY_TOKEN=$TOKEN CLAWEDGE_Camera__Enabled=true CLAWEDGE_Camera__TestPattern=true \
  CLAWEDGE_Camera__TestPatternWidth=1280 CLAWEDGE_Camera__TestPatternHeight=720 CLAWEDGE_Camera__TestPatternFps=30 \
  unshare -m sh -c "$HIDE exec $BIN run --host 127.0.0.1 --port $PORT --state-dir $W/state" > $W/node.log 2>&1 & ND=$!
for i in $(seq 300); do grep -q "openclaw nodes approve " $W/node.log && break; sleep 1; done
REQ=$(grep -o "openclaw nodes approve [^ ]*" $W/node.log | head -1 | awk '{print $4}')
$NODE $OC nodes approve $REQ --url ws://127.0.0.1:$PORT --token $TOKEN >/dev/null 2>&1
sleep 3
ID=$(grep -o " node [0-9a-f]\{64\}" $W/node.log | head -1 | awk '{print $2}')
hwm() { awk '/^VmHWM/{print $2}' /proc/$ND/status; }
# The file size, codec and frames of the clip in $W/out.json (the CLI's JSON, the payload's base64 decoded).
summary() { $NODE -e '
  const t = require("fs").readFileSync(process.argv[1], "utf8"); const r = JSON.parse(t.slice(t.indexOf("{")));
  const p = r.payload ?? JSON.parse(r.payloadJSON ?? "null");
  if (!p || !p.base64) { console.log("ERROR " + t.slice(0, 300).replace(/\s+/g, " ")); process.exit(0); }
  console.log(Buffer.from(p.base64, "base64").length, p.codec, p.encoder, p.frames, p.durationMs);' $W/out.json; }
clip() {
  $NODE $OC gateway call node.invoke --json --timeout 180000 --url ws://127.0.0.1:$PORT --token $TOKEN \
    --params "{\"nodeId\":\"$ID\",\"command\":\"camera.clip\",\"params\":{\"deviceId\":\"testpattern\",\"durationMs\":$1},\"timeoutMs\":150000,\"idempotencyKey\":\"c$1\"}" > $W/out.json 2>&1
}
idle=$(hwm)
clip 2000; read -r probe codec encoder frames ms <<<"$(summary)"
if [ "$probe" = ERROR ] || [ -z "$probe" ]; then echo "probe clip failed: $(summary)"; tail -5 $W/node.log; kill $ND $GW; rm -rf $W; exit 1; fi
# The recorder's file limit for the default 25 MiB maxPayload: the gateway answers the caller with the result twice,
# so a result gets half of it less 4096 bytes (PayloadBudget); base64 of 3/4 of that, less the fields' JSON room.
limit=$(( ((26214400 - 4096) / 2 - 4096) / 4 * 3 ))
duration=$(awk -v l=$limit -v p=$probe -v f=$FILL 'BEGIN { d = int(l * f / p * 2000); print (d > 60000 ? 60000 : d) }')
before=$(hwm)
clip $duration; read -r size codec encoder frames ms <<<"$(summary)"
after=$(hwm)
echo "binary $BIN"
echo "idle VmHWM ${idle} kB; after a 2 s probe clip (${probe} bytes, $codec/$encoder) ${before} kB"
if [ "$size" = ERROR ]; then
  echo "clip of $duration ms failed: $(summary | cut -c1-300)"; tail -3 $W/node.log
  # The node may have answered (its log says ok) while the CLI's link dropped: its peak is still the node's cost.
  echo "VmHWM after the clip ${after} kB (the clip was sized to ~$(awk -v l=$limit -v f=$FILL 'BEGIN { printf "%d", l * f }') bytes at the probe's rate)"
  KEEP=$(mktemp -d); cp $W/gw.log $W/node.log $W/out.json $KEEP/ 2>/dev/null; echo "logs kept in $KEEP"
else
  echo "clip of $duration ms: $size bytes ($((size * 100 / limit)) % of the $limit-byte file budget), $frames frames, $codec/$encoder"
  echo "VmHWM after the clip ${after} kB = file + $(( (after * 1024 - size) / 1048576 )) MiB; over idle: file + $(( ((after - idle) * 1024 - size) / 1048576 )) MiB (target: file + 16 MB)"
fi
kill $ND $GW; wait $ND $GW 2>/dev/null; rm -rf $W
