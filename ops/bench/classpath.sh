# Sourced by the benchmark scripts: builds the test classes and sets $cp to the classpath that
# runs them (the test classes, the packaged mirrorctl.jar, the sibling modules' classes and the
# test dependencies). One Maven run for both goals: the sibling modules resolve from the reactor,
# so nothing needs to be installed in the local repository first.
./mirrorctl --version >/dev/null
mvn -q -B -Dstyle.color=never -DskipTests -Dspotless.check.skip=true test-compile \
  dependency:build-classpath -pl ops -am -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="ops/target/test-classes:ops/target/mirrorctl.jar:$(cat ops/target/bench.classpath)"
