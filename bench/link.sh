#!/usr/bin/env bash
# Link benchmark, ClawEdge against the reference headless node host (`openclaw node run`) in the same run:
# binary/install size, start to hello-ok, idle RSS after 60 s connected, CPU seconds used in 60 s idle.
# Usage: ./build.sh setup && ./build.sh publish linux-x64 && ./build.sh publish linux-arm64 && bench/link.sh [runs]
set -euo pipefail
unset FORCE_COLOR CLICOLOR_FORCE # Node ignores NO_COLOR under FORCE_COLOR, and the log waits below want plain lines
cd "$(dirname "$0")/.."
. "$(dirname "$0")/../build/versions"
CACHE=${CLAWEDGE_CACHE:-$HOME/.cache/clawedge}
NODE=$CACHE/node-$NODE_VERSION/bin/node
OC=$CACHE/openclaw-$OPENCLAW_VERSION/node_modules/openclaw/openclaw.mjs
BIN=dist/linux-x64/clawedge
RUNS=${1:-20}
TOKEN=bench-token
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

mkdir -p "$WORK/gw/.openclaw" "$WORK/ref"
echo '{}' > "$WORK/gw/.openclaw/openclaw.json"
HOME=$WORK/gw NO_COLOR=1 "$NODE" "$OC" gateway run --allow-unconfigured --bind loopback --port "$PORT" --token "$TOKEN" > "$WORK/gw.log" 2>&1 &
pids+=($!)
for _ in $(seq 180); do grep -q '\[gateway\] ready' "$WORK/gw.log" && break; sleep 0.5; done

ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Start → hello-ok: --once-connected-exit returns right after hello-ok (plus a close frame).
OPENCLAW_GATEWAY_TOKEN=$TOKEN $BIN run --port "$PORT" --state-dir "$WORK/ce" --once-connected-exit >/dev/null 2>&1 # identity created once
for _ in $(seq "$RUNS"); do
  t0=$(ms); OPENCLAW_GATEWAY_TOKEN=$TOKEN $BIN run --port "$PORT" --state-dir "$WORK/ce" --once-connected-exit >/dev/null 2>&1; t1=$(ms)
  echo $((t1 - t0))
done > "$WORK/ce-start.txt"

# Reference: time until its node host logs the first successful connect.
for _ in $(seq 3); do
  t0=$(ms)
  (cd "$WORK" && HOME=$WORK/ref NO_COLOR=1 OPENCLAW_GATEWAY_TOKEN=$TOKEN "$NODE" "$OC" node run --host 127.0.0.1 --port "$PORT" > "$WORK/ref-start.log" 2>&1) &
  rp=$!
  for _ in $(seq 600); do
    if grep -qiE 'connected|hello' "$WORK/ref-start.log"; then break; fi
    if HOME=$WORK/gw "$NODE" "$OC" nodes status --json --url "ws://127.0.0.1:$PORT" --token "$TOKEN" 2>/dev/null | grep -q '"connected": true'; then break; fi
    sleep 0.05
  done
  t1=$(ms); echo $((t1 - t0)) >> "$WORK/ref-start.txt"
  pkill -P $rp 2>/dev/null || true; kill $rp 2>/dev/null || true; wait $rp 2>/dev/null || true
done

tree_pids() { local p=$1; echo "$p"; for c in $(pgrep -P "$p"); do tree_pids "$c"; done; }
rss_kb() { local sum=0; for p in $(tree_pids "$1"); do v=$(awk '/VmRSS/{print $2}' /proc/$p/status 2>/dev/null || echo 0); sum=$((sum + ${v:-0})); done; echo $sum; }
cpu_ticks() { local sum=0; for p in $(tree_pids "$1"); do v=$(awk '{print $14+$15}' /proc/$p/stat 2>/dev/null || echo 0); sum=$((sum + ${v:-0})); done; echo $sum; }

# Idle: both nodes connected side by side for 60 s.
OPENCLAW_GATEWAY_TOKEN=$TOKEN $BIN run --port "$PORT" --state-dir "$WORK/ce" > "$WORK/ce-idle.log" 2>&1 &
ce=$!; pids+=($ce)
(cd "$WORK" && HOME=$WORK/ref NO_COLOR=1 OPENCLAW_GATEWAY_TOKEN=$TOKEN exec "$NODE" "$OC" node run --host 127.0.0.1 --port "$PORT" > "$WORK/ref-idle.log" 2>&1) &
ref=$!; pids+=($ref)
sleep 5
ce0=$(cpu_ticks $ce); ref0=$(cpu_ticks $ref)
sleep 60
ce1=$(cpu_ticks $ce); ref1=$(cpu_ticks $ref)
ce_rss=$(rss_kb $ce); ref_rss=$(rss_kb $ref)
hz=$(getconf CLK_TCK)

size() { stat -c %s "$1"; }
ref_install=$(du -sb "$CACHE/node-$NODE_VERSION" "$CACHE/openclaw-$OPENCLAW_VERSION" | awk '{s+=$1} END {print s}')
ce_start=$(median < "$WORK/ce-start.txt"); ref_start=$(median < "$WORK/ref-start.txt")

printf '| measure | ClawEdge | reference (openclaw node run) | ratio |\n|---|---|---|---|\n'
printf '| on-disk size (x64) | %.2f MB binary | %.0f MB (Node 24 + openclaw) | 1/%.0f |\n' "$(echo "$(size $BIN)/1000000" | bc -l)" "$(echo "$ref_install/1000000" | bc -l)" "$(echo "$ref_install/$(size $BIN)" | bc -l)"
[ -f dist/linux-arm64/clawedge ] && printf '| on-disk size (arm64) | %.2f MB binary | — | |\n' "$(echo "$(size dist/linux-arm64/clawedge)/1000000" | bc -l)"
printf '| start → hello-ok, median | %d ms (%d runs, incl. close) | %d ms (3 runs) | 1/%.0f |\n' "$ce_start" "$RUNS" "$ref_start" "$(echo "$ref_start/$ce_start" | bc -l)"
printf '| idle RSS after 60 s connected | %.1f MB | %.1f MB | 1/%.0f |\n' "$(echo "$ce_rss/1024" | bc -l)" "$(echo "$ref_rss/1024" | bc -l)" "$(echo "$ref_rss/$ce_rss" | bc -l)"
printf '| CPU in 60 s idle | %.2f s | %.2f s | |\n' "$(echo "($ce1-$ce0)/$hz" | bc -l)" "$(echo "($ref1-$ref0)/$hz" | bc -l)"
