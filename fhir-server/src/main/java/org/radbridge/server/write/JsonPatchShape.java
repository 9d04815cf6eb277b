package org.radbridge.server.write;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;

/**
 * The shape RFC 6902 gives a JSON Patch — an array of operations, each an object with a known
 * "op" and a "path" — checked before the patch library sees it, so a malformed patch is refused
 * with a sentence about the patch rather than the library's deserialisation error.
 */
final class JsonPatchShape {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> OPS = Set.of("add", "remove", "replace", "move", "copy", "test");

  private JsonPatchShape() {}

  static void requireValid(String body) {
    JsonNode patch;
    try {
      patch = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("The JSON Patch is not valid JSON (line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ")");
    }
    if (patch == null || !patch.isArray()) {
      throw new InvalidRequestException("A JSON Patch is an array of operations ([{\"op\":…,\"path\":…}]), not "
          + (patch == null ? "nothing" : "a JSON " + patch.getNodeType().name().toLowerCase()));
    }
    for (int i = 0; i < patch.size(); i++) {
      JsonNode op = patch.get(i);
      if (!op.isObject() || !op.path("op").isTextual() || !OPS.contains(op.path("op").asText())) {
        throw new InvalidRequestException("JSON Patch operation " + i + " needs an \"op\" of add, remove, replace,"
            + " move, copy or test");
      }
      if (!op.path("path").isTextual()) {
        throw new InvalidRequestException("JSON Patch operation " + i + " (" + op.path("op").asText()
            + ") needs a \"path\"");
      }
    }
  }
}
