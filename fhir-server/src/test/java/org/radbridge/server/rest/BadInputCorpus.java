package org.radbridge.server.rest;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bad-input corpus ({@code hostile/rest-corpus.txt}) read into requests. A case is
 *
 * <pre>
 * === name
 * METHOD target [protocol]
 * Header: value             (any number; Host, Connection and Content-Length are added unless given)
 * expect: 4xx | 400 | 2xx … (the status, or its class)
 * says: text                (optional, repeatable: words the OperationOutcome's diagnostics must hold)
 *                           (a blank line)
 * body                      (to the next "===" line; the last line break is not part of it)
 * </pre>
 *
 * Target, header values and body may hold {@code ⟦hex 00 ff⟧} (raw bytes) and
 * {@code ⟦repeat N|text⟧} (text, itself expanded, N times). Lines starting with {@code #}
 * between cases are comments.
 */
final class BadInputCorpus {
  /** One request of the corpus and what must come back. */
  record Case(String name, String method, byte[] target, String protocol, Map<String, byte[]> headers,
      String expect, List<String> says, byte[] body) {
    @Override
    public String toString() {
      return name;
    }

    /** Whether the status is one the case allows ("400", "4xx", "201|400|422", "2xx|4xx"). */
    boolean expects(int status) {
      for (String alt : expect.split("\\s*\\|\\s*")) {
        if (alt.endsWith("xx") ? status / 100 == alt.charAt(0) - '0' : Integer.parseInt(alt) == status) {
          return true;
        }
      }
      return false;
    }

    /**
     * The request head, with Host, Connection, Content-Length and Authorization (a token with every
     * scope, so the corpus tests the handlers and not only the token check) filled in; a case's
     * {@code Authorization: (none)} sends none.
     */
    byte[] head(int port, String authorization) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes((method + " ").getBytes(ISO_8859_1));
      out.writeBytes(target);
      out.writeBytes((" " + protocol + "\r\n").getBytes(ISO_8859_1));
      Map<String, byte[]> all = new LinkedHashMap<>();
      all.put("Host", ("127.0.0.1:" + port).getBytes(ISO_8859_1));
      all.put("Connection", "close".getBytes(ISO_8859_1));
      if (!"HEAD".equals(method) && (body.length > 0 || !"GET".equals(method))) {
        all.put("Content-Length", Integer.toString(body.length).getBytes(ISO_8859_1));
      }
      all.put("Accept", "application/fhir+json".getBytes(ISO_8859_1));
      all.put("Authorization", authorization.getBytes(ISO_8859_1));
      for (var h : headers.entrySet()) {
        // a case's own header replaces the default (a name ending in "#n" adds a repeat)
        String name = h.getKey().replaceAll("#\\d+$", "");
        all.keySet().removeIf(k -> k.equalsIgnoreCase(name) && !h.getKey().contains("#"));
        if (name.equalsIgnoreCase("Transfer-Encoding")) {
          all.remove("Content-Length");
        }
        if (!(name.equalsIgnoreCase("Authorization") && "(none)".equals(new String(h.getValue(), ISO_8859_1)))) {
          all.put(h.getKey(), h.getValue());
        }
      }
      for (var h : all.entrySet()) {
        out.writeBytes((h.getKey().replaceAll("#\\d+$", "") + ": ").getBytes(ISO_8859_1));
        out.writeBytes(h.getValue());
        out.writeBytes("\r\n".getBytes(ISO_8859_1));
      }
      out.writeBytes("\r\n".getBytes(ISO_8859_1));
      return out.toByteArray();
    }
  }

  // brackets no JSON, XML or URL of the corpus uses, so templates need no escaping
  private static final char OPEN = '\u27e6';
  private static final char CLOSE = '\u27e7';

  private BadInputCorpus() {}

  static List<Case> load(String resource) throws IOException {
    String text;
    try (InputStream in = BadInputCorpus.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("no test resource " + resource);
      }
      text = new String(in.readAllBytes(), UTF_8);
    }
    List<Case> cases = new ArrayList<>();
    String[] blocks = text.split("(?m)^=== ");
    for (int i = 1; i < blocks.length; i++) {
      cases.add(parse(blocks[i]));
    }
    return cases;
  }

  private static Case parse(String block) {
    String[] lines = block.split("\n", -1);
    String name = lines[0].trim();
    // METHOD target [HTTP/x.y]; the target may hold spaces inside template tokens
    String line = lines[1].trim();
    String method = line.substring(0, line.indexOf(' '));
    String target = line.substring(method.length() + 1);
    String protocol = "HTTP/1.1";
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(" (HTTP/\\S+)$").matcher(target);
    if (m.find()) {
      protocol = m.group(1);
      target = target.substring(0, m.start());
    }
    Map<String, byte[]> headers = new LinkedHashMap<>();
    String expect = null;
    List<String> says = new ArrayList<>();
    int i = 2;
    for (; i < lines.length && !lines[i].isEmpty(); i++) {
      int colon = lines[i].indexOf(':');
      String key = lines[i].substring(0, colon).trim();
      String value = lines[i].substring(colon + 1).trim();
      switch (key.toLowerCase(Locale.ROOT)) {
        case "expect" -> expect = value;
        case "says" -> says.add(value);
        default -> headers.put(key, expand(value));
      }
    }
    if (expect == null) {
      throw new IllegalArgumentException("case '" + name + "' has no expect: line");
    }
    StringBuilder body = new StringBuilder();
    for (int j = i + 1; j < lines.length; j++) {
      if (j > i + 1) {
        body.append('\n');
      }
      body.append(lines[j]);
    }
    // the block ends with the line break before the next case (and comments between cases)
    String b = body.toString().replaceAll("(?s)\n(#[^\n]*\n?|\\s*\n?)*$", "");
    return new Case(name, method, expand(target), protocol, headers, expect, says, expand(b));
  }

  /** The template's bytes: text as UTF-8, ⟦hex …⟧ as raw bytes, ⟦repeat N|…⟧ repeated. */
  static byte[] expand(String template) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    while (pos < template.length()) {
      int open = template.indexOf(OPEN, pos);
      if (open < 0) {
        out.writeBytes(template.substring(pos).getBytes(UTF_8));
        break;
      }
      out.writeBytes(template.substring(pos, open).getBytes(UTF_8));
      int close = matchingClose(template, open);
      String token = template.substring(open + 1, close);
      if (token.startsWith("hex ")) {
        for (String h : token.substring(4).trim().split("\\s+")) {
          out.write(Integer.parseInt(h, 16));
        }
      } else if (token.startsWith("repeat ")) {
        int bar = token.indexOf('|');
        int n = Integer.parseInt(token.substring(7, bar).trim());
        byte[] once = expand(token.substring(bar + 1));
        for (int k = 0; k < n; k++) {
          out.writeBytes(once);
        }
      } else {
        throw new IllegalArgumentException("unknown template token " + OPEN + token + CLOSE);
      }
      pos = close + 1;
    }
    return out.toByteArray();
  }

  private static int matchingClose(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      if (s.charAt(i) == OPEN) {
        depth++;
      } else if (s.charAt(i) == CLOSE) {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    throw new IllegalArgumentException("unclosed " + OPEN + " in " + s);
  }
}
