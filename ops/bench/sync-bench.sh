#!/usr/bin/env bash
# Reproduces the sync figures in BENCHMARKS.md (issue 4): first sync + verify of a generated
# 60,000-package suite through a real rsync daemon, a full re-verify, and incremental syncs of 1 %
# updates (rsync's time against the agent's). Arguments: packages (60000), size scale (0.1),
# rounds (5), percent changed per round (1). Work files go to $MD_BENCH_DIR/sync (default
# /tmp/md-bench/sync; about 2 x the pool size, 8 GB at the defaults); the upstream is reused.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
W="${MD_BENCH_DIR:-/tmp/md-bench}/sync"
mkdir -p "$W"
mvn -q -B -Dstyle.color=never -DskipTests -Dspotless.check.skip=true install -pl sync-agent -am
cpfile="$(mktemp)"
mvn -q -B -Dstyle.color=never -pl sync-agent dependency:build-classpath \
  -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test > /dev/null
cp="sync-agent/target/test-classes:sync-agent/target/classes:$(cat "$cpfile")"
rm -f "$cpfile"
java -Xmx2g -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  org.mirrordirector.sync.SyncBench "$W" "${1:-60000}" "${2:-0.1}" "${3:-5}" "${4:-1}"
