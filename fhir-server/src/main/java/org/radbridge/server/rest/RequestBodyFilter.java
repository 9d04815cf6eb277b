package org.radbridge.server.rest;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.radbridge.server.RadBridgeProperties;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Watches JSON and XML request bodies byte by byte as HAPI reads them, and refuses (400) one the
 * moment it breaks a bound — before a parser builds a tree of it or recurses into it: nesting
 * depth ({@link NestingDepth}), UTF-8 ({@link Utf8Validity}), JSON numbers ({@link JsonNumbers}).
 * A body nested 100,000 deep is refused after its first levels.
 */
public class RequestBodyFilter extends OncePerRequestFilter {
  private final RadBridgeProperties props;

  public RequestBodyFilter(RadBridgeProperties props) {
    this.props = props;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
    boolean json = type.contains("json");
    if (!json && !type.contains("xml")) {
      chain.doFilter(request, response);
      return;
    }
    int maxDepth = props.getLimits().getMaxNestingDepth();
    List<BodyWatcher> watchers = new ArrayList<>();
    watchers.add(json ? NestingDepth.json(maxDepth) : NestingDepth.xml(maxDepth));
    if (json) {
      watchers.add(new JsonNumbers(props.getLimits().getMaxNumberDigits()));
    }
    String charset = request.getCharacterEncoding();
    if (charset == null || charset.equalsIgnoreCase("UTF-8") || charset.equalsIgnoreCase("utf8")) {
      watchers.add(new Utf8Validity());
    }
    BodyWatcher all = b -> {
      for (BodyWatcher w : watchers) {
        w.accept(b);
      }
    };
    chain.doFilter(new HttpServletRequestWrapper(request) {
      private ServletInputStream watched;

      @Override
      public ServletInputStream getInputStream() throws IOException {
        if (watched == null) {
          watched = new Watched(super.getInputStream(), all);
        }
        return watched;
      }

      @Override
      public java.io.BufferedReader getReader() throws IOException {
        String charset = getCharacterEncoding() == null ? "UTF-8" : getCharacterEncoding();
        return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(), charset));
      }
    }, response);
  }

  /** The request body, every byte shown to the watchers on its way to the reader. */
  private static final class Watched extends ServletInputStream {
    private final ServletInputStream in;
    private final BodyWatcher watcher;

    Watched(ServletInputStream in, BodyWatcher watcher) {
      this.in = in;
      this.watcher = watcher;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        watcher.accept(b);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = in.read(buf, off, len);
      for (int i = off; i < off + n; i++) {
        watcher.accept(buf[i] & 0xff);
      }
      return n;
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }
  }
}
