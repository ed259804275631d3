#!/usr/bin/env bash
# Reproduces the soak figures in BENCHMARKS.md (issue 17): `mirrorctl soak` on a fresh demo with
# one director replica, the upstream publishing every 60 s (1 % of 400 packages), a fault on the
# cluster about every 60 s, a mirror event about every 45 s, and three real apt clients (one
# through mirror+http, one through the replica). Prints the report and keeps its JSON in
# $MD_BENCH_DIR/soak (default /tmp/md-bench/soak), with the machine's load before and after.
#   soak-bench.sh [DURATION] [SEED]     defaults 30m 1; takes DURATION plus about 3 minutes
# Needs rsync, haproxy and apt; exits 1 when any figure fails.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
W="${MD_BENCH_DIR:-/tmp/md-bench}/soak"
rm -rf "$W"
mkdir -p "$W"
./mirrorctl --version >/dev/null
echo "cores: $(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
./mirrorctl soak --dir "$W/demo" --duration "${1:-30m}" --publish-every 60s --fault-every 60s \
  --mirror-every 45s --hold 8s --clients 3 --replicas 1 --seed "${2:-1}" \
  --report "$W/report.json" || rc=$?
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "report: $W/report.json"
exit "$rc"
