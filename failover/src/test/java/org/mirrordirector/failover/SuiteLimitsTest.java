package org.mirrordirector.failover;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The README's "every test method fails after 10 minutes ... in a thread of its own": the limits
 * the build hands JUnit (the parent pom's surefire configuration), as the running suite sees them.
 */
@ExtendWith(SuiteLimitsTest.Context.class)
class SuiteLimitsTest {
  /** Hands the test its extension context, where the configuration parameters are. */
  static final class Context implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
      return p.getParameter().getType() == ExtensionContext.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
      return e;
    }
  }

  @Test
  void everyTestMethodHasATimeLimitInAThreadOfItsOwn(ExtensionContext context, TestInfo info) {
    assertThat(context.getConfigurationParameter("junit.jupiter.execution.timeout.default"))
        .as("the default time limit of %s", info.getDisplayName())
        .hasValue("10 m");
    assertThat(
            context.getConfigurationParameter(
                "junit.jupiter.execution.timeout.thread.mode.default"))
        .hasValue("SEPARATE_THREAD");
    assertThat(Thread.currentThread().getName())
        .as("the test runs in the timeout's own thread, not the runner's")
        .isNotEqualTo("main");
  }
}
