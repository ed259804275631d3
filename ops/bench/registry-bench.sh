#!/usr/bin/env bash
# Reproduces the registry-load figures in BENCHMARKS.md (issue 16): a real ZooKeeper server in
# process, the writer pair (heartbeats every second), MIRRORS mirrors with states and three
# snapshots, and READERS director replicas each reading the registry through its own session;
# SECONDS measured in steady state. Two runs: replicas present through their ephemeral znode only,
# then replicas that also rewrite it every second (what a replica built as a full node would do).
#   registry-bench.sh [MIRRORS] [READERS] [SECONDS]        defaults 1000 20 30; about 2 minutes
#   registry-bench.sh --at REF [MIRRORS] [READERS] [SECONDS]
#                     the same bench class against the registry reader of commit REF (built in a
#                     worktree under $MD_BENCH_DIR), for the figures before a change
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
here="$PWD"
if [ "${1:-}" = --at ]; then
  ref="${2:?--at needs a commit}"
  shift 2
  W="${MD_BENCH_DIR:-/tmp/md-bench}"
  wt="$W/registry-$(git rev-parse --short "$ref")"
  mkdir -p "$W"
  [ -d "$wt" ] || git worktree add -f --detach "$wt" "$ref" >/dev/null
  cp failover/src/test/java/org/mirrordirector/failover/RegistryBench.java \
    "$wt/failover/src/test/java/org/mirrordirector/failover/"
  cd "$wt"
fi
. "$here/ops/bench/failover-classpath.sh"
echo "== reader of $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- failover/src/main || echo ' (with uncommitted changes)')"
for beat in 0 1000; do
  java -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
    -Dorg.slf4j.simpleLogger.log.org.mirrordirector=error \
    org.mirrordirector.failover.RegistryBench "${1:-1000}" "${2:-20}" "${3:-30}" "$beat"
done
cd "$here"
