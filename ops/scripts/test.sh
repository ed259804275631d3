#!/usr/bin/env bash
# The project's test command: installs what a fresh Debian machine lacks (when run as root),
# then runs every test with `mvn -B verify` (ops/scripts/maven-verify.sh). Extra arguments go to
# Maven (e.g. -Dmd.slow=true for the long soaks). Needs JDK 17+ and Maven 3.8.7+.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."

# command -> Debian package that provides it; the tests run the real tools (Debian's own archive
# tools build and sign the real-data archives; nginx serves them as a public mirror; lintian
# checks the .deb; promtool and a real Prometheus check the metrics and the alert rules).
declare -A needs=(
  [apt-get]=apt
  [curl]=curl
  [dpkg-deb]=dpkg
  [gpgv]=gpgv
  [rsync]=rsync
  [haproxy]=haproxy
  [chromium]=chromium
  [lz4]=lz4
  [xz]=xz-utils
  [gpg]=gpg
  [dpkg-source]=dpkg-dev
  [reprepro]=reprepro
  [apt-ftparchive]=apt-utils
  [nginx]=nginx-light
  [lintian]=lintian
  [man]=man-db
  [promtool]=prometheus
  [prometheus]=prometheus
  [amtool]=prometheus-alertmanager
  # the hosting's network in small: namespaces and veth links, and a NAT64 (HostingNetworkTest)
  [ip]=iproute2
  [tayga]=tayga
)
missing=()
for cmd in "${!needs[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${needs[$cmd]}")
done
# MaxMind's own writer makes the GeoIP test databases (real .mmdb files with chosen contents).
perl -MMaxMind::DB::Writer::Tree -e 1 >/dev/null 2>&1 || missing+=(libmaxmind-db-writer-perl)
# Debian's list of ISO 3166 country codes: every one must have a continent (CountryContinentsTest).
[ -f /usr/share/iso-codes/json/iso_3166-1.json ] || missing+=(iso-codes)
root=0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then root=1; fi
updated=0
# Debian's own signed indexes in apt's lists are test data no one here made (the real-data tests):
# fetched when absent, and fetched again when one is past its Valid-Until or within a day of it
# (the tests skip an expired list).
if [ $root -eq 1 ]; then
  if ! ls /var/lib/apt/lists/*_InRelease >/dev/null 2>&1; then
    echo "test.sh: apt-get update (the real-data tests read Debian's indexes from apt's lists)"
    apt-get update -qq && updated=1
  elif [ -n "$(ops/scripts/stale-lists.sh)" ]; then
    echo "test.sh: apt-get update (lists past or near their Valid-Until:" \
      "$(ops/scripts/stale-lists.sh | xargs -n1 basename | tr '\n' ' '))"
    apt-get update -qq && updated=1
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ $root -eq 1 ]; then
    echo "test.sh: installing ${missing[*]}"
    [ $updated -eq 1 ] || apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "test.sh: missing ${missing[*]}; install them (as root: apt-get install ${missing[*]})" >&2
    exit 2
  fi
fi
# Real .deb files for the archives Debian's own tools build in RealArchivesTest: the apt cache's,
# or a few downloaded into it when it is empty (apt-get clean leaves none).
if [ "$(ls /var/cache/apt/archives/*.deb 2>/dev/null | wc -l)" -lt 3 ] && [ $root -eq 1 ]; then
  (cd /var/cache/apt/archives && apt-get download -qq hello tree lz4 >/dev/null 2>&1) ||
    echo "test.sh: no .deb files in the apt cache; RealArchivesTest will be skipped"
fi
# Real GeoIP data, IPv4 and IPv6 (ip-location-db from npm, pinned), for GeoIpRealDataTest; a machine
# without npm or without the registry skips that test.
GEOIP="${HOME}/.cache/mirrordirector/geoip"
GEOIP_PKG="@ip-location-db/geo-whois-asn-country-mmdb@2.3.2026061719"
if [ ! -f "$GEOIP/geo-whois-asn-country-ipv6.mmdb" ] && command -v npm >/dev/null 2>&1; then
  mkdir -p "$GEOIP"
  (cd "$GEOIP" && timeout 120 npm pack -q "$GEOIP_PKG" >/dev/null 2>&1 &&
    tar xzf ip-location-db-geo-whois-asn-country-mmdb-*.tgz --strip-components=1 \
      package/geo-whois-asn-country-ipv4.mmdb package/geo-whois-asn-country-ipv6.mmdb &&
    rm -f ip-location-db-geo-whois-asn-country-mmdb-*.tgz) ||
    echo "test.sh: no GeoIP data from npm ($GEOIP_PKG); GeoIpRealDataTest will be skipped"
fi
for tool in java mvn; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test.sh: $tool is required (JDK 17+, Maven 3.8.7+)" >&2; exit 2; }
done

rc=0
ops/scripts/maven-verify.sh "$@" || rc=$?

# Every skipped test and why, from the test reports. As root, where this script installs what the
# tests need and refreshes apt's lists, a skip it could have prevented (a tool not installed, stale
# or missing lists, no .deb files) fails the run: a green run then means everything ran.
skips=$(ops/scripts/skipped-tests.sh .)
if [ -n "$skips" ]; then
  echo "test.sh: skipped tests ($(echo "$skips" | wc -l)):"
  echo "$skips"
else
  echo "test.sh: no test was skipped"
fi
preventable=$(echo "$skips" | grep -E 'is not installed|run apt-get update|have expired|fewer than 3 \.deb|no iso-codes' || true)
if [ $rc -eq 0 ] && [ $root -eq 1 ] && [ -n "$preventable" ]; then
  echo "test.sh: FAIL: these skips are ones this script should have prevented as root:" >&2
  echo "$preventable" >&2
  exit 1
fi
exit $rc
