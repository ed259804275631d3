package org.mirrordirector.ops.soak;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which failed apt operations belong to a mirror's drop: apt could not reach a mirror (refused,
 * reset or silent), and that mirror was dropped off (a {@link MirrorEvent#DROP}) at some moment of
 * the operation. Such a client was sent there before the drop could be seen, and apt's retries go
 * to that mirror, not back to the director: the soak reports these apart, each with its drop.
 */
final class MirrorDrops {
  private final Map<Integer, String> mirrorPorts;
  private final Set<Integer> directorPorts;
  private final List<FaultDone> drops;

  /**
   * @param mirrorPorts each mirror's port to its id ("mirror-2")
   * @param events the soak's mirror events; only the drops are kept
   */
  MirrorDrops(
      Map<Integer, String> mirrorPorts, Set<Integer> directorPorts, List<FaultDone> events) {
    this.mirrorPorts = Map.copyOf(mirrorPorts);
    this.directorPorts = Set.copyOf(directorPorts);
    this.drops =
        events.stream().filter(e -> e.kind().equals(SoakFaults.name(MirrorEvent.DROP))).toList();
  }

  /** The drop a failed operation belongs to, if it belongs to one. */
  Optional<FaultDone> dropOf(ClientOperation op) {
    int port = SoakClients.unreachablePort(op.output(), directorPorts);
    String mirror = mirrorPorts.get(port);
    if (op.ok() || mirror == null) {
      return Optional.empty();
    }
    return drops.stream()
        .filter(d -> d.target().equals(mirror))
        .filter(d -> d.startMillis() <= op.endMillis() && op.startMillis() <= d.endMillis())
        .findFirst();
  }

  /** How the report says it: the drop, and when the operation started relative to it. */
  static String describe(FaultDone drop, ClientOperation op) {
    long since = op.startMillis() - drop.startMillis();
    return "at the drop of "
        + drop.target()
        + " ("
        + java.time.Instant.ofEpochMilli(drop.startMillis())
        + "): the operation started "
        + String.format(java.util.Locale.ROOT, "%.1f", Math.abs(since) / 1000.0)
        + " s "
        + (since >= 0 ? "after" : "before")
        + " it";
  }
}
