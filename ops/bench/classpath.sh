# Sourced by the benchmark scripts: builds the test classes and sets $cp to the classpath that
# runs them (the modules' classes, the packaged mirrorctl.jar and the test dependencies).
./mirrorctl --version >/dev/null
mvn -q -B -Dstyle.color=never -DskipTests -Dspotless.check.skip=true test-compile -pl ops -am
mvn -q -B -Dstyle.color=never dependency:build-classpath -pl ops -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="ops/target/test-classes:ops/target/mirrorctl.jar:$(cat ops/target/bench.classpath)"
