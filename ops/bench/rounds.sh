# Sourced by the benchmark scripts that load servers with wrk in rounds: CPU accounting from /proc,
# so that every round says whether the load generator was the limit, and what each server used.

HZ="$(getconf CLK_TCK)"
# Saturated: wrk's user + system time over the round's wall time at or above this (one thread, so
# one core is its ceiling). Such a round measured wrk, not the server, and is left out of medians.
WRK_BOUND="${MD_BENCH_WRK_BOUND:-0.95}"

# cpu_of PID...: CPU seconds (user + system, every thread) the processes have used so far.
cpu_of() {
  local total=0 p
  for p in "$@"; do
    # Fields after "pid (comm) ": $1 is the state (field 3), utime is field 14, stime field 15.
    total=$(awk -v t="$total" -v hz="$HZ" '{ sub(/^.*[)] /, ""); printf "%.3f", t + ($12 + $13) / hz }' \
      "/proc/$p/stat" 2>/dev/null || echo "$total")
  done
  echo "$total"
}

# settle PID...: waits (up to 30 s) until the processes together use under a tenth of a core over
# half a second: work a round left behind (a compression, a collection) is done before the next
# round starts, and is charged to the server that caused it.
settle() {
  local a b
  for _ in $(seq 1 60); do
    a=$(cpu_of "$@")
    sleep 0.5
    b=$(cpu_of "$@")
    awk -v a="$a" -v b="$b" 'BEGIN { exit !(b - a < 0.05) }' && return 0
  done
  echo "settle: still busy after 30 s ($*)" >&2
}

# wrk_round "PID..." wrk ARGS...: one round of wrk against one server, its output in
# $ROUND_OUT; sets ROUND_RPS, ROUND_REQS, ROUND_WRK_CPU (cores), ROUND_SRV_CPU (the server's cores
# during the round), ROUND_US (the server's CPU microseconds per request, counting what it did
# until it settled), ROUND_BOUND (1 when wrk was saturated).
ROUND_OUT="${TMPDIR:-/tmp}/md-bench-round.$$"
wrk_round() {
  local pids="$1" c0 c1 c2 t
  shift
  # shellcheck disable=SC2086
  c0=$(cpu_of $pids)
  local TIMEFORMAT='%U %S %R'
  { time "$@" > "$ROUND_OUT"; } 2> "$ROUND_OUT.time"
  # shellcheck disable=SC2086
  c1=$(cpu_of $pids)
  # shellcheck disable=SC2086
  settle $pids
  # shellcheck disable=SC2086
  c2=$(cpu_of $pids)
  ROUND_RPS=$(awk '/Requests\/sec/ { print $2 }' "$ROUND_OUT")
  ROUND_REQS=$(awk '/requests in/ { print $1 }' "$ROUND_OUT")
  t=$(awk '{ print $3 }' "$ROUND_OUT.time")
  ROUND_WRK_CPU=$(awk '{ printf "%.2f", ($1 + $2) / $3 }' "$ROUND_OUT.time")
  ROUND_SRV_CPU=$(awk -v a="$c0" -v b="$c1" -v t="$t" 'BEGIN { printf "%.2f", (b - a) / t }')
  ROUND_US=$(awk -v a="$c0" -v b="$c2" -v n="$ROUND_REQS" 'BEGIN { printf "%.2f", (n > 0 ? (b - a) / n * 1e6 : 0) }')
  ROUND_BOUND=$(awk -v c="$ROUND_WRK_CPU" -v m="$WRK_BOUND" 'BEGIN { print (c >= m) ? 1 : 0 }')
}

# median < numbers: the median of one number per line.
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# range < numbers: "min-max".
range() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }

# pct P < wrk --latency output: the latency at percentile P ("99%") as wrk prints it ("270.12ms").
pct() { awk -v p="$1" '$1 == p { print $2 }'; }

# ms < "270.12ms" (or "950.00us", "1.20s", "2.00m"): a wrk latency in milliseconds.
ms() {
  awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v *= 1; else if ($1 ~ /m$/) v *= 60000;
    else if ($1 ~ /s$/) v *= 1000; printf "%.1f", v }'
}
