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
S="$W/director/snapshots"
if [ ! -f "$S/s3/dists/bookworm/InRelease" ]; then
  rm -rf "$S"
  mkdir -p "$S"
  ./mirrorctl archive generate --out "$S/s1" --components main --packages 60000 \
      --size-scale 0.0001 --seed 60000 --by-hash --key-out "$W/director/key.asc" >/dev/null
  cp -al "$S/s1" "$S/s2"
  ./mirrorctl archive generate --out "$S/s2" --update-from "$S/s2" --components main \
      --packages 60000 --change-percent 2 --size-scale 0.0001 --seed 60001 --by-hash >/dev/null
  cp -al "$S/s2" "$S/s3"
  ./mirrorctl archive generate --out "$S/s3" --update-from "$S/s3" --components main \
      --packages 60000 --change-percent 2 --size-scale 0.0001 --seed 60002 --by-hash >/dev/null
fi
rm -rf "$W/replica-copy" "$W/replica-copy-rsyncd"
java -Xmx1g -XX:+UseParallelGC -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  org.mirrordirector.ops.bench.IndexCopyBench "$W/director/key.asc" "$W/replica-copy" \
  "$S/s1" "$S/s2" "$S/s3"
