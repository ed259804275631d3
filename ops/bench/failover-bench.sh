#!/usr/bin/env bash
# Reproduces the failover figures in BENCHMARKS.md (issue 3): detection and promotion times of the
# standby for a clean handover, a killed leader process and a paused one, against a real ZooKeeper
# server in process. Arguments: rounds per case (default 20), session timeout in ms (default 4000).
# About 6 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
mvn -q -B -Dstyle.color=never -DskipTests -Dspotless.check.skip=true test-compile -pl failover -am
cpfile="$(mktemp)"
mvn -q -B -Dstyle.color=never -pl failover dependency:build-classpath \
  -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test > /dev/null
# A private copy of the classes, so that a build running meanwhile cannot pull them away from
# the node processes the benchmark starts.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r failover/target/classes "$work/classes"
cp -r failover/target/test-classes "$work/test-classes"
cp="$work/test-classes:$work/classes:$(cat "$cpfile")"
rm -f "$cpfile"
java -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
  -Dorg.slf4j.simpleLogger.log.org.mirrordirector=warn \
  org.mirrordirector.failover.FailoverBench "${1:-20}" "${2:-4000}"
