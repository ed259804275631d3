#!/usr/bin/env bash
# `mvn -B verify` of every module, as the test command runs it (arguments go to every Maven run).
# The module chain is failover -> sync-agent -> director -> ops, and run one after the other the
# first three leave the two cores idle a quarter of the time (failover's tests wait on ZooKeeper's
# timeouts: 15 % of the cores for 70 s). So the parent and the first three modules are built and
# installed first (into ~/.m2, no tests run), then two builds run at once: failover's and then
# director's `mvn verify` beside sync-agent's and then ops'. The run fails when any fails; the
# output of the builds beside follows the others'.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."

mvn -B install -pl .,failover,sync-agent,director -DskipTests "$@" || exit $?
beside_log="$(mktemp "${TMPDIR:-/tmp}/md-verify-beside.XXXXXX")"
beside=""
# An interrupted run stops the builds beside too (their test JVMs end with their Maven).
trap '[ -z "$beside" ] || kill "$beside" 2>/dev/null; rm -f "$beside_log"' EXIT
(
  rc=0
  mvn -B verify -pl failover "$@" || rc=$?
  mvn -B verify -pl director "$@" || rc=$?
  exit $rc
) > "$beside_log" 2>&1 &
beside=$!
rc=0
mvn -B verify -pl sync-agent,ops "$@" || rc=$?
beside_rc=0
wait "$beside" || beside_rc=$?
beside=""
echo "maven-verify.sh: the failover and director builds, which ran beside (exit $beside_rc):"
cat "$beside_log"
[ $rc -ne 0 ] || rc=$beside_rc
exit $rc
