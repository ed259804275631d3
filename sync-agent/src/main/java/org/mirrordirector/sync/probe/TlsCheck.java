package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.mirrordirector.sync.net.HttpAnswer;
import org.mirrordirector.sync.net.OutboundHttp;

/**
 * The quick check over https, blocking: a GET of the first {@link ReachSettings#SAMPLE} bytes of
 * the URL (a Range), read; the answer's status, or why there was none.
 */
@FunctionalInterface
public interface TlsCheck {
  int status(URI url) throws IOException;

  /** Through a node's HTTP client (its TLS, its timeout; no redirect followed). */
  static TlsCheck over(OutboundHttp http) {
    return url -> {
      try (HttpAnswer answer =
          http.get(url, Map.of("Range", "bytes=0-" + (ReachSettings.SAMPLE - 1)))) {
        // The first bytes of the body must come, not only the headers.
        answer.body().readNBytes(ReachSettings.SAMPLE);
        return answer.status();
      }
    };
  }
}
