#!/usr/bin/env bash
# Exec benchmark: ClawEdge vs the reference node host (`openclaw node run`) on one real gateway.
# Round trips of node.invoke system.which and system.run /bin/true from one persistent operator
# connection (scripts/gateway-operator.mjs), and ClawEdge's node-side overhead from its debug log
# (receive → child spawned, child reaped → result ready).
#
#   ./build.sh publish linux-x64 && bench/exec.sh            # COUNT=300 by default
set -euo pipefail
unset FORCE_COLOR CLICOLOR_FORCE # Node ignores NO_COLOR under FORCE_COLOR, and the log waits below want plain lines
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/../build/versions"
CACHE=${CLAWEDGE_CACHE:-$HOME/.cache/clawedge}
NODE=${CE_NODE_DIR:-$CACHE/node-$NODE_VERSION}/bin/node
OC=${CE_OPENCLAW_DIR:-$CACHE/openclaw-$OPENCLAW_VERSION}/node_modules/openclaw/openclaw.mjs
BIN=${CE_BIN_X64:-$ROOT/dist/linux-x64/clawedge}
COUNT=${COUNT:-300}
TOKEN=bench-exec-token
WORK=$(mktemp -d /tmp/ce-bench-exec.XXXXXX)
PORT=$("$NODE" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
  sleep 1
  rm -rf "$WORK" 2>/dev/null || true
}
trap cleanup EXIT

mkdir -p "$WORK/gw/.openclaw" "$WORK/gw/tmp" "$WORK/ref/tmp" "$WORK/ce"
echo '{}' > "$WORK/gw/.openclaw/openclaw.json"
oc() { HOME="$WORK/gw" TMPDIR="$WORK/gw/tmp" NO_COLOR=1 "$NODE" "$OC" "$@" --url "ws://127.0.0.1:$PORT" --token "$TOKEN"; }
wait_for() { # file pattern seconds
  for _ in $(seq "$3"); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 1; done
  echo "timed out waiting for '$2' in $1" >&2; tail -20 "$1" >&2; return 1
}

echo "gateway on 127.0.0.1:$PORT" >&2
HOME="$WORK/gw" TMPDIR="$WORK/gw/tmp" NO_COLOR=1 setsid "$NODE" "$OC" gateway run --allow-unconfigured --bind loopback \
  --port "$PORT" --token "$TOKEN" > "$WORK/gw.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/gw.log" "\[gateway\] ready" 90

# ClawEdge: allow /bin/true locally, start, approve its command surface.
"$BIN" approvals allow /bin/true --state-dir "$WORK/ce" > /dev/null 2>&1
OPENCLAW_GATEWAY_TOKEN=$TOKEN setsid "$BIN" run --host 127.0.0.1 --port "$PORT" --state-dir "$WORK/ce" \
  --display-name ce-bench --log-level debug > "$WORK/ce.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/ce.log" "openclaw nodes approve " 60
oc nodes approve "$(grep -o 'openclaw nodes approve [0-9a-f-]*' "$WORK/ce.log" | head -1 | awk '{print $4}')" > /dev/null
CE_ID=$(grep -o 'node [0-9a-f]\{64\}' "$WORK/ce.log" | head -1 | awk '{print $2}')

# Reference node host, own HOME; approve whatever it asks for.
HOME="$WORK/ref" TMPDIR="$WORK/ref/tmp" OPENCLAW_GATEWAY_TOKEN=$TOKEN NO_COLOR=1 setsid "$NODE" "$OC" node run \
  --host 127.0.0.1 --port "$PORT" --display-name ref-bench > "$WORK/ref.log" 2>&1 &
PIDS+=($!)
REF_ID=""
for _ in $(seq 90); do
  for req in $(oc devices list --json 2>/dev/null | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{for(const r of JSON.parse(s).pending??[])console.log(r.requestId)}catch{}})'); do
    oc devices approve "$req" > /dev/null 2>&1 || true
  done
  for req in $(oc nodes pending --json 2>/dev/null | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const j=JSON.parse(s);for(const r of (j.pending??j.requests??j))console.log(r.requestId??r.id)}catch{}})'); do
    oc nodes approve "$req" > /dev/null 2>&1 || true
  done
  REF_ID=$(oc nodes status --json 2>/dev/null | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const n=(j.nodes??[]).find(n=>n.displayName==="ref-bench"&&n.connected&&JSON.stringify(n).includes("system.run"));if(n)console.log(n.nodeId)})') || true
  [ -n "$REF_ID" ] && break
  sleep 1
