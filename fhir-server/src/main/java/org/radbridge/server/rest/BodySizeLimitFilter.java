package org.radbridge.server.rest;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.radbridge.server.RadBridgeProperties;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over the configured limit with 413 and an OperationOutcome, before the
 * body is parsed: a declared Content-Length over the limit is answered at once; a chunked body is
 * answered as soon as it passes the limit. Bundles posted to the base URL have their own, larger
 * limit.
 *
 * <p>After answering, the rest of the body is read and thrown away: most clients (Python's urllib,
 * Java's HttpClient) send the whole body before they read, and a connection closed on unread data
 * is reset, which destroys the 413 before they see it (Tomcat itself never drains after a 413). The
 * draining is bounded: a body of more than {@value #DISCARD_FACTOR} times its limit is cut off.
 */
public class BodySizeLimitFilter extends OncePerRequestFilter {
  /** How many times its limit a refused body may be to be drained rather than cut off. */
  static final int DISCARD_FACTOR = 4;

  private final FhirContext ctx;
  private final RadBridgeProperties props;

  public BodySizeLimitFilter(FhirContext ctx, RadBridgeProperties props) {
    this.ctx = ctx;
    this.props = props;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String method = request.getMethod();
    if (!"POST".equals(method) && !"PUT".equals(method) && !"PATCH".equals(method)) {
      chain.doFilter(request, response);
      return;
    }
    String path = request.getRequestURI().substring(request.getContextPath().length());
    boolean toBase = path.equals("/fhir") || path.equals("/fhir/");
    long limit = toBase ? props.getLimits().getMaxBundleBody().toBytes() : props.getLimits().getMaxResourceBody().toBytes();
    String what = toBase ? "bundle" : "resource";
    long declared = request.getContentLengthLong();
    long discardable = limit * DISCARD_FACTOR;
    if (declared > limit) {
      reject(response, declared, limit, what);
      if (declared <= discardable) {
        discard(request.getInputStream(), declared);
      }
      return;
    }
    if (declared >= 0) {
      chain.doFilter(request, response);
      return;
    }
    // chunked: buffered up to the limit; refused as soon as it passes it, the rest drained
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (InputStream in = request.getInputStream()) {
      byte[] chunk = new byte[64 * 1024];
      int n;
      while ((n = in.read(chunk)) > 0) {
        buf.write(chunk, 0, n);
        if (buf.size() > limit) {
          reject(response, -1, limit, what);
          discard(in, discardable - buf.size());
          return;
        }
      }
    }
    chain.doFilter(new CachedBodyRequest(request, buf.toByteArray()), response);
  }

  private void reject(HttpServletResponse response, long declared, long limit, String what) throws IOException {
    response.setHeader("Connection", "close");
    ErrorResponses.send(ctx, response, 413, OperationOutcome.IssueType.TOOCOSTLY,
        "Request body " + (declared >= 0 ? "of " + declared + " bytes " : "")
            + "exceeds the " + what + " limit of " + limit + " bytes");
  }

  /** Reads and drops up to {@code max} more bytes of the body; a client that hangs up ends it early. */
  private static void discard(InputStream in, long max) {
    byte[] sink = new byte[64 * 1024];
    try {
      for (long left = max; left > 0; ) {
        int n = in.read(sink, 0, (int) Math.min(sink.length, left));
        if (n < 0) {
          return;
        }
        left -= n;
      }
    } catch (IOException e) {
      // the client stopped sending (curl does on seeing the 413): nothing left to drain
    }
  }

  /** A request whose body was already read into memory. */
  private static final class CachedBodyRequest extends HttpServletRequestWrapper {
    private final byte[] body;

    CachedBodyRequest(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException();
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      String enc = getCharacterEncoding();
      Charset cs = enc == null ? StandardCharsets.UTF_8 : Charset.forName(enc);
      return new BufferedReader(new InputStreamReader(getInputStream(), cs));
    }
  }
}
