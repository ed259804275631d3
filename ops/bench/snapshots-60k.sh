# Sourced by the benchmark scripts (with $W, the work directory, set): three kept snapshots of a
# 60,000-package suite under $W/director/snapshots (s1, s2, s3), each 2 % newer than the one
# before, generated once and reused; sets $S to their directory.
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
