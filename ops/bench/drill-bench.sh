#!/usr/bin/env bash
# Reproduces the drill figures in BENCHMARKS.md (issue 6): starts `mirrorctl demo` on free ports
# in a fresh directory, runs every drill mode ROUNDS times (default 10) against it, prints each
# report and the per-mode summary (median / max of each figure), then stops the demo.
# About 12 s per drill: 10 rounds of 4 modes take about 9 minutes. Needs rsync and haproxy.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
ROUNDS="${1:-10}"
W="${MD_BENCH_DIR:-/tmp/md-bench}/drill"
rm -rf "$W"
mkdir -p "$W"
./mirrorctl --version >/dev/null
./mirrorctl demo --dir "$W/demo" --port 0 > "$W/demo.out" 2>&1 &
DEMO=$!
trap 'kill "$DEMO" 2>/dev/null; wait "$DEMO" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 180); do
  grep -q "Ctrl-C stops" "$W/demo.out" && break
  kill -0 "$DEMO" || { cat "$W/demo.out"; exit 1; }
  sleep 0.5
done
grep "ready in" "$W/demo.out"
./mirrorctl drill --demo "$W/demo" --mode all --rounds "$ROUNDS"
