#!/usr/bin/env bash
# CPU and peak RSS of the node recording a camera.clip with and without audio, through the real gateway, and of
# FFmpeg recording the same tone (from its file, paced) with libx264 + AAC 128k (the reference's line) and + libopus.
# The microphone is a tone (1 kHz, silence, 440 Hz, 6 s, looped by the file plugin's re-reads) as ALSA's file
# plugin over a null slave, declared in a config the node and FFmpeg read through ALSA_CONFIG_PATH: no sound card needed.
#   bench/clip-audio.sh [path/to/clawedge] [seconds, default 60]
# Needs ./build.sh setup. Prints CPU seconds (user+sys) and VmHWM per run.
unset FORCE_COLOR CLICOLOR_FORCE
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/build/versions"
C=$HOME/.cache/clawedge; NODE=$C/node-$NODE_VERSION/bin/node; OC=$C/openclaw-$OPENCLAW_VERSION/node_modules/openclaw/openclaw.mjs
BIN=$(realpath "${1:-$ROOT/dist/linux-x64/clawedge}"); SECONDS_CLIP=${2:-60}
W=$(mktemp -d); export HOME=$W NO_COLOR=1 TMPDIR=$W; mkdir -p $W/.openclaw
echo '{"gateway":{"nodes":{"commands":{"allow":["camera.clip"]}}}}' > $W/.openclaw/openclaw.json
python3 - "$W/tone.s16" <<'PY'
import math, struct, sys
rate = 48000
def s(t): return math.sin(2*math.pi*1000*t) if t < 2 else 0.0 if t < 2.5 else math.sin(2*math.pi*440*t)
open(sys.argv[1], "wb").write(b"".join(struct.pack("<h", int(12000*s(i/rate))) for i in range(6*rate)))
PY
cat > $W/asound.conf <<CONF
pcm.tone { type file slave.pcm { type null } file "/dev/null" infile "$W/tone.s16" format "raw" }
CONF
export ALSA_CONFIG_PATH=$W/asound.conf
PORT=$((20000 + RANDOM % 20000)); TOKEN=e2e-token
for try in 1 2 3 4 5 6; do
  $NODE $OC gateway run --allow-unconfigured --bind loopback --port $PORT --token $TOKEN > $W/gw.log 2>&1 & GW=$!
  for i in $(seq 600); do grep -q "\[gateway\] ready" $W/gw.log && break; kill -0 $GW 2>/dev/null || break; sleep 1; done
  grep -q "\[gateway\] ready" $W/gw.log && break
done
grep -q "\[gateway\] ready" $W/gw.log || { echo "gateway did not start"; tail -5 $W/gw.log; kill $GW; rm -rf $W; exit 1; }
OPENCLAW_GATEWAY_TOKEN=$TOKEN CLAWEDGE_Camera__Enabled=true CLAWEDGE_Camera__TestPattern=true CLAWEDGE_Audio__Device=tone \
  CLAWEDGE_Camera__TestPatternWidth=1280 CLAWEDGE_Camera__TestPatternHeight=720 CLAWEDGE_Camera__TestPatternFps=30 \
  $BIN run --host 127.0.0.1 --port $PORT --state-dir $W/state > $W/node.log 2>&1 & ND=$!
for i in $(seq 300); do grep -q "openclaw nodes approve " $W/node.log && break; sleep 1; done
REQ=$(grep -o "openclaw nodes approve [^ ]*" $W/node.log | head -1 | awk '{print $4}')
$NODE $OC nodes approve $REQ --url ws://127.0.0.1:$PORT --token $TOKEN >/dev/null 2>&1
sleep 3
ID=$(grep -o " node [0-9a-f]\{64\}" $W/node.log | head -1 | awk '{print $2}')
cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' /proc/$ND/stat; } # utime + stime, clock ticks of 1/100 s
hwm() { awk '/^VmHWM/{print $2}' /proc/$ND/status; }
clip() { # $1 includeAudio
  $NODE $OC gateway call node.invoke --json --timeout 180000 --url ws://127.0.0.1:$PORT --token $TOKEN \
    --params "{\"nodeId\":\"$ID\",\"command\":\"camera.clip\",\"params\":{\"deviceId\":\"testpattern\",\"durationMs\":$((SECONDS_CLIP * 1000)),\"includeAudio\":$1},\"timeoutMs\":150000,\"idempotencyKey\":\"a$1\"}" > $W/out.json 2>&1
  $NODE -e 'const t = require("fs").readFileSync(process.argv[1], "utf8"); const r = JSON.parse(t.slice(t.indexOf("{")));
    const p = r.payload ?? JSON.parse(r.payloadJSON ?? "null");
    console.log(p ? `${Buffer.from(p.base64, "base64").length} bytes, ${p.codec}/${p.encoder}, ${p.frames} frames, hasAudio ${p.hasAudio} ${p.audio ?? ""}` : "ERROR " + t.slice(0, 200));' $W/out.json
}
echo "binary $BIN, ${SECONDS_CLIP} s clips of the 1280x720/30 test pattern, audio device: tone"
for audio in false true false true; do
  c0=$(cpu); info=$(clip $audio); c1=$(cpu)
  echo "node includeAudio=$audio: CPU $(awk -v a=$c0 -v b=$c1 'BEGIN{printf "%.2f", b-a}') s; $info; VmHWM $(hwm) kB"
done
grep "audio from" $W/node.log | tail -1 | sed 's/^/node log: /'
kill $ND $GW; wait $ND $GW 2>/dev/null
for a in "aac -b:a 128k" "libopus -b:a 48k"; do
  # The tone file itself, paced by -re: FFmpeg's ALSA input takes the unpaced null device at its word.
  /usr/bin/time -f "%U %S %M" -o $W/time.txt ffmpeg -v error -nostdin -re -f lavfi -i testsrc2=size=1280x720:rate=30 -re -stream_loop -1 -f s16le -ar 48000 -ac 1 -i $W/tone.s16 \
    -t $SECONDS_CLIP -c:v libx264 -preset ultrafast -tune zerolatency -c:a $a -y $W/ff.mp4
  read -r u s m < $W/time.txt
  echo "ffmpeg testsrc2 + the tone, libx264 ultrafast/zerolatency + $a: CPU $(awk -v u=$u -v s=$s 'BEGIN{printf "%.2f", u+s}') s, max RSS $m kB, $(stat -c %s $W/ff.mp4) bytes"
done
/usr/bin/time -f "%U %S %M" -o $W/time.txt ffmpeg -v error -nostdin -re -stream_loop -1 -f s16le -ar 48000 -ac 1 -i $W/tone.s16 -t $SECONDS_CLIP -c:a aac -b:a 128k -y $W/ffa.mp4
read -r u s m < $W/time.txt; echo "ffmpeg audio only, the tone + aac 128k: CPU $(awk -v u=$u -v s=$s 'BEGIN{printf "%.2f", u+s}') s, max RSS $m kB"
/usr/bin/time -f "%U %S %M" -o $W/time.txt ffmpeg -v error -nostdin -re -stream_loop -1 -f s16le -ar 48000 -ac 1 -i $W/tone.s16 -t $SECONDS_CLIP -c:a libopus -b:a 48k -y $W/ffo.mp4
read -r u s m < $W/time.txt; echo "ffmpeg audio only, the tone + libopus 48k: CPU $(awk -v u=$u -v s=$s 'BEGIN{printf "%.2f", u+s}') s, max RSS $m kB"
rm -rf $W
