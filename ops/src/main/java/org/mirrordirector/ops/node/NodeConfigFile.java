package org.mirrordirector.ops.node;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a node's YAML file into a {@link NodeConfig}: the YAML with the line of every key, so that
 * every error names the file, the line, the key and what is wrong ({@link InvalidConfigException});
 * the values themselves are checked by {@link NodeConfigValues}.
 */
public final class NodeConfigFile {
  private NodeConfigFile() {}

  /** Reads and checks a YAML file. */
  public static NodeConfig load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new InvalidConfigException(file + ": no such file");
    }
    return parse(file, Files.readString(file, StandardCharsets.UTF_8));
  }

  /** Checks a configuration given as YAML text ({@code file} names it in messages). */
  public static NodeConfig parse(Path file, String yaml) {
    Map<String, Integer> lines = new HashMap<>();
    JsonNode root;
    try {
      root = read(yaml, lines);
    } catch (JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      throw new InvalidConfigException(
          file
              + (l != null ? ":" + l.getLineNr() : "")
              + ": not valid YAML: "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidConfigException(file + ": " + e.getMessage());
    }
    NodeConfigValues v = new NodeConfigValues(file, lines);
    if (root != null && !root.isNull() && !root.isMissingNode()) {
      if (!root.isObject()) {
        throw new InvalidConfigException(
            file + ": the file must be a mapping of sections (node:, archive:, ...)");
      }
      v.flatten("", root);
    }
    return new NodeConfigBuilder(v).build();
  }

  /** The YAML tree, and the line of every key (by dotted path). */
  private static JsonNode read(String yaml, Map<String, Integer> lines) throws IOException {
    Deque<String> containers = new ArrayDeque<>(); // the dotted path of each open mapping or list
    Deque<int[]> items = new ArrayDeque<>(); // per open container: the next item's index in a list
    try (JsonParser p =
        YAMLFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build()
            .createParser(yaml)) {
      String field = null;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        switch (t) {
          case FIELD_NAME -> {
            String top = containers.isEmpty() ? "" : containers.peek();
            field = top.isEmpty() ? p.currentName() : top + "." + p.currentName();
            lines.putIfAbsent(field, p.currentLocation().getLineNr());
          }
          case START_OBJECT, START_ARRAY -> {
            String top = containers.isEmpty() ? null : containers.peek();
            String name;
            if (field != null) {
              name = field;
            } else if (top == null) {
              name = "";
            } else {
              // An item of a list: archives[0], archives[1], ... (the line of the item's start).
              name = top + "[" + items.peek()[0]++ + "]";
              lines.putIfAbsent(name, p.currentLocation().getLineNr());
            }
            containers.push(name);
            items.push(new int[] {0});
            field = null;
          }
          case END_OBJECT, END_ARRAY -> {
            containers.pop();
            items.pop();
          }
          default -> field = null;
        }
      }
    }
    // A section given twice must not silently lose its first half.
    return YAMLMapper.builder()
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build()
        .readTree(yaml);
  }
}