done
[ -n "$REF_ID" ] || { echo "reference node did not come up" >&2; tail -30 "$WORK/ref.log" >&2; exit 1; }

# Same policy on the reference: allowlist with /bin/true (falls back to full if this release cannot persist allowlist use).
printf '{"version":1,"defaults":{"security":"allowlist","ask":"off","askFallback":"deny"},"agents":{"*":{"allowlist":[{"pattern":"/usr/bin/true"},{"pattern":"/bin/true"}]}}}' > "$WORK/ref-approvals.json"
oc approvals set --node "$REF_ID" --file "$WORK/ref-approvals.json" > /dev/null
op() { "$NODE" "$ROOT/scripts/gateway-operator.mjs" bench "ws://127.0.0.1:$PORT" "$TOKEN" "$@"; }
REF_POLICY=allowlist
if ! op "$REF_ID" system.run '{"command":["/bin/true"]}' 1 | grep -q '"errors":0'; then
  printf '{"version":1,"defaults":{"security":"full","ask":"off","askFallback":"full"},"agents":{}}' > "$WORK/ref-approvals.json"
  oc approvals set --node "$REF_ID" --file "$WORK/ref-approvals.json" > /dev/null
  REF_POLICY=full
fi

echo "ClawEdge $CE_ID, reference $REF_ID (policy $REF_POLICY), $COUNT calls each" >&2
: > "$WORK/results.jsonl"
for pass in 1 2; do # interleaved, so both see the same machine load
  for who in ce ref; do
    id=$CE_ID; [ "$who" = ref ] && id=$REF_ID
    op "$id" system.which '{"bins":["sh"]}' "$((COUNT / 2))" | sed "s/^{/{\"node\":\"$who\",/" >> "$WORK/results.jsonl"
    op "$id" system.run '{"command":["/bin/true"]}' "$((COUNT / 2))" | sed "s/^{/{\"node\":\"$who\",/" >> "$WORK/results.jsonl"
  done
done

"$NODE" - "$WORK/results.jsonl" "$WORK/ce.log" "$REF_POLICY" <<'EOF'
const fs = require("fs");
const [results, log, refPolicy] = process.argv.slice(2);
const rows = fs.readFileSync(results, "utf8").trim().split("\n").map(JSON.parse);
const merge = (node, command) => rows.filter(r => r.node === node && r.command === command);
const q = (xs, p) => { xs = [...xs].sort((a, b) => a - b); return xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]; };
console.log(`| node | command | calls | errors | median ms | p99 ms |`);
console.log(`|---|---|---|---|---|---|`);
for (const node of ["ce", "ref"]) for (const command of ["system.which", "system.run"]) {
  const rs = merge(node, command);
  const calls = rs.reduce((a, r) => a + r.count, 0), errors = rs.reduce((a, r) => a + r.errors, 0);
  // medians of the two passes averaged; p99 the worse of the two
  const med = rs.reduce((a, r) => a + r.medianMs, 0) / rs.length, p99 = Math.max(...rs.map(r => r.p99Ms));
  const label = node === "ce" ? "ClawEdge" : `reference (security=${refPolicy})`;
  console.log(`| ${label} | ${command}${command === "system.run" ? " /bin/true" : ""} | ${calls} | ${errors} | ${med.toFixed(2)} | ${p99.toFixed(2)} |`);
}
const pre = [], post = [];
for (const line of fs.readFileSync(log, "utf8").split("\n")) {
  const m = /receive→spawn=(\d+)us exit→result=(\d+)us/.exec(line);
  if (m) { pre.push(+m[1]); post.push(+m[2]); }
}
console.log("");
console.log(`ClawEdge node-side overhead over ${pre.length} system.run calls (µs): receive→spawn median ${q(pre, 0.5)}, p99 ${q(pre, 0.99)}; ` +
  `child reaped→result ready median ${q(post, 0.5)}, p99 ${q(post, 0.99)}`);
EOF
