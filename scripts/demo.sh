#!/usr/bin/env bash
# The newcomer's demo (run through `./build.sh demo`): a real OpenClaw gateway on loopback with explicit
# device approval, a ClawEdge node, pairing done with the real `openclaw` CLI exactly as the node's log
# says, then `openclaw nodes status` and a `system.which` invoke.
set -euo pipefail
unset FORCE_COLOR CLICOLOR_FORCE # Node ignores NO_COLOR under FORCE_COLOR, and the log waits below want plain lines
. "$(dirname "$0")/../build/versions"
CACHE=${CLAWEDGE_CACHE:-$HOME/.cache/clawedge}
NODE=${CE_NODE_DIR:-$CACHE/node-$NODE_VERSION}/bin/node
OC=${CE_OPENCLAW_DIR:-$CACHE/openclaw-$OPENCLAW_VERSION}/node_modules/openclaw/openclaw.mjs
BIN=${CE_BIN_X64:-$(dirname "$0")/../dist/linux-x64/clawedge}
WORK=$(mktemp -d /tmp/clawedge-demo.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN=demo-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

step() { printf '\n\033[1;36m### %s\033[0m\n' "$*"; }
openclaw() { COLUMNS=160 HOME=$WORK/gateway NO_COLOR=1 "$NODE" "$OC" "$@" --url "ws://127.0.0.1:$PORT" --token "$TOKEN"; }
wait_for() { for _ in $(seq 240); do grep -q "$1" "$2" && return 0; sleep 0.25; done; echo "timed out waiting for '$1' in $2" >&2; cat "$2" >&2; exit 1; }

step "1. A real OpenClaw gateway (openclaw@$OPENCLAW_VERSION on Node $NODE_VERSION) on 127.0.0.1:$PORT, devices need explicit approval"
mkdir -p "$WORK/gateway/.openclaw"
echo '{"gateway":{"nodes":{"pairing":{"autoApproveLocal":false}}}}' > "$WORK/gateway/.openclaw/openclaw.json"
HOME=$WORK/gateway NO_COLOR=1 "$NODE" "$OC" gateway run --allow-unconfigured --bind loopback --port "$PORT" --token "$TOKEN" > "$WORK/gateway.log" 2>&1 &
pids+=($!)
wait_for '\[gateway\] ready' "$WORK/gateway.log"
echo "gateway ready"

step "2. clawedge run (one $(du -h "$BIN" | cut -f1) binary; the token comes from the environment, never the command line)"
echo "\$ OPENCLAW_GATEWAY_TOKEN=… clawedge run --port $PORT --display-name demo-pi --state-dir $WORK/node"
OPENCLAW_GATEWAY_TOKEN=$TOKEN "$BIN" run --port "$PORT" --display-name demo-pi --state-dir "$WORK/node" > "$WORK/node.log" 2>&1 &
pids+=($!)
wait_for 'openclaw devices approve' "$WORK/node.log"
cat "$WORK/node.log"

step "3. The operator runs the command the node printed"
request=$(grep -o 'openclaw devices approve [0-9a-f-]*' "$WORK/node.log" | head -1 | awk '{print $4}')
echo "\$ openclaw devices approve $request"
openclaw devices approve "$request" 2>&1 | tail -2
wait_for 'openclaw nodes approve' "$WORK/node.log"
surface=$(grep -o 'openclaw nodes approve [0-9a-f-]*' "$WORK/node.log" | head -1 | awk '{print $4}')
echo "\$ openclaw nodes approve $surface"
openclaw nodes approve "$surface" 2>&1 | tail -2
wait_for 'approved' "$WORK/node.log"

step "4. openclaw nodes status"
sleep 1
openclaw nodes status 2>&1 | grep -v '^\s*$'

step "5. openclaw nodes invoke --node demo-pi --command system.which --params '{\"bins\":[\"sh\",\"ls\",\"no-such-tool\"]}'"
openclaw nodes invoke --node demo-pi --command system.which --params '{"bins":["sh","ls","no-such-tool"]}' --json 2>&1 | sed -n '/"payload"/,/^  }/p'

step "The node's log"
cat "$WORK/node.log"
printf '\n\033[1;32mDemo complete: a ClawEdge node paired with and served the real OpenClaw gateway.\033[0m\n'
