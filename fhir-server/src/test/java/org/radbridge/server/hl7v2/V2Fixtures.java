package org.radbridge.server.hl7v2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The message fixtures of {@code mappers/src/test/resources/hl7v2}, read in the charset their
 * MSH-18 names, with the fixture's accession numbers, MRNs, control ids and UIDs replaced so
 * every test run (and every run against the same database) sends messages nobody sent before.
 */
final class V2Fixtures {
  private static final Path DIR = Path.of("..", "mappers", "src", "test", "resources", "hl7v2");

  private V2Fixtures() {}

  static String text(String name, Charset charset) {
    try {
      return new String(Files.readAllBytes(DIR.resolve(name)), charset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replacements applied in order (longest tokens first is the caller's job). */
  static String with(String text, Map<String, String> replacements) {
    String out = text;
    for (Map.Entry<String, String> e : replacements.entrySet()) {
      out = out.replace(e.getKey(), e.getValue());
    }
    return out;
  }

  /** Fresh values for the A88001 order family: accession, MRNs, control ids, the Study UID. */
  static Map<String, String> freshOrder(String suffix) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("1.2.826.0.1.3680043.10.511.88001", "1.2.826.0.1.3680043.10.511." + suffix);
    m.put("A88001", "A" + suffix);
    m.put("A2026-0417", "M" + suffix);
    m.put("A2026-0999", "N" + suffix);
    m.put("440301196104170011", "4403" + suffix);
    m.put("|OMI20261204-0001|", "|OMI" + suffix + "|");
    m.put("|HISA-", "|HISA" + suffix + "-");
    m.put("|RIS-2026-", "|RIS" + suffix + "-");
    m.put("F-55101", "F" + suffix);
    return m;
  }

  /** A number unique to this moment, short enough for accession numbers (SH, 16 chars). */
  static String suffix() {
    return String.valueOf(System.nanoTime() % 10_000_000_000L);
  }
}
