#!/usr/bin/env bash
# Reproduces the sync agent's figures in BENCHMARKS.md (issue 4).
#
#   sync-bench.sh sync [PACKAGES SCALE ROUNDS PERCENT]   (defaults 60000 0.1 5 1)
#     first sync + verify of a generated suite through a real rsync daemon, a full re-verify, then
#     incremental syncs of PERCENT % updates: rsync's own time against the agent's. Work files go
#     to $MD_BENCH_DIR/sync (default /tmp/md-bench/sync; about twice the pool, 17 GB at the
#     defaults); the generated upstream is reused (and updated by each run).
#   sync-bench.sh probe [MIRRORS PARALLELISM TIMEOUT_MS DELAY_MS ROUNDS]   (200 32 2000 0 5)
#     probe rounds over MIRRORS local HTTP mirrors, each its own port (see ProbeBench).
# MD_BENCH_XMX sets the heap (default 2g; the generator builds each .deb in memory, so a size
# scale above 0.1 needs more, e.g. 6g for 0.3).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
W="${MD_BENCH_DIR:-/tmp/md-bench}"
mvn -q -B -Dstyle.color=never -DskipTests -Dspotless.check.skip=true install -pl sync-agent -am
cpfile="$(mktemp)"
mvn -q -B -Dstyle.color=never -pl sync-agent dependency:build-classpath \
  -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test > /dev/null
# A private copy of the classes, so that a build running meanwhile cannot change them under it.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r sync-agent/target/classes "$work/classes"
cp -r sync-agent/target/test-classes "$work/test-classes"
cp="$work/test-classes:$work/classes:$(cat "$cpfile")"
rm -f "$cpfile"
run() { java -Xmx"${MD_BENCH_XMX:-2g}" -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$@"; }
case "${1:-sync}" in
  sync)
    mkdir -p "$W/sync"
    run org.mirrordirector.sync.SyncBench "$W/sync" "${2:-60000}" "${3:-0.1}" "${4:-5}" "${5:-1}"
    ;;
  probe)
    mkdir -p "$W/probe"
    run org.mirrordirector.sync.probe.ProbeBench "$W/probe" "${2:-200}" "${3:-32}" "${4:-2000}" \
      "${5:-0}" "${6:-5}"
    ;;
  *)
    echo "usage: $0 sync|probe [args]" >&2
    exit 2
    ;;
esac
