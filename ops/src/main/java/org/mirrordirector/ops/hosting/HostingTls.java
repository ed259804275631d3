package org.mirrordirector.ops.hosting;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The hosting's TLS in small: a CA of its own ({@code ca.pem}), one certificate for the front end's
 * name and every mirror's ({@code server.crt}, {@code server.key}, and both in {@code server.pem}
 * for HAProxy), and a trust store with the CA for the nodes' JVMs ({@code trust.p12}, password
 * {@code changeit}). Valid for two days.
 */
final class HostingTls {
  private HostingTls() {}

  /** Makes them in {@code dir} with openssl and this JVM's keytool, inside the internet. */
  static void make(HostingNetwork net, Path dir, String front, List<String> mirrors)
      throws IOException, InterruptedException {
    Path t = Files.createDirectories(dir);
    StringBuilder san = new StringBuilder("subjectAltName=DNS:" + front);
    for (String m : mirrors) {
      san.append(",DNS:").append(m).append(".test");
    }
    Files.writeString(t.resolve("san.ext"), san + "\n");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    String script =
        "set -e; cd "
            + t
            + "; openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2"
            + " -subj /CN=hosting-test-ca 2>/dev/null"
            + "; openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr"
            + " -subj /CN="
            + front
            + " 2>/dev/null"
            + "; openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
            + " -out server.crt -days 2 -extfile san.ext 2>/dev/null"
            + "; cat server.crt server.key > server.pem; "
            + (Files.isExecutable(keytool) ? keytool.toString() : "keytool")
            + " -importcert -noprompt -alias ca -file ca.pem -keystore trust.p12"
            + " -storetype PKCS12 -storepass changeit >/dev/null";
    HostingResult r = net.exec(net.internet, Duration.ofSeconds(60), "bash", "-c", script);
    if (!r.ok()) {
      throw new IOException("cannot make the hosting's certificates: " + r.output());
    }
  }
}
