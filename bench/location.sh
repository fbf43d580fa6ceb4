#!/usr/bin/env bash
# Location benchmark: location.get latency against a real gpsd (gpsfake replaying a generated NMEA track, 1 fix/s),
# cold (a new gpsd connection, WATCH + POLL) and cached (maxAgeMs), timed inside the node binary
# (`clawedge location bench`: params, source, result JSON, through the command registry); then a node with
# location enabled connected to a real gateway: its RSS, its CPU while idle, and the sockets it holds to gpsd
# while idle (must be none) and after a call through the real CLI.
#
#   ./build.sh publish linux-x64 && bench/location.sh        # COUNT=200 IDLE=60 by default
set -euo pipefail
unset FORCE_COLOR CLICOLOR_FORCE
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CLAWEDGE_CACHE:-$HOME/.cache/clawedge}
NODE=${CE_NODE_DIR:-$CACHE/node-24.21.0}/bin/node
OC=${CE_OPENCLAW_DIR:-$CACHE/openclaw-2026.9.6}/node_modules/openclaw/openclaw.mjs
BIN=${CE_BIN_X64:-$ROOT/dist/linux-x64/clawedge}
COUNT=${COUNT:-200}
IDLE=${IDLE:-60}
TOKEN=bench-location-token
WORK=$(mktemp -d /tmp/ce-bench-location.XXXXXX)
free_port() { "$NODE" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
PORT=$(free_port); GPSD_PORT=$(free_port)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
  sleep 1
  rm -rf "$WORK" 2>/dev/null || true
}
trap cleanup EXIT
wait_for() { # file pattern seconds
  for _ in $(seq "$3"); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 1; done
  echo "timed out waiting for '$2' in $1" >&2; tail -20 "$1" >&2; return 1
}

# A 20-minute track from now, one GGA+RMC pair a second, checksums computed.
python3 - "$WORK/track.nmea" <<'PY'
import datetime, functools, sys
ck = lambda s: "%02X" % functools.reduce(lambda a, c: a ^ ord(c), s, 0)
t0 = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
with open(sys.argv[1], "w") as f:
    for i in range(1200):
        t = t0 + datetime.timedelta(seconds=i); hms = t.strftime("%H%M%S") + ".00"; d = t.strftime("%d%m%y")
        lat = "%010.5f" % (4807.03800 + i * 0.00010)
        for s in (f"GPGGA,{hms},{lat},N,01131.00000,E,1,08,0.9,545.4,M,46.9,M,,",
                  f"GPRMC,{hms},A,{lat},N,01131.00000,E,12.3,84.4,{d},,,A"):
            f.write(f"${s}*{ck(s)}\r\n")
PY
setsid gpsfake -q -n -c 0.5 -P "$GPSD_PORT" "$WORK/track.nmea" > "$WORK/gpsfake.log" 2>&1 &
PIDS+=($!)
sleep 3
export CLAWEDGE_Location__Enabled=true CLAWEDGE_Location__Source=gpsd CLAWEDGE_Location__Gpsd=127.0.0.1:$GPSD_PORT
echo "== location.get inside the node binary, gpsd at 127.0.0.1:$GPSD_PORT, $COUNT calls each"
"$BIN" location get
"$BIN" location bench --count "$COUNT"

echo "== node with location enabled on a real gateway (127.0.0.1:$PORT)"
mkdir -p "$WORK/gw/.openclaw" "$WORK/gw/tmp" "$WORK/ce"
echo '{}' > "$WORK/gw/.openclaw/openclaw.json"
oc() { HOME="$WORK/gw" TMPDIR="$WORK/gw/tmp" NO_COLOR=1 "$NODE" "$OC" "$@" --url "ws://127.0.0.1:$PORT" --token "$TOKEN"; }
HOME="$WORK/gw" TMPDIR="$WORK/gw/tmp" NO_COLOR=1 setsid "$NODE" "$OC" gateway run --allow-unconfigured --bind loopback \
  --port "$PORT" --token "$TOKEN" > "$WORK/gw.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/gw.log" "\[gateway\] ready" 180
OPENCLAW_GATEWAY_TOKEN=$TOKEN setsid "$BIN" run --host 127.0.0.1 --port "$PORT" --state-dir "$WORK/ce" \
  --display-name ce-location-bench > "$WORK/ce.log" 2>&1 &
CE_PID=$!
PIDS+=($CE_PID)
wait_for "$WORK/ce.log" "openclaw nodes approve " 60
oc nodes approve "$(grep -o 'openclaw nodes approve [0-9a-f-]*' "$WORK/ce.log" | head -1 | awk '{print $4}')" > /dev/null
CE_ID=$(grep -o 'node [0-9a-f]\{64\}' "$WORK/ce.log" | head -1 | awk '{print $2}')
sleep 5

gpsd_sockets() { # established TCP connections from the node to gpsd's port
  local hex; hex=$(printf '%04X' "$GPSD_PORT")
  local inodes; inodes=$(ls -l "/proc/$CE_PID/fd" 2>/dev/null | grep -o 'socket:\[[0-9]*\]' | grep -o '[0-9]*' || true)
  local n=0
  for ino in $inodes; do awk -v ino="$ino" -v port=":$hex" '$10==ino && $3 ~ port' /proc/net/tcp /proc/net/tcp6 | grep -q . && n=$((n+1)); done
  echo "$n"
}
ticks() { awk '{print $14+$15}' "/proc/$CE_PID/stat"; }
HZ=$(getconf CLK_TCK)
echo "gpsd connections while idle: $(gpsd_sockets)"
t0=$(ticks); sleep "$IDLE"; t1=$(ticks)
awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v s="$IDLE" 'BEGIN{printf "idle CPU over %d s: %.2f s of CPU (%.3f %%)\n", s, (b-a)/hz, 100*(b-a)/hz/s}'
grep -E '^(VmRSS|VmHWM)' "/proc/$CE_PID/status"
start=$(date +%s%N)
oc nodes location get --node "$CE_ID" --json
end=$(date +%s%N)
echo "openclaw nodes location get (CLI process included): $(( (end-start)/1000000 )) ms"
sleep 1
echo "gpsd connections after the call: $(gpsd_sockets)"
grep -E '^(VmRSS|VmHWM)' "/proc/$CE_PID/status"
grep 'invoke location.get' "$WORK/ce.log" | tail -1
