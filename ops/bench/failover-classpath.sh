# Sourced by the failover module's benchmark scripts: builds its test classes and sets $cp to a
# private copy of them (so that a build running meanwhile cannot pull them away from the processes
# a benchmark starts) plus the module's test dependencies. The copy goes when the script exits.
mvn -q -B -Dstyle.color=never -DskipTests -Dspotless.check.skip=true test-compile -pl failover -am
cpfile="$(mktemp)"
mvn -q -B -Dstyle.color=never -pl failover dependency:build-classpath \
  -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test > /dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r failover/target/classes "$work/classes"
cp -r failover/target/test-classes "$work/test-classes"
cp="$work/test-classes:$work/classes:$(cat "$cpfile")"
rm -f "$cpfile"
