#!/usr/bin/env bash
# Reproduces the quick check's figures in BENCHMARKS.md (issue 29), at its default settings (a
# GET of 4 KiB each second per mirror, 500 ms least wait): first the time from a mirror's drop to
# the registry view having it out of routing, for real nginx mirrors stopped (refused), killed
# (reset), paused (SIGSTOP) and slowed to 100 bytes a second (limit_rate: a stalled transfer),
# TRIALS each, LANES at once; then the check's request rate and CPU for 200 and 1,000 mirrors.
# Needs nginx (the test command installs it).
#   reach-bench.sh [TRIALS] [LANES] [SECONDS]        defaults 100 5 20; about 8 minutes
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
. ops/bench/classpath.sh
W="${MD_BENCH_DIR:-/tmp/md-bench}/reach"
rm -rf "$W"
mkdir -p "$W"
run() {
  java -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.mirrordirector.sync.probe.ReachCheck=warn \
    org.mirrordirector.ops.bench.ReachBench "$@"
}
run drops "$W" "${1:-100}" "${2:-5}"
for n in 200 1000; do
  run rate "$n" "${3:-20}"
done
