#!/usr/bin/env bash
# Memory under load and after it, through the real gateway.
#   bench/soak.sh flood [BIN]   ten 60 MB stdout floods one at a time: idle RSS, peak RSS during the floods
#                               (sampled every 50 ms), RSS 10/30/60 s after the last one.
#   bench/soak.sh mix [BIN] [N] N (1000) mixed invokes — floods, camera snaps, clips, which — then 60 s idle;
#                               RSS logged every second to soak-rss.tsv (seconds since start, KiB).
# Extra node environment (GC knobs to compare) passes through, e.g. DOTNET_GCConserveMemory=5 bench/soak.sh flood.
# FLOODS (10) sets how many; FLOOD (a JSON argv) replaces the flood's command, e.g. FLOOD='["/bin/sh","-c","yes | head -c 60000000"]'.
unset FORCE_COLOR CLICOLOR_FORCE
set -u
FLOOD=${FLOOD:-'["/usr/bin/head","-c","60000000","/dev/zero"]'}
MODE=${1:-mix}; BIN=${2:-$(cd "$(dirname "$0")/.." && pwd)/dist/linux-x64/clawedge}; N=${3:-1000}
REPO=$(cd "$(dirname "$0")/.." && pwd)
C=$HOME/.cache/clawedge; NODE=$C/node-24.21.0/bin/node; OC=$C/openclaw-2026.9.6/node_modules/openclaw/openclaw.mjs
W=$(mktemp -d); OUT=$PWD; export HOME=$W NO_COLOR=1 TMPDIR=$W; mkdir -p $W/.openclaw
echo '{"gateway":{"nodes":{"commands":{"allow":["camera.snap","camera.clip","system.run","system.which"]}}}}' > $W/.openclaw/openclaw.json
PORT=$((20000 + RANDOM % 20000)); TOKEN=e2e-token
$NODE $OC gateway run --allow-unconfigured --bind loopback --port $PORT --token $TOKEN > $W/gw.log 2>&1 & GW=$!
for i in $(seq 90); do grep -q "\[gateway\] ready" $W/gw.log && break; sleep 1; done
OPENCLAW_GATEWAY_TOKEN=$TOKEN CLAWEDGE_Camera__Enabled=true CLAWEDGE_Camera__TestPattern=true \
  $BIN run --host 127.0.0.1 --port $PORT --state-dir $W/state > $W/node.log 2>&1 & ND=$!
for i in $(seq 60); do grep -q "openclaw nodes approve " $W/node.log && break; sleep 1; done
REQ=$(grep -o "openclaw nodes approve [^ ]*" $W/node.log | head -1 | awk '{print $4}')
$NODE $OC nodes approve $REQ --url ws://127.0.0.1:$PORT --token $TOKEN >/dev/null 2>&1
sleep 3
ID=$(grep -o " node [0-9a-f]\{64\}" $W/node.log | head -1 | awk '{print $2}')
$NODE $OC approvals allowlist add --node $ID /usr/bin/head --url ws://127.0.0.1:$PORT --token $TOKEN >/dev/null 2>&1
rss() { awk '/^VmRSS/{print $2}' /proc/$ND/status; }
# The anonymous part: what the node really holds (file-backed code pages are shared and dropped under pressure).
anon() { awk '/^RssAnon/{print $2}' /proc/$ND/status; }
sleep 20; IDLE=$(rss); IDLE_ANON=$(anon)
if [ "$MODE" = flood ]; then
  ( while kill -0 $ND 2>/dev/null; do rss; sleep 0.05; done ) > $W/fast.log & SAMPLER=$!
  $NODE $REPO/scripts/gateway-operator.mjs bench ws://127.0.0.1:$PORT $TOKEN $ID system.run \
    "{\"command\":$FLOOD,\"timeoutMs\":30000}" ${FLOODS:-10} > $W/flood.json
  kill $SAMPLER; PEAK=$(sort -n $W/fast.log | tail -1)
  sleep 10; A10=$(rss); sleep 20; A30=$(rss); sleep 30; A60=$(rss)
  echo "flood: idle ${IDLE} KiB, peak ${PEAK} KiB (+$(( (PEAK - IDLE) / 1024 )) MB), after 10 s ${A10}, 30 s ${A30}, 60 s ${A60} KiB (+$(( (A60 - IDLE) / 1024 )) MB); $(cat $W/flood.json)"
else
  START=$(date +%s)
  ( while kill -0 $ND 2>/dev/null; do echo "$(( $(date +%s) - START ))	$(rss)"; sleep 1; done ) > $OUT/soak-rss.tsv & SAMPLER=$!
  $NODE $REPO/scripts/gateway-operator.mjs soak ws://127.0.0.1:$PORT $TOKEN $ID $N > $W/soak.json 2>$W/soak.err
  END=$(date +%s); sleep 60; kill $SAMPLER; LAST_ANON=$(anon)
  PEAK=$(cut -f2 $OUT/soak-rss.tsv | sort -n | tail -1); LAST=$(tail -1 $OUT/soak-rss.tsv | cut -f2)
  echo "mix of $N invokes in $((END - START)) s: idle ${IDLE} KiB, peak ${PEAK} KiB, 60 s after ${LAST} KiB (+$(( (LAST - IDLE) / 1024 )) MB; anonymous ${IDLE_ANON} → ${LAST_ANON} KiB, +$(( (LAST_ANON - IDLE_ANON) / 1024 )) MB); $(cat $W/soak.json) $(head -3 $W/soak.err)"
  echo "RSS every second: $OUT/soak-rss.tsv"
fi
# SMAPS=1 keeps the node's /proc/<pid>/smaps at the end (which mappings hold the resident set: GC heap or malloc).
[ -n "${SMAPS:-}" ] && cp /proc/$ND/smaps $OUT/node-smaps.txt
kill $ND $GW; wait $ND $GW 2>/dev/null; rm -rf $W
