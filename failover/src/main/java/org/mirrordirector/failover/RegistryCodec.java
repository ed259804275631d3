package org.mirrordirector.failover;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Versioned JSON for registry payloads: {@code {"v":1, ...fields}}. Unknown fields are ignored (a
 * newer writer may add some); a payload of an unknown version, or one that is not JSON, or one that
 * breaks its record's rules, is a {@link CorruptPayloadException} naming the znode.
 */
public final class RegistryCodec {
  public static final int VERSION = 1;
  private static final int MAX_BYTES = 512 * 1024;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private RegistryCodec() {}

  public static byte[] encode(Object payload) {
    ObjectNode node = JSON.createObjectNode();
    node.put("v", VERSION);
    node.setAll((ObjectNode) JSON.valueToTree(payload));
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + payload, e);
    }
  }

  public static <T> T decode(String path, byte[] data, Class<T> type)
      throws CorruptPayloadException {
    if (data == null || data.length == 0) {
      throw new CorruptPayloadException(path + ": empty, expected a " + type.getSimpleName(), null);
    }
    if (data.length > MAX_BYTES) {
      throw new CorruptPayloadException(
          path + ": " + data.length + " bytes, more than any payload", null);
    }
    JsonNode node;
    try {
      node = JSON.readTree(data);
    } catch (IOException e) {
      throw new CorruptPayloadException(path + ": not JSON (" + firstLine(e.getMessage()) + ")", e);
    }
    if (node == null || !node.isObject()) {
      throw new CorruptPayloadException(path + ": not a JSON object", null);
    }
    JsonNode v = node.get("v");
    if (v == null || !v.canConvertToInt()) {
      throw new CorruptPayloadException(path + ": no payload version \"v\"", null);
    }
    if (v.asInt() != VERSION) {
      throw new CorruptPayloadException(
          path
              + ": payload version "
              + v.asInt()
              + " is not supported (this build reads "
              + VERSION
              + ")",
          null);
    }
    ((ObjectNode) node).remove("v");
    try {
      return JSON.treeToValue(node, type);
    } catch (IOException | IllegalArgumentException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String why =
          root instanceof IllegalArgumentException ? root.getMessage() : firstLine(e.getMessage());
      throw new CorruptPayloadException(
          path + ": not a valid " + type.getSimpleName() + " (" + why + ")", e);
    }
  }

  static ObjectMapper json() {
    return JSON;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no detail";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
