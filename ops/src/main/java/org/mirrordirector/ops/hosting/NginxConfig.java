package org.mirrordirector.ops.hosting;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * nginx as a public mirror runs it, serving an archive tree: one configuration with its own prefix,
 * pid file, logs and temporary directories under one directory, in the foreground.
 */
public final class NginxConfig {
  private NginxConfig() {}

  /**
   * The configuration: {@code listen} lines (and TLS lines) of the server, its {@code root}, an
   * access log in {@code dir} in {@code logFormat} (empty: nginx's own).
   */
  public static String conf(Path dir, Path root, String listen, String logFormat) {
    boolean root0 = "root".equals(System.getProperty("user.name"));
    return (root0 ? "user root;\n" : "")
        + "daemon off;\nworker_processes 1;\npid "
        + dir.resolve("nginx.pid")
        + ";\nerror_log "
        + dir.resolve("error.log")
        + " warn;\nevents { worker_connections 256; }\nhttp {\n"
        + "  types { application/vnd.debian.binary-package deb; }\n"
        + "  default_type application/octet-stream;\n"
        + (logFormat.isEmpty() ? "" : "  log_format mirror '" + logFormat + "';\n")
        + "  access_log "
        + dir.resolve("access.log")
        + (logFormat.isEmpty() ? "" : " mirror")
        + ";\n"
        + "  client_body_temp_path "
        + dir.resolve("tmp/body")
        + ";\n  proxy_temp_path "
        + dir.resolve("tmp/proxy")
        + ";\n  fastcgi_temp_path "
        + dir.resolve("tmp/fastcgi")
        + ";\n  uwsgi_temp_path "
        + dir.resolve("tmp/uwsgi")
        + ";\n  scgi_temp_path "
        + dir.resolve("tmp/scgi")
        + ";\n  server {\n"
        + listen
        + "    root "
        + root
        + ";\n  }\n}\n";
  }

  public static String binary() {
    for (String p : List.of("/usr/sbin/nginx", "/usr/bin/nginx")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return "nginx";
  }
}
