package org.mirrordirector.failover;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;

/**
 * A node in a JVM of its own, so that tests can kill it (SIGKILL) or pause it (SIGSTOP) for real.
 * It speaks lines: it prints "ROLE from to epoch" on every change and answers STATUS with "STATUS
 * role epoch serving"; WRITE makes one fenced write and answers "WRITE OK|FENCED|ERROR epoch
 * detail"; AUTOWRITE starts writing every 20 ms while it believes itself ACTIVE, printing each
 * result that differs from the last.
 */
public final class LeaderProcess {
  static final String DATA = RegistryPaths.DEFAULT_ROOT + "/test-data";

  private LeaderProcess() {}

  public static void main(String[] args) throws Exception {
    String connect = args[0];
    String id = args[1];
    Duration s = Duration.ofMillis(Long.parseLong(args[2]));
    LeadershipConfig config = LeadershipConfig.withSessionTimeout(id, id + ":0", s);
    CuratorFramework client = ZooKeeperClients.start(connect, config);
    RegistryPaths paths = args.length > 3 ? new RegistryPaths(args[3]) : RegistryPaths.defaults();
    Leadership l = new Leadership(client, paths, config);
    Object out = new Object();
    l.addListener(
        (from, to, epoch) -> {
          synchronized (out) {
            System.out.println("ROLE " + from + " " + to + " " + epoch);
            System.out.flush();
          }
        },
        Runnable::run);
    l.start();
    synchronized (out) {
      System.out.println("READY " + ProcessHandle.current().pid());
      System.out.flush();
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      // An optional numeric tag before the command comes back before the reply.
      String tag = "";
      String cmd = line.trim();
      int sp = cmd.indexOf(' ');
      if (sp > 0 && cmd.substring(0, sp).chars().allMatch(Character::isDigit)) {
        tag = cmd.substring(0, sp + 1);
        cmd = cmd.substring(sp + 1);
      }
      String reply;
      switch (cmd) {
        case "STATUS" ->
            reply = "STATUS " + l.role() + " " + l.epoch() + " " + l.isServingAsLeader();
        case "WRITE" -> reply = write(l, client);
        case "AUTOWRITE" -> {
          Thread t = new Thread(() -> autowrite(l, client, out), "autowrite");
          t.setDaemon(true);
          t.start();
          reply = "AUTOWRITE ON";
        }
        case "RELINQUISH" -> {
          l.relinquish();
          reply = "RELINQUISHED";
        }
        case "SESSION" -> {
          org.apache.zookeeper.ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
          reply =
              "SESSION "
                  + zk.getSessionId()
                  + " "
                  + java.util.HexFormat.of().formatHex(zk.getSessionPasswd())
                  + " "
                  + zk.getSessionTimeout();
        }
        case "QUIT" -> {
          l.close();
          client.close();
          System.out.println("BYE");
          System.out.flush();
          return;
        }
        default -> reply = "ERROR unknown command " + line;
      }
      synchronized (out) {
        System.out.println(tag + reply);
        System.out.flush();
      }
    }
  }

  static String write(Leadership l, CuratorFramework client) {
    return write(l, client, -1);
  }

  /** One write; with {@code staleEpoch} > 0 it skips the node's own role check. */
  static String write(Leadership l, CuratorFramework client, long staleEpoch) {
    long e = staleEpoch > 0 ? staleEpoch : l.epoch();
    try {
      if (client.checkExists().forPath(DATA) == null) {
        client.createContainers(RegistryPaths.DEFAULT_ROOT);
        try {
          client.create().forPath(DATA, new byte[0]);
        } catch (org.apache.zookeeper.KeeperException.NodeExistsException race) {
          // fine
        }
      }
      byte[] value = (l.nodeId() + " " + e).getBytes(StandardCharsets.UTF_8);
      if (staleEpoch > 0) {
        l.writeInEpoch(staleEpoch, List.of(client.transactionOp().setData().forPath(DATA, value)));
      } else {
        l.write(List.of(client.transactionOp().setData().forPath(DATA, value)));
      }
      return "WRITE OK " + e;
    } catch (FencedOutException f) {
      return "WRITE FENCED " + e + " " + f.getMessage();
    } catch (Exception x) {
      return "WRITE ERROR " + e + " " + x;
    }
  }

  /**
   * Writes every 20 ms with the epoch of the last term this node saw itself lead, whatever it
   * believes now: a writer that decided before a pause and carries on after it.
   */
  private static void autowrite(Leadership l, CuratorFramework client, Object out) {
    AtomicReference<String> last = new AtomicReference<>("");
    long epoch = -1;
    while (true) {
      if (l.role() == Role.ACTIVE && l.epoch() > epoch) {
        epoch = l.epoch();
      }
      if (epoch > 0) {
        String r = write(l, client, epoch);
        String kind = r.split(" ", 3)[1];
        if (!kind.equals(last.get())) {
          last.set(kind);
          synchronized (out) {
            System.out.println("AUTO " + r);
            System.out.flush();
          }
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
