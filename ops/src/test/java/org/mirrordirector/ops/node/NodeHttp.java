package org.mirrordirector.ops.node;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Plain HTTP requests to a running node's director, for the node tests. */
public final class NodeHttp {
  private NodeHttp() {}

  /** The status code of a GET of {@code path}. */
  public static int get(Node n, String path) throws IOException {
    HttpURLConnection c = open(n, path);
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }

  /** The body of a GET of {@code path} (an error status throws). */
  public static String body(Node n, String path) throws IOException {
    HttpURLConnection c = open(n, path);
    try (var in = c.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      c.disconnect();
    }
  }

  /** The Location of a redirect, or null when the node answers otherwise. */
  public static String location(Node n, String path) throws IOException {
    HttpURLConnection c = open(n, path);
    c.setInstanceFollowRedirects(false);
    try {
      return c.getResponseCode() == 302 ? c.getHeaderField("Location") : null;
    } finally {
      c.disconnect();
    }
  }

  private static HttpURLConnection open(Node n, String path) throws IOException {
    return (HttpURLConnection)
        URI.create("http://127.0.0.1:" + n.port() + path).toURL().openConnection();
  }
}
