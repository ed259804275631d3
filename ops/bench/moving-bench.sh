#!/usr/bin/env bash
# Reproduces the moving-mirrors figures in BENCHMARKS.md (issue 12):
#   moving-bench.sh [PUBLICATIONS] [BEFORE_REV]
# Issue 12's scenario on the demo (MovingMirrorsRun): the upstream publishes every 20 s (10 % of
# the packages change), a pushed mirror copies each version with ftpsync's two stages at 20 KB/s
# (3-8 s a version) while the nodes copy at 30 KB/s, a naive mirror runs `rsync -a --delete`
# about 10 s after each publication, and two real apt clients update and download through HAProxy
# all along (apt retries nothing). PUBLICATIONS (default 20) publications per run. The runs:
#   before-5s, after-5s     the demo's probe interval (5 s, as issue 12 measured it), with the
#                           nodes of BEFORE_REV (default a88c0a0, the last commit before issue 12,
#                           built in a git worktree) and with this build's
#   before-60s, after-60s   the default probe interval (60 s; rechecks every 5 s after)
#   naive-first             after-60s with the naive mirror syncing 0.3 s after each publication,
#                           before anything can tell the director (README, "What remains")
#   long-copies             after-60s with the pushed mirror at 10 KB/s, every copy longer than a
#                           recheck, one publication every 30 s
# MD_MOVING_RUNS="after-60s naive-first" picks runs. Each prints its summary: apt operations and
# failures (with apt's output), the versions apt got, how long after the pushed mirror copied a
# version the director used it, the prober's requests per mirror and minute, and how many requests
# the serving node answered itself. About 7.5 minutes per run at 20 publications. Needs rsync and
# haproxy; work files in $MD_BENCH_DIR (default /tmp/md-bench).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
PUBS="${1:-20}"
BEFORE="${2:-a88c0a0}"
RUNS="${MD_MOVING_RUNS:-before-5s after-5s before-60s after-60s naive-first long-copies}"
W="${MD_BENCH_DIR:-/tmp/md-bench}/moving"
mkdir -p "$W"

. ops/bench/classpath.sh

OLD="$W/before-src"
old_nodes() { # builds BEFORE_REV's mirrorctl.jar once, in a worktree beside this checkout
  if [ ! -f "$OLD/ops/target/mirrorctl.jar" ]; then
    git worktree remove --force "$OLD" >/dev/null 2>&1 || rm -rf "$OLD"
    git worktree add --detach "$OLD" "$BEFORE" >/dev/null
    (cd "$OLD" && mvn -q -B -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package \
      -pl ops -am >/dev/null)
  fi
  echo "$OLD/ops/target/mirrorctl.jar"
}

run() { # name node-classpath probe recheck naive-delay pushed-KB/s every
  echo "== $1"
  rm -rf "${W:?}/$1"
  MD_DEMO_NODE_CLASSPATH="$2" java -cp "$cp" org.mirrordirector.ops.demo.MovingMirrorsRun \
    "$W/$1" "$PUBS" 2 "$7" 0s "$5" "$6" "$3" "$4" SLOW 12 2>"$W/$1.log" | tee "$W/$1.txt" || true
}

for r in $RUNS; do
  case "$r" in
    before-5s) run "$r" "$(old_nodes)" 5s - 10s 20 20s ;;
    after-5s) run "$r" "" 5s 5s 10s 20 20s ;;
    before-60s) run "$r" "$(old_nodes)" 60s - 10s 20 20s ;;
    after-60s) run "$r" "" 60s 5s 10s 20 20s ;;
    naive-first) run "$r" "" 60s 5s 300ms 20 20s ;;
    long-copies) run "$r" "" 60s 5s 15s 10 30s ;;
    *) echo "unknown run '$r'" >&2; exit 2 ;;
  esac
done
git worktree remove --force "$OLD" >/dev/null 2>&1 || true
