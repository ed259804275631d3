package org.mirrordirector.failover;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.OperationType;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;

/**
 * The epoch znode, the fence of every shared write. The epoch is the znode's version: a node that
 * wins the latch increments it by compare-and-set, in a transaction that also checks that its latch
 * node still stands; a leader's write is a multi whose first operation checks that the version is
 * still the one it was promoted with.
 */
final class EpochZnode {
  private static final int ATTEMPTS = 5;

  private final CuratorFramework client;
  private final String path;
  private final String id;

  EpochZnode(CuratorFramework client, RegistryPaths paths, String id) {
    this.client = client;
    this.path = paths.epoch();
    this.id = id;
  }

  /** The epoch now (the znode's version), or -1 when there is none yet. */
  int current() throws Exception {
    Stat st = client.checkExists().forPath(path);
    return st == null ? -1 : st.getVersion();
  }

  /**
   * Increments the epoch for the holder of {@code latch}, checking its latch node in the same
   * transaction; creates the znode first if there is none. Returns the new epoch, or -1 when the
   * latch no longer leads (nothing was written then).
   *
   * @throws IllegalStateException when the epoch changed under every attempt
   */
  int increment(Supplier<LeaderLatch> latch) throws Exception {
    String term = UUID.randomUUID().toString();
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      LeaderLatch l = latch.get();
      if (l == null || !l.hasLeadership() || l.getOurPath() == null) {
        return -1;
      }
      Stat st = new Stat();
      try {
        client.getData().storingStatIn(st).forPath(path);
      } catch (KeeperException.NoNodeException e) {
        try {
          client
              .create()
              .creatingParentContainersIfNeeded()
              .forPath(path, RegistryCodec.encode(new EpochRecord(null, 0, null)));
        } catch (KeeperException.NodeExistsException race) {
          // another node created it first: fine
        }
        continue;
      }
      byte[] data = RegistryCodec.encode(new EpochRecord(id, System.currentTimeMillis(), term));
      try {
        List<CuratorTransactionResult> r =
            client
                .transaction()
                .forOperations(
                    client.transactionOp().check().forPath(l.getOurPath()),
                    client
                        .transactionOp()
                        .setData()
                        .withVersion(st.getVersion())
                        .forPath(path, data));
        return r.stream()
            .filter(x -> x.getType() == OperationType.SET_DATA)
            .findFirst()
            .orElseThrow()
            .getResultStat()
            .getVersion();
      } catch (KeeperException.BadVersionException e) {
        // Our own increment may have gone through before a connection loss hid the answer.
        Stat now = new Stat();
        byte[] current = client.getData().storingStatIn(now).forPath(path);
        if (isOurs(current, term)) {
          return now.getVersion();
        }
      } catch (KeeperException.NoNodeException e) {
        return -1; // our latch node vanished meanwhile
      }
    }
    throw new IllegalStateException(
        "the epoch kept changing under " + ATTEMPTS + " promotion attempts");
  }

  /**
   * Applies {@code ops} atomically if the epoch is still {@code epoch}.
   *
   * @throws FencedOutException when it is not: another node was promoted since
   */
  List<CuratorTransactionResult> writeIn(long epoch, List<CuratorOp> ops) throws Exception {
    List<CuratorOp> all = new ArrayList<>(ops.size() + 1);
    all.add(client.transactionOp().check().withVersion((int) epoch).forPath(path));
    all.addAll(ops);
    try {
      List<CuratorTransactionResult> results = client.transaction().forOperations(all);
      return results.subList(1, results.size());
    } catch (KeeperException ke) {
      List<OpResult> results = ke.getResults();
      boolean epochFailed =
          results != null
              && !results.isEmpty()
              && results.get(0) instanceof OpResult.ErrorResult er
              && er.getErr() != KeeperException.Code.OK.intValue();
      if (epochFailed || (results == null && ke.code() == KeeperException.Code.BADVERSION)) {
        throw new FencedOutException(
            "node "
                + id
                + " was fenced out: the epoch is no longer "
                + epoch
                + " (another node was promoted)");
      }
      throw ke;
    }
  }

  private boolean isOurs(byte[] data, String term) {
    try {
      return term.equals(RegistryCodec.decode(path, data, EpochRecord.class).term());
    } catch (CorruptPayloadException e) {
      return false;
    }
  }
}
