#!/usr/bin/env bash
# Reproduces the replica propagation figures in BENCHMARKS.md (issue 16): three voting ZooKeeper
# server processes and two observers, the active node, REPLICAS director replicas behind the
# observers; the upstream changes 1 % of PACKAGES packages PUBLICATIONS times, and each time the
# script measures from the active node recording the new snapshot to every replica routing on it.
#   replica-bench.sh [PUBLICATIONS] [REPLICAS] [PACKAGES]     defaults 50 4 500; about 4 minutes
# Then the disk and heap a replica needs for the 60,000-package suite (see the end).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
. ops/bench/classpath.sh
java -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
  org.mirrordirector.ops.ReplicaBench "${1:-50}" "${2:-4}" "${3:-500}"
# What a replica holds for the 60,000-package suite with three kept snapshots (the director
# bench's, generated here when absent): its index-only copies' disk use and their file
# knowledge's heap.
W="${MD_BENCH_DIR:-/tmp/md-bench}"
. ops/bench/snapshots-60k.sh
rm -rf "$W/replica-copy" "$W/replica-copy-rsyncd"
java -Xmx1g -XX:+UseParallelGC -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  org.mirrordirector.ops.bench.IndexCopyBench "$W/director/key.asc" "$W/replica-copy" \
  "$S/s1" "$S/s2" "$S/s3"
