package org.mirrordirector.ops.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** The service port, then the parts' ports after it (or free ones). */
public final class DemoPorts {
  private int next;
  private final java.util.Set<Integer> given = new java.util.HashSet<>();

  public DemoPorts(int base) {
    this.next = base;
  }

  public int next() throws IOException {
    if (next == 0) {
      // The kernel may hand a free port out again before the part given it has bound it: never
      // give one out twice.
      for (int tries = 0; tries < 100; tries++) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
          if (given.add(s.getLocalPort())) {
            return s.getLocalPort();
          }
        }
      }
      throw new IOException("no free port found on the loopback address");
    }
    int p = next++;
    try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
      return p;
    } catch (IOException e) {
      throw new IOException(
          "port " + p + " is taken: give mirrorctl demo another --port (it uses the 10 after it)");
    }
  }
}
