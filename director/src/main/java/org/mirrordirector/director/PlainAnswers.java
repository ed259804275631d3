package org.mirrordirector.director;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The director's answers with a body of its own: plain text (an error says why in words; every
 * status of 400 or more is counted) and JSON (never cached). A HEAD gets the headers alone.
 */
final class PlainAnswers {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final DirectorMetrics metrics;

  PlainAnswers(DirectorMetrics metrics) {
    this.metrics = metrics;
  }

  boolean text(Response response, Callback callback, int status, String body, boolean head) {
    if (status >= 400) {
      metrics.error(status);
    }
    byte[] data = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, data.length);
    response.write(true, head ? null : java.nio.ByteBuffer.wrap(data), callback);
    return true;
  }

  static boolean json(Response response, Callback callback, Object body, boolean head)
      throws IOException {
    byte[] data = JSON.writeValueAsBytes(body);
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, data.length);
    response.write(true, head ? null : java.nio.ByteBuffer.wrap(data), callback);
    return true;
  }
}
