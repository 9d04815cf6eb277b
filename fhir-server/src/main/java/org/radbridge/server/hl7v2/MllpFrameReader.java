package org.radbridge.server.hl7v2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * MLLP frames ({@code <VT> message <FS><CR>}) off one connection, within bounds: a frame must end
 * within the frame timeout of its start block however slowly its bytes come (a trickling sender
 * cannot hold the connection), only its first {@code maxFrame} bytes are kept (a larger frame is
 * read to its end and reported with its length, so it can be answered), and a connection that sends
 * nothing for the idle timeout ends. NULs padding a frame or sent between frames are dropped, as is
 * the whitespace between frames (the CR after FS among it).
 */
final class MllpFrameReader {
  private static final int VT = 0x0b;
  private static final int FS = 0x1c;

  /** A frame: its bytes, or when it was larger than the limit its first bytes and its whole length. */
  record Frame(byte[] bytes, long length) {
    boolean oversized() {
      return length > bytes.length;
    }
  }

  /** The connection cannot go on: a timeout, bytes outside a frame, or a frame cut short. */
  static final class Cut extends IOException {
    Cut(String why) {
      super(why);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final int maxFrame;
  private final Duration frameTimeout;
  private final Duration idleTimeout;
  private final byte[] buffer = new byte[16 * 1024];
  private int pos;
  private int end;

  MllpFrameReader(Socket socket, int maxFrame, Duration frameTimeout, Duration idleTimeout) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.maxFrame = maxFrame;
    this.frameTimeout = frameTimeout;
    this.idleTimeout = idleTimeout;
  }

  /** The next frame, or null when the peer closed the connection between frames. */
  Frame next() throws IOException {
    if (!awaitStartBlock()) {
      return null;
    }
    long deadline = System.nanoTime() + frameTimeout.toNanos();
    ByteArrayOutputStream kept = new ByteArrayOutputStream(Math.min(maxFrame, 4096));
    long length = 0;
    while (true) {
      if (pos == end && !fill(deadline)) {
        throw new Cut("the connection closed inside a frame, after " + length + " bytes");
      }
      int fs = indexOf(FS);
      int stop = fs < 0 ? end : fs;
      int keep = (int) Math.max(0, Math.min(stop - pos, maxFrame - length));
      kept.write(buffer, pos, keep);
      length += stop - pos;
      pos = fs < 0 ? end : fs + 1;
      if (fs >= 0) {
        return frame(kept.toByteArray(), length);
      }
    }
  }

  /** Skips whitespace and NULs up to a {@code <VT>}; false when the peer closed the connection first. */
  private boolean awaitStartBlock() throws IOException {
    while (true) {
      if (pos == end && !fillIdle()) {
        return false;
      }
      int b = buffer[pos++] & 0xff;
      if (b == VT) {
        return true;
      }
      if (b != 0 && !Character.isWhitespace(b)) {
        throw new Cut("byte 0x" + Integer.toHexString(b) + " outside an MLLP frame (a frame starts with <VT>)");
      }
    }
  }

  /** Drops the NULs padding either end of the frame (its length counts what was sent). */
  private static Frame frame(byte[] bytes, long length) {
    int from = 0;
    int to = bytes.length;
    while (from < to && bytes[from] == 0) {
      from++;
    }
    while (to > from && bytes[to - 1] == 0) {
      to--;
    }
    byte[] trimmed = from == 0 && to == bytes.length ? bytes : java.util.Arrays.copyOfRange(bytes, from, to);
    return new Frame(trimmed, length > bytes.length ? length : trimmed.length);
  }

  private int indexOf(int b) {
    for (int i = pos; i < end; i++) {
      if (buffer[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** Reads more between frames, waiting at most the idle timeout; false at the end of the stream. */
  private boolean fillIdle() throws IOException {
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, idleTimeout.toMillis()));
    try {
      return read();
    } catch (SocketTimeoutException idle) {
      throw new Cut("no message for " + idleTimeout.toSeconds() + " s");
    }
  }

  /** Reads more of a frame before the deadline; false at the end of the stream. */
  private boolean fill(long deadline) throws IOException {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      throw new Cut("the frame did not end within " + frameTimeout.toSeconds() + " s of its start");
    }
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
    try {
      return read();
    } catch (SocketTimeoutException slow) {
      throw new Cut("the frame did not end within " + frameTimeout.toSeconds() + " s of its start");
    }
  }

  private boolean read() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    if (n < 0) {
      return false;
    }
    pos = 0;
    end = n;
    return true;
  }
}
