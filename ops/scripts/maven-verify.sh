#!/usr/bin/env bash
# `mvn -B verify` of every module, as the test command runs it (arguments go to every Maven run).
# The failover module's tests wait on ZooKeeper's timeouts and leave two cores mostly idle (about
# 15 % of them for 70 s), so they run beside the other modules' build instead of before it: the
# parent and failover are built and installed first (no tests), then failover's `mvn verify` and the
# other modules' run at once. The run fails when either fails; failover's output follows the
# other's.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."

mvn -B install -pl .,failover -DskipTests "$@" || exit $?
failover_log="$(mktemp "${TMPDIR:-/tmp}/md-failover-verify.XXXXXX")"
failover=""
# An interrupted run stops the failover build too (its test JVMs end with their Maven).
trap '[ -z "$failover" ] || kill "$failover" 2>/dev/null; rm -f "$failover_log"' EXIT
mvn -B verify -pl failover "$@" > "$failover_log" 2>&1 &
failover=$!
rc=0
mvn -B verify -pl sync-agent,director,ops "$@" || rc=$?
failover_rc=0
wait "$failover" || failover_rc=$?
failover=""
echo "maven-verify.sh: the failover module's build, which ran beside the others (exit $failover_rc):"
cat "$failover_log"
[ $rc -ne 0 ] || rc=$failover_rc
exit $rc
