#!/usr/bin/env bash
# skipped-tests.sh [DIR]: every test the JUnit reports under DIR (default: here) say was skipped,
# one per line as "  Class.method: reason", sorted. test.sh prints them after the run.
set -euo pipefail
find "${1:-.}" -path '*/target/surefire-reports/TEST-*.xml' -o -path '*/target/failsafe-reports/TEST-*.xml' |
  sort | xargs -r awk 'BEGIN { RS = "<testcase " } NR > 1 && /<skipped/ {
    c = ""; n = ""; m = "no reason given"
    if (match($0, /classname="[^"]*"/)) c = substr($0, RSTART + 11, RLENGTH - 12)
    r = " " $0
    if (match(r, / name="[^"]*"/)) n = substr(r, RSTART + 7, RLENGTH - 8)
    if (match($0, /<skipped message="[^"]*"/)) m = substr($0, RSTART + 18, RLENGTH - 19)
    print "  " c "." n ": " m }' | sort -u
