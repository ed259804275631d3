package org.mirrordirector.ops.node;

import java.time.Duration;
import java.util.List;

/** Commands run when this node is promoted or demoted (a VIP or load-balancer script). */
public record HooksSection(List<String> onPromote, List<String> onDemote, Duration timeout) {}
