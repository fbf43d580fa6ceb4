#!/usr/bin/env bash
# GPIO latencies, node side, on the kernel's gpio-sim in the test VM (docs/PERFORMANCE.md "GPIO"):
# `clawedge gpio bench` against a two-line sim chip. Needs ./build.sh publish linux-x64 and the VM kernel
# (./build.sh setup; gpio-sim.ko is built once by scripts/kernel-module.sh).
#
#   bench/gpio-bench.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-200}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat > "$out/guest.sh" <<GUEST
mount -t configfs none /sys/kernel/config
G=/sys/kernel/config/gpio-sim/bench
mkdir \$G \$G/bank0 && echo 2 > \$G/bank0/num_lines && echo 1 > \$G/live
SIM=/sys/devices/platform/\$(cat \$G/dev_name)/\$(cat \$G/bank0/chip_name)
clawedge gpio bench --sim \$SIM --chip /dev/\$(cat \$G/bank0/chip_name) --rounds $rounds
GUEST
scripts/vivid-vm.sh --insmod gpio_sim --bin dist/linux-x64/clawedge --timeout 120 --script "$out/guest.sh" "$out/vm" >/dev/null 2>&1 || true
cat "$out/vm/stdout"; cat "$out/vm/stderr" >&2
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
