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
 * body is read: a declared Content-Length over the limit is refused at once; a chunked body is
 * read only up to the limit. Bundles posted to the base URL have their own, larger limit.
 */
public class BodySizeLimitFilter extends OncePerRequestFilter {
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
    if (declared > limit) {
      reject(response, declared, limit, what);
      return;
    }
    if (declared >= 0) {
      chain.doFilter(request, response);
      return;
    }
    // chunked: read at most limit + 1 bytes, and refuse as soon as the limit is passed
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (InputStream in = request.getInputStream()) {
      byte[] chunk = new byte[64 * 1024];
      int n;
      while ((n = in.read(chunk)) > 0) {
        buf.write(chunk, 0, n);
        if (buf.size() > limit) {
          reject(response, -1, limit, what);
          return;
        }
      }
    }
    chain.doFilter(new CachedBodyRequest(request, buf.toByteArray()), response);
  }

  private void reject(HttpServletResponse response, long declared, long limit, String what) throws IOException {
    OperationOutcome oo = new OperationOutcome();
    oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(OperationOutcome.IssueType.TOOCOSTLY)
        .setDiagnostics("Request body " + (declared >= 0 ? "of " + declared + " bytes " : "")
            + "exceeds the " + what + " limit of " + limit + " bytes");
    byte[] body = ctx.newJsonParser().encodeResourceToString(oo).getBytes(StandardCharsets.UTF_8);
    response.setStatus(413);
    response.setContentType("application/fhir+json;charset=utf-8");
    // a complete, sized response: the client need not send the rest of its body to read it
    response.setContentLength(body.length);
    response.setHeader("Connection", "close");
    response.getOutputStream().write(body);
    response.flushBuffer();
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
