package org.mirrordirector.director;

import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A node's archives side by side: a request goes to the redirector of the archive whose root its
 * path is under ({@code /raspbian/} to Raspbian's, {@code /debian/} to the Raspberry Pi archive's);
 * any other to the first archive's, which answers it (404, "not under an archive root").
 */
final class ArchiveRouter extends Handler.Sequence {
  private final List<Map.Entry<String, Handler>> byRoot;
  private final Handler first;

  /**
   * @param byRoot each root with the redirector that serves it, the first archive's first
   */
  ArchiveRouter(List<Map.Entry<String, Handler>> byRoot) {
    super(byRoot.stream().map(Map.Entry::getValue).distinct().toArray(Handler[]::new));
    this.byRoot = List.copyOf(byRoot);
    this.first = byRoot.get(0).getValue();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    if (path != null) {
      for (Map.Entry<String, Handler> e : byRoot) {
        if (path.startsWith(e.getKey())) {
          return e.getValue().handle(request, response, callback);
        }
      }
    }
    return first.handle(request, response, callback);
  }
}
