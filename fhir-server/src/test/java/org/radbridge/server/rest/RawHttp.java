package org.radbridge.server.rest;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as given: hostile requests (raw characters in the
 * target, contradictory headers, odd methods, broken bodies) cannot be sent by a client library,
 * which would fix or refuse them first. One request per connection ({@code Connection: close}).
 */
final class RawHttp {
  /** A response: status, headers (lower-case names) and the body with chunking undone. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, UTF_8);
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private RawHttp() {}

  /**
   * Sends the request and reads the whole answer, waiting at most {@code timeoutMillis} for each
   * read (a server that hangs fails the read). A server that answers before the body is sent and
   * closes the connection is fine: the answer is read all the same.
   */
  static Response send(int port, byte[] head, byte[] body, int timeoutMillis) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(timeoutMillis);
      OutputStream out = s.getOutputStream();
      try {
        out.write(head);
        out.write(body);
        out.flush();
      } catch (IOException closedEarly) {
        // the server refused before reading everything (e.g. a 413); its answer is still there
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[65536];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          all.write(buf, 0, n);
        }
      } catch (java.net.SocketException reset) {
        // a reset after the answer was sent (the server cut an unread body): keep what arrived
        if (all.size() == 0) {
          throw reset;
        }
      }
      return parse(all.toByteArray());
    }
  }

  private static Response parse(byte[] raw) throws IOException {
    int split = indexOf(raw, "\r\n\r\n".getBytes(ISO_8859_1), 0);
    if (split < 0) {
      throw new IOException("no complete response head in " + raw.length + " bytes: "
          + new String(raw, ISO_8859_1));
    }
    String[] lines = new String(raw, 0, split, ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ", 3)[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    byte[] body = java.util.Arrays.copyOfRange(raw, split + 4, raw.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = dechunk(body);
    }
    return new Response(status, headers, body);
  }

  private static byte[] dechunk(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    while (true) {
      int eol = indexOf(b, "\r\n".getBytes(ISO_8859_1), pos);
      if (eol < 0) {
        throw new IOException("truncated chunked body");
      }
      String sizeLine = new String(b, pos, eol - pos, ISO_8859_1);
      int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
      if (size == 0) {
        return out.toByteArray();
      }
      out.write(b, eol + 2, size);
      pos = eol + 2 + size + 2;
    }
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
