package org.mirrordirector.director;

import java.util.List;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.mirrordirector.failover.ClusterView;

/** {@code mirrors.txt} under an archive root: the list apt's {@code mirror+http} method reads. */
final class MirrorList {
  private final MirrorSelector selector;
  private final Supplier<ClusterView> view;
  private final Supplier<FileKnowledge> files;
  private final PlainAnswers answers;

  MirrorList(
      MirrorSelector selector,
      Supplier<ClusterView> view,
      Supplier<FileKnowledge> files,
      PlainAnswers answers) {
    this.selector = selector;
    this.view = view;
    this.files = files;
    this.answers = answers;
  }

  /** A Host header fit to be written back into a URL: a name or an address, and a port. */
  private static final java.util.regex.Pattern AUTHORITY =
      java.util.regex.Pattern.compile(
          "(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]{2,45}\\])(?::[0-9]{1,5})?");

  /**
   * An apt {@code mirror+http} list for this client: the mirrors at the current snapshot, best
   * first, each with its {@code priority:N} (1 is the first choice), and this director's own root
   * last. apt moves down the list when a mirror fails; the director's root redirects each request
   * anew or serves it itself, so the list is never empty: right after a publication, before any
   * mirror has copied the new snapshot, it is the director alone.
   */
  boolean answer(
      RequestPath path,
      String scheme,
      ClientLocation client,
      String authority,
      Response response,
      Callback callback,
      boolean head)
      throws RejectedPath {
    List<MirrorCandidate> ranked =
        selector.ranked(scheme, client, view.get(), files.get(), System.currentTimeMillis());
    StringBuilder sb = new StringBuilder();
    int priority = 1;
    for (MirrorCandidate c : ranked) {
      sb.append(c.base().endsWith("/") ? c.base() : c.base() + "/")
          .append("\tpriority:")
          .append(priority++)
          .append('\n');
    }
    if (authority != null && AUTHORITY.matcher(authority).matches()) {
      sb.append(scheme)
          .append("://")
          .append(authority)
          .append(path.root())
          .append("\tpriority:")
          .append(priority)
          .append('\n');
    }
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (sb.isEmpty()) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "60");
      return answers.text(
          response,
          callback,
          503,
          "no mirror is at the current snapshot and the Host header names no director\n",
          head);
    }
    return answers.text(response, callback, 200, sb.toString(), head);
  }
}
