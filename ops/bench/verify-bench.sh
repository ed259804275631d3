#!/usr/bin/env bash
# Reproduces the verifier figures in BENCHMARKS.md (issue 2):
#  1. parse and verify the indexes of a generated 60,000-package suite: time and peak heap,
#     with every variant present (Raspbian's layout) and with Packages.xz only (Debian's);
#  2. pool hashing throughput of `mirrorctl verify --pool hash` against sha256sum;
#  3. (issue 13) Debian's real bookworm main/binary-amd64 indexes from this machine's apt lists,
#     signed by Debian's keys, verified as a partial mirror (main, amd64, no translations/extras).
# `verify-bench.sh debian` runs part 3 only.
# Work files go to $MD_BENCH_DIR (default /tmp/md-bench; about 3 GB); they are reused.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
W="${MD_BENCH_DIR:-/tmp/md-bench}"
mkdir -p "$W"
./mirrorctl --version >/dev/null
mvn -q -B -Dstyle.color=never -DskipTests -Dspotless.check.skip=true test-compile -pl ops -am
CP="ops/target/test-classes:ops/target/mirrorctl.jar"
JAR=ops/target/mirrorctl.jar

debian() {
  echo "== 3. Debian's real bookworm main/binary-amd64 (apt lists), as a partial mirror"
  local lists=/var/lib/apt/lists p=deb.debian.org_debian_dists_bookworm_
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -f "$lists/${p}InRelease" ] || { echo "no bookworm lists in $lists: run apt-get update" >&2; exit 2; }
  local d="$W/debian-partial/dists/bookworm"
  rm -rf "$W/debian-partial"
  mkdir -p "$d/main/binary-amd64"
  cp "$lists/${p}InRelease" "$d/InRelease"
  lz4 -dcq "$lists/${p}main_binary-amd64_Packages.lz4" > "$d/main/binary-amd64/Packages"
  local sha
  sha=$(sha256sum "$d/main/binary-amd64/Packages" | cut -d' ' -f1)
  mkdir -p "$d/main/binary-amd64/by-hash/SHA256"
  ln "$d/main/binary-amd64/Packages" "$d/main/binary-amd64/by-hash/SHA256/$sha"
  ls -l "$d/main/binary-amd64/Packages"
  echo "-- in process, -Xmx256m"
  java -Xmx256m -cp "$CP" org.mirrordirector.ops.bench.IndexVerifyBench "$W/debian-partial" \
    "$keyring" 6 bookworm main amd64
  echo "-- whole command, cold JVM, -Xmx256m (3 runs)"
  for i in 1 2 3; do
    /usr/bin/time -f "   %e s wall, %M KiB max RSS" \
      java -Xmx256m -jar "$JAR" verify "$W/debian-partial" --suite bookworm --keyring "$keyring" \
      --pool none --components main --arch amd64 --languages none --extras none \
      | grep -E "^(checked|result)"
  done
}
if [ "${1:-}" = debian ]; then debian; exit 0; fi

echo "== 1. indexes of a 60,000-package suite"
if [ ! -f "$W/suite60k/dists/bookworm/InRelease" ]; then
  rm -rf "$W/suite60k"
  ./mirrorctl archive generate --out "$W/suite60k" --components main --packages 60000 \
      --size-scale 0.0001 --seed 60000 --key-out "$W/key.asc"
fi
ls -l "$W"/suite60k/dists/bookworm/main/binary-armhf/Packages*
echo "-- all variants present (Packages, .gz, .xz), in process, -Xmx256m"
java -Xmx256m -cp "$CP" org.mirrordirector.ops.bench.IndexVerifyBench "$W/suite60k" "$W/key.asc" 6
if [ ! -d "$W/suite60k-xz" ]; then
  cp -al "$W/suite60k" "$W/suite60k-xz"
  rm "$W"/suite60k-xz/dists/bookworm/main/binary-armhf/Packages "$W"/suite60k-xz/dists/bookworm/main/binary-armhf/Packages.gz
fi
echo "-- Packages.xz only (the plain hash is checked by decompressing), in process, -Xmx256m"
java -Xmx256m -cp "$CP" org.mirrordirector.ops.bench.IndexVerifyBench "$W/suite60k-xz" "$W/key.asc" 6
echo "-- whole command, cold JVM, --pool none, -Xmx256m (3 runs)"
for i in 1 2 3; do
  /usr/bin/time -f "   %e s wall, %M KiB max RSS" \
    java -Xmx256m -jar "$JAR" verify "$W/suite60k" --suite bookworm --keyring "$W/key.asc" --pool none \
    | grep -E "^(checked|result)"
done

echo "== 2. pool hashing: mirrorctl verify --pool hash vs sha256sum"
if [ ! -f "$W/pool/dists/bookworm/InRelease" ]; then
  rm -rf "$W/pool"
  ./mirrorctl archive generate --out "$W/pool" --components main --packages 20000 \
      --size-scale 0.05 --seed 20000 --key-out "$W/key.asc"
fi
files="$W/pool.files"
(cd "$W/pool" && find pool -type f | sort > "$files")
bytes=$(cd "$W/pool" && tr '\n' '\0' < "$files" | xargs -0 stat -c %s | awk '{s+=$1} END {print s}')
echo "$(wc -l < "$files") files, $bytes bytes; warming the page cache"
(cd "$W/pool" && tr '\n' '\0' < "$files" | xargs -0 cat > /dev/null)
now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
# median of three timed runs of a command
timed() {
  local ts=()
  for _ in 1 2 3; do
    local t0 t1
    t0=$(now); "$@" > /dev/null; t1=$(now)
    ts+=("$(calc "$t1 - $t0")")
  done
  printf '%s\n' "${ts[@]}" | sort -n | sed -n 2p
}
hash_all() { (cd "$W/pool" && tr '\n' '\0' < "$files" | xargs -0 sha256sum); }
hash_all_2() { (cd "$W/pool" && tr '\n' '\0' < "$files" | xargs -0 -n 500 -P 2 sha256sum); }
verify_pool() { java -jar "$JAR" verify "$W/pool" --suite bookworm --keyring "$W/key.asc" --pool hash --threads "$1"; }
java -jar "$JAR" verify "$W/pool" --suite bookworm --keyring "$W/key.asc" --pool hash | grep -E "^(checked|result)"
sha1=$(timed hash_all)
sha2=$(timed hash_all_2)
md1=$(timed verify_pool 1)
md2=$(timed verify_pool 2)
mb() { calc "int($bytes / 1048576 / $1)"; }
printf "sha256sum, one process:          %6.2f s  %5s MiB/s\n" "$sha1" "$(mb "$sha1")"
printf "sha256sum, two processes (-P 2): %6.2f s  %5s MiB/s\n" "$sha2" "$(mb "$sha2")"
printf "mirrorctl verify, --threads 1:   %6.2f s  %5s MiB/s  (whole command: JVM start, signature, indexes, pool)\n" "$md1" "$(mb "$md1")"
printf "mirrorctl verify, --threads 2:   %6.2f s  %5s MiB/s\n" "$md2" "$(mb "$md2")"
printf "ratio mirrorctl/sha256sum: one core %.2f, two cores %.2f\n" \
  "$(calc "$sha1 / $md1")" "$(calc "$sha2 / $md2")"
echo "(each time is the median of 3 runs, page cache warm)"

debian
