#!/usr/bin/env bash
# Reproduces "Mirrors that answer very slowly" in BENCHMARKS.md (issue 29): real apt with its
# default settings sent by a 302 to a mirror that never answers (hole), whose transfer stalls after
# the headers (stall), or that sends at 100 bytes a second (trickle); the time apt takes, how it
# ends, and where its retries go. Needs apt-get.
#   stall-bench.sh [MODE...]        default: hole stall trickle; about 10 minutes
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
. ops/bench/classpath.sh
W="${MD_BENCH_DIR:-/tmp/md-bench}/stall"
rm -rf "$W"
mkdir -p "$W"
if [ "$#" -eq 0 ]; then
  set -- hole stall trickle
fi
java -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  org.mirrordirector.ops.bench.StallBench "$W" "$@"
