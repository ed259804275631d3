#!/usr/bin/env bash
# Reproduces the moving-mirrors figures in BENCHMARKS.md (issue 12):
#   moving-bench.sh [PUBLICATIONS] [BEFORE_REV]
# runs issue 12's scenario on the demo (MovingMirrorsRun) with the default probe intervals (full
# rounds every 60 s, rechecks every 5 s): the upstream publishes every 20 s (10 % of the packages
# change), a pushed mirror copies each version with ftpsync's two stages at 20 KB/s (about 8 s a
# version) while the nodes copy at 30 KB/s, a naive mirror runs `rsync -a --delete` about 10 s
# after each publication, and two real apt clients update and download through HAProxy all
# along (apt retries nothing). PUBLICATIONS (default 20)
# publications, with this build's nodes ("after"), then with the nodes of BEFORE_REV (default
# a88c0a0, the last commit before issue 12; "before"), built in a git worktree. A third run has
# the naive mirror sync right after each publication, before anything tells the director (the
# limit README's "What remains" describes). Prints each run's summary: apt operations and
# failures, the versions apt got, how long after the pushed mirror copied a version the director
# used it again, the prober's requests per mirror and minute.
# About 8 minutes per run at 20 publications. Needs rsync and haproxy; work files in
# $MD_BENCH_DIR (default /tmp/md-bench).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
PUBS="${1:-20}"
BEFORE="${2:-a88c0a0}"
W="${MD_BENCH_DIR:-/tmp/md-bench}/moving"
rm -rf "$W"
mkdir -p "$W"

. ops/bench/classpath.sh

run() { # name node-classpath recheck naive-delay
  echo "== $1"
  MD_DEMO_NODE_CLASSPATH="$2" java -cp "$cp" org.mirrordirector.ops.MovingMirrorsRun \
    "$W/$1" "$PUBS" 2 20s 0s "$4" 20 60s "$3" SLOW 12 2>"$W/$1.log" | tee "$W/$1.txt" || true
}

run after "" 5s 10s

# The nodes of the commit before issue 12, built once in a worktree beside this checkout.
OLD="$W/before-src"
git worktree remove --force "$OLD" >/dev/null 2>&1 || true
git worktree add --detach "$OLD" "$BEFORE" >/dev/null
(cd "$OLD" && mvn -q -B -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package \
  -pl ops -am >/dev/null)
run before "$OLD/ops/target/mirrorctl.jar" - 10s
git worktree remove --force "$OLD" >/dev/null 2>&1 || true

run naive-first "" 5s 300ms
