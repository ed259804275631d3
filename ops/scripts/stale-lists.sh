#!/usr/bin/env bash
# stale-lists.sh [LISTS]: apt's InRelease lists (default /var/lib/apt/lists) past their
# Valid-Until or within a day of it, one path per line. test.sh runs apt-get update when any is.
set -euo pipefail
soon=$(($(date +%s) + 86400))
for f in "${1:-/var/lib/apt/lists}"/*_InRelease; do
  [ -f "$f" ] || continue
  vu=$(sed -n 's/^Valid-Until: //p' "$f" | head -1)
  [ -n "$vu" ] || continue
  if [ "$(date -d "$vu" +%s 2>/dev/null || echo 0)" -lt "$soon" ]; then
    echo "$f"
  fi
done
