#!/usr/bin/env bash
# Reproduces the failover figures in BENCHMARKS.md (issue 3): detection and promotion times of the
# standby for a clean handover, a killed leader process and a paused one, against a real ZooKeeper
# server in process. Arguments: rounds per case (default 20), session timeout in ms (default 4000).
# About 6 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
. ops/bench/failover-classpath.sh
java -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
  -Dorg.slf4j.simpleLogger.log.org.mirrordirector=warn \
  org.mirrordirector.failover.FailoverBench "${1:-20}" "${2:-4000}"
