package org.mirrordirector.ops.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.mirrordirector.ops.node.NodeConfig;
import org.mirrordirector.ops.node.NodeConfigFile;

/**
 * The commands' way to a running node: its {@code /status.json} and its admin API. Given a standby,
 * an admin call is sent again to the active node the status names.
 */
public final class NodeClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI base;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private NodeClient(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  /** From --url and --token-file, or else from a node's config file. */
  public static NodeClient of(String url, Path tokenFile, Path config) throws IOException {
    NodeConfig c = config == null ? null : NodeConfigFile.load(config);
    String u = url;
    if (u == null) {
      if (c == null) {
        throw new IllegalArgumentException("give --url http://node:port/ (or --config node.yaml)");
      }
      String host = c.node().address();
      u = "http://" + host + "/";
    }
    URI uri;
    try {
      uri = URI.create(u.endsWith("/") ? u : u + "/");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--url: '" + u + "' is not a URL");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
        || uri.getHost() == null) {
      throw new IllegalArgumentException("--url must be http(s)://host:port/: '" + u + "'");
    }
    Path tf = tokenFile != null ? tokenFile : c != null ? c.director().adminTokenFile() : null;
    String token = null;
    if (tf != null) {
      if (!Files.isReadable(tf)) {
        throw new IllegalArgumentException("--token-file: cannot read " + tf);
      }
      token = Files.readString(tf, StandardCharsets.UTF_8).strip();
    }
    return new NodeClient(uri, token);
  }

  public URI base() {
    return base;
  }

  /** The node's /status.json. */
  public JsonNode status() throws IOException, InterruptedException {
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("status.json")).GET());
    if (r.statusCode() != 200) {
      throw new IOException(base.resolve("status.json") + " answered " + r.statusCode());
    }
    return JSON.readTree(r.body());
  }

  /** The node's /metrics, in the Prometheus text format. */
  public String metrics() throws IOException, InterruptedException {
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("metrics")).GET());
    if (r.statusCode() != 200) {
      throw new IOException(base.resolve("metrics") + " answered " + r.statusCode());
    }
    return r.body();
  }

  /**
   * An admin call; on a standby's 503, the same call to the active node named in the status.
   * Returns the answer's status line and text.
   */
  public HttpResponse<String> admin(String method, String path, String body)
      throws IOException, InterruptedException {
    if (token == null) {
      throw new IllegalArgumentException(
          "the admin API needs a token: --token-file FILE (or --config with"
              + " director.admin-token-file)");
    }
    HttpResponse<String> r = adminAt(base, method, path, body);
    if (r.statusCode() == 503 && r.body().contains("not the active node")) {
      for (JsonNode n : status().path("nodes")) {
        if ("ACTIVE".equals(n.path("role").asText()) && n.hasNonNull("address")) {
          URI active = URI.create(base.getScheme() + "://" + n.get("address").asText() + "/");
          if (!active.equals(base)) {
            return adminAt(active, method, path, body);
          }
        }
      }
    }
    return r;
  }

  private HttpResponse<String> adminAt(URI at, String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(at.resolve(path.substring(1)))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(30));
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return send(b);
  }

  private HttpResponse<String> send(HttpRequest.Builder b)
      throws IOException, InterruptedException {
    HttpRequest req = b.timeout(Duration.ofSeconds(30)).build();
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new IOException("cannot connect to " + req.uri() + " (is the node running?)");
    } catch (java.net.http.HttpTimeoutException e) {
      throw new IOException(req.uri() + " did not answer in time");
    }
  }
}
