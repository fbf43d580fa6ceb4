#!/usr/bin/env bash
# Reconnect benchmark, ClawEdge and the reference node host (`openclaw node run`) on the same gateway in one run:
# the gateway is restarted N times (SIGTERM and SIGKILL alternating) and for each restart we record the time from
# "the gateway port accepts a TCP connect" (probed every 10 ms) to each node's hello-ok log line
# (ClawEdge: "connected to", reference: "node host gateway connected").
# Two modes: "long" (links live LIVE seconds before each restart, default 60) and "flap" (restart every 10–25 s).
# Usage: ./build.sh setup && ./build.sh publish linux-x64 && bench/reconnect.sh [restarts=20] [live=60] [modes="long flap"]
set -euo pipefail
unset FORCE_COLOR CLICOLOR_FORCE # Node ignores NO_COLOR under FORCE_COLOR, and the log waits below want plain lines
cd "$(dirname "$0")/.."
CACHE=${CLAWEDGE_CACHE:-$HOME/.cache/clawedge}
NODE=$CACHE/node-24.21.0/bin/node
OC=$CACHE/openclaw-2026.9.6/node_modules/openclaw/openclaw.mjs
BIN=${BIN:-dist/linux-x64/clawedge}
RESTARTS=${1:-20}
LIVE=${2:-60}
MODES=${3:-long flap}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

NODE="$NODE" OC="$OC" BIN="$BIN" WORK="$WORK" RESTARTS="$RESTARTS" LIVE="$LIVE" MODES="$MODES" python3 - <<'PY'
import os, random, signal, socket, statistics, subprocess, time

node, oc, binary, work = os.environ["NODE"], os.environ["OC"], os.environ["BIN"], os.environ["WORK"]
restarts, live, modes = int(os.environ["RESTARTS"]), int(os.environ["LIVE"]), os.environ["MODES"].split()
token = "bench-token"
with socket.socket() as s:
    s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
env["NO_COLOR"] = "1"
gw_home = os.path.join(work, "gw"); os.makedirs(os.path.join(gw_home, ".openclaw"))
open(os.path.join(gw_home, ".openclaw", "openclaw.json"), "w").write("{}")
random.seed(9)

def start_gateway():
    log = open(os.path.join(work, "gw.log"), "ab")
    return subprocess.Popen([node, oc, "gateway", "run", "--allow-unconfigured", "--bind", "loopback", "--port", str(port), "--token", token],
                            env={**env, "HOME": gw_home}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

def accepts():
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.05):
            return True
    except OSError:
        return False

def lines(path, needle):
    try:
        return sum(1 for line in open(path, errors="replace") if needle in line)
    except FileNotFoundError:
        return 0

def stop(p, sig):
    try:
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        pass
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL); p.wait()

nodes = {
    "clawedge": (os.path.join(work, "ce.log"), "connected to ",
                 [binary, "run", "--host", "127.0.0.1", "--port", str(port), "--state-dir", os.path.join(work, "ce")], {}),
    "reference": (os.path.join(work, "ref.log"), "node host gateway connected",
                  [node, oc, "node", "run", "--host", "127.0.0.1", "--port", str(port)], {"HOME": os.path.join(work, "ref")}),
}
os.makedirs(os.path.join(work, "ref"))
gateway = start_gateway()
while not accepts():
    time.sleep(0.05)
children = []
for name, (log, needle, argv, extra) in nodes.items():
    children.append(subprocess.Popen(argv, env={**env, "OPENCLAW_GATEWAY_TOKEN": token, **extra}, cwd=work,
                                     stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True))
deadline = time.time() + 120
while time.time() < deadline and not all(lines(log, needle) for log, needle, _, _ in nodes.values()):
    time.sleep(0.1)
if not all(lines(log, needle) for log, needle, _, _ in nodes.values()):
    raise SystemExit("a node did not connect at all; see the logs in " + work)

results = {}
for mode in modes:
    delays = {name: [] for name in nodes}
    for i in range(restarts):
        time.sleep(live if mode == "long" else random.uniform(10, 25))
        seen = {name: lines(log, needle) for name, (log, needle, _, _) in nodes.items()}
        stop(gateway, signal.SIGTERM if i % 2 == 0 else signal.SIGKILL)
        down = random.uniform(1, 3)  # a restart's down time: process exit, then a new one starts
        time.sleep(down)
        gateway = start_gateway()
        while not accepts():
            time.sleep(0.01)
        accepted = time.monotonic()
        pending = set(nodes)
        while pending and time.monotonic() - accepted < 120:
            for name in list(pending):
                log, needle, _, _ = nodes[name]
                if lines(log, needle) > seen[name]:
                    delays[name].append(time.monotonic() - accepted)
                    pending.discard(name)
            time.sleep(0.01)
        for name in pending:
            delays[name].append(float("inf"))
        print(f"{mode} {i + 1}/{restarts}: " + ", ".join(f"{n} {delays[n][-1]:.2f} s" for n in nodes), flush=True)
    results[mode] = delays

for c in children:
    stop(c, signal.SIGTERM)
stop(gateway, signal.SIGTERM)
print()
print("| after a gateway restart: port accepts → node connected | ClawEdge median / max | reference median / max |")
print("|---|---|---|")
for mode, delays in results.items():
    label = f"links lived {live} s" if mode == "long" else "gateway restarted every 10–25 s"
    cells = [f"{statistics.median(d):.2f} s / {max(d):.2f} s" for d in (delays["clawedge"], delays["reference"])]
    print(f"| {label}, {restarts} restarts (SIGTERM/SIGKILL alternating) | {cells[0]} | {cells[1]} |")
PY
