#!/usr/bin/env bash
# camera.snap round trip through the real gateway: `gateway call node.invoke` wall time for camera.snap minus system.which (CLI start-up cancels out).
unset FORCE_COLOR CLICOLOR_FORCE # Node ignores NO_COLOR under FORCE_COLOR, and the log waits below want plain lines
set -u
. "$(dirname "$0")/../build/versions"
C=$HOME/.cache/clawedge; NODE=$C/node-$NODE_VERSION/bin/node; OC=$C/openclaw-$OPENCLAW_VERSION/node_modules/openclaw/openclaw.mjs
BIN=$(realpath "${1:-$(dirname "$0")/../dist/linux-x64/clawedge}")
W=$(mktemp -d); export HOME=$W NO_COLOR=1 TMPDIR=$W; mkdir -p $W/.openclaw
echo '{"gateway":{"nodes":{"commands":{"allow":["camera.snap"]}}}}' > $W/.openclaw/openclaw.json
PORT=$((20000 + RANDOM % 20000)); TOKEN=e2e-token
$NODE $OC gateway run --allow-unconfigured --bind loopback --port $PORT --token $TOKEN > $W/gw.log 2>&1 & GW=$!
for i in $(seq 90); do grep -q "\[gateway\] ready" $W/gw.log && break; sleep 1; done
OPENCLAW_GATEWAY_TOKEN=$TOKEN CLAWEDGE_Camera__Enabled=true CLAWEDGE_Camera__TestPattern=true CLAWEDGE_Camera__TestPatternWidth=1920 CLAWEDGE_Camera__TestPatternHeight=1080 \
  $BIN run --host 127.0.0.1 --port $PORT --state-dir $W/state > $W/node.log 2>&1 & ND=$!
for i in $(seq 60); do grep -q "openclaw nodes approve " $W/node.log && break; sleep 1; done
REQ=$(grep -o "openclaw nodes approve [^ ]*" $W/node.log | head -1 | awk '{print $4}')
$NODE $OC nodes approve $REQ --url ws://127.0.0.1:$PORT --token $TOKEN >/dev/null 2>&1
sleep 3
ID=$(grep -o " node [0-9a-f]\{64\}" $W/node.log | head -1 | awk '{print $2}')
call() { local s=$(date +%s%N); $NODE $OC gateway call node.invoke --json --url ws://127.0.0.1:$PORT --token $TOKEN --params "$1" > $W/out.json 2>&1; echo $(( ($(date +%s%N) - s) / 1000000 )); }
for i in 1 2 3 4 5; do
  a=$(call "{\"nodeId\":\"$ID\",\"command\":\"system.which\",\"params\":{\"bins\":[\"sh\"]},\"idempotencyKey\":\"w$i\"}")
  b=$(call "{\"nodeId\":\"$ID\",\"command\":\"camera.snap\",\"params\":{\"deviceId\":\"testpattern\",\"delayMs\":0},\"idempotencyKey\":\"s$i\"}")
  sz=$(wc -c < $W/out.json)
  echo "which ${a} ms, snap ${b} ms (1920x1080 YUYV → 1600x900 JPEG, response ${sz} bytes), snap − which $((b - a)) ms"
done
kill $ND $GW; wait $ND $GW 2>/dev/null; rm -rf $W
