package org.mirrordirector.ops.soak;

import java.nio.file.Path;
import java.time.Duration;
import org.mirrordirector.ops.drill.DrillFaults;
import org.mirrordirector.ops.drill.DrillLoadPlan;

/**
 * A deployment to soak: its service address, the archive, and how its nodes are acted on.
 *
 * @param tokenFile the admin token, to record the soak (null: not recorded)
 * @param faults the fault command's actions on a node (null: no fault is injected)
 * @param dir where the apt clients' roots and the report go
 * @param syncInterval the nodes' {@code archive.sync-interval}, for freshness (b)'s limit
 * @param tail how long the soak waits, after the duration, for the last publication
 */
public record SoakDeployment(
    String service,
    Path tokenFile,
    Path keyring,
    DrillLoadPlan archive,
    DrillFaults faults,
    Path dir,
    Duration syncInterval,
    Duration tail) {}
