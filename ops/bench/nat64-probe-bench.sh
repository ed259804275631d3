#!/usr/bin/env bash
# Reproduces the NAT64 probe figures in BENCHMARKS.md (issue 26), as root (network namespaces):
# probe rounds over MIRRORS mirrors from a prober on an IPv6-only backend with NAT64 and from one
# on a dual-stack host, half the mirrors IPv4-only; then, from the backend, mirrors whose IPv6
# address refuses and mirrors whose IPv6 address drops every packet (the cost of the address
# attempts that fail). Needs iproute2, tayga, nginx and rsync (the test command installs them).
#   nat64-probe-bench.sh [MIRRORS] [PARALLELISM] [ROUNDS]     defaults 200 32 3; about 3 minutes
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
. ops/bench/classpath.sh
java -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  org.mirrordirector.ops.Nat64ProbeBench "${MD_BENCH_DIR:-/tmp/md-bench}" \
  "${1:-200}" "${2:-32}" "${3:-3}"
