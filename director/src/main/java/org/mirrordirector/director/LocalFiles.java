package org.mirrordirector.director;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Files served from this node's own verified snapshots, when no mirror qualifies: the current
 * snapshot's, or for a pool or by-hash file that a client's older indexes name, a kept snapshot's.
 */
final class LocalFiles {

  private final LocalTree local;
  private final RedirectStats stats;
  private final PlainAnswers answers;

  LocalFiles(LocalTree local, RedirectStats stats, PlainAnswers answers) {
    this.local = local;
    this.stats = stats;
    this.answers = answers;
  }

  /**
   * Serves the file; a pool or by-hash file that no kept snapshot has is {@link
   * ServedLocally#MISSING} when {@code mayHold}, else a 404.
   */
  ServedLocally serve(PendingRequest a, boolean mayHold) throws IOException {
    RequestPath path = a.path();
    Response response = a.response();
    Callback callback = a.callback();
    boolean head = a.head();
    if (local.current().isEmpty()) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "60");
      answers.text(
          response, callback, 503, "no mirror qualifies and this node has no snapshot\n", head);
      return ServedLocally.ANSWERED;
    }
    Path f = find(path);
    if (f == null) {
      boolean holdable = path.kind() == PathKind.POOL || path.kind() == PathKind.BY_HASH;
      if (holdable && mayHold) {
        return ServedLocally.MISSING;
      }
      answers.text(response, callback, 404, "not in any kept snapshot\n", head);
      return ServedLocally.ANSWERED;
    }
    long size = Files.size(f);
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, size);
    response.getHeaders().put("X-Mirror", "director");
    stats.record(RedirectStats.LOCAL);
    if (head) {
      response.write(true, null, callback);
      return ServedLocally.ANSWERED;
    }
    // Asynchronous copy: the response completes the callback when the last byte is written, and a
    // slow or vanished client holds no thread (a blocking stream closed after the callback made
    // Jetty warn "Blocking.Shared incomplete" under load).
    ByteBufferPool.Sized buffers =
        new ByteBufferPool.Sized(a.request().getComponents().getByteBufferPool(), true, 64 * 1024);
    Content.copy(Content.Source.from(buffers, f), response, callback);
    return ServedLocally.ANSWERED;
  }

  /**
   * The file in this node's current snapshot, or for a pool or by-hash file, in any kept one (a
   * client whose lists are a snapshot old gets its files, not a 404); null when none has it.
   */
  Path find(RequestPath path) {
    Optional<Path> tree = local.current();
    if (tree.isEmpty()) {
      return null;
    }
    Path f = inTree(tree.get(), path);
    if (f == null && (path.kind() == PathKind.POOL || path.kind() == PathKind.BY_HASH)) {
      for (Path older : local.kept()) {
        f = inTree(older, path);
        if (f != null) {
          break;
        }
      }
    }
    return f;
  }

  /** The file in this tree, or null; the path is normalised already and cannot leave the tree. */
  private static Path inTree(Path tree, RequestPath path) {
    Path f = tree.resolve(path.path()).normalize();
    return f.startsWith(tree) && Files.isRegularFile(f) ? f : null;
  }
}
