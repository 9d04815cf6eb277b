package org.radbridge.server.dicom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * An association's input as PixelMed reads it, PDU by PDU, within bounds. PixelMed allocates
 * whatever length a PDU header announces and waits as long as a peer trickles: here a P-DATA PDU
 * longer than the maximum RadBridge offered, any other PDU over 1 MiB, or a PDU type that does not
 * exist is answered A-ABORT (service-provider, invalid PDU parameter or unrecognized PDU) and ends
 * the association before anything is allocated; the next PDU must begin within the read timeout
 * and each PDU must arrive whole within the read timeout of its first byte.
 */
final class PduInput extends InputStream {
  /** Any PDU but P-DATA (the A-ASSOCIATE-RQ the largest of them) is smaller than this. */
  static final int MAX_OTHER_PDU = 1024 * 1024;
  private static final int P_DATA = 0x04;

  /** The association cannot go on: the peer stalled or sent what is not a PDU RadBridge takes. */
  static final class Refused extends IOException {
    Refused(String why) {
      super(why);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final long maxPData;
  private final Duration readTimeout;
  private final byte[] header = new byte[6];
  /** Header bytes read so far of the next PDU (6: complete, being handed to the reader). */
  private int headerRead;
  /** Header bytes already handed to the reader. */
  private int headerGiven = 6;
  /** Body bytes of the current PDU still to come. */
  private long bodyLeft;
  private long deadline;

  PduInput(Socket socket, InputStream in, long maxPData, Duration readTimeout) {
    this.socket = socket;
    this.in = in;
    this.maxPData = maxPData;
    this.readTimeout = readTimeout;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (headerGiven == 6 && bodyLeft == 0) {
      if (!readHeader()) {
        return -1;
      }
    }
    if (headerGiven < 6) {
      int n = Math.min(len, 6 - headerGiven);
      System.arraycopy(header, headerGiven, b, off, n);
      headerGiven += n;
      return n;
    }
    timeout();
    int n;
    try {
      n = in.read(b, off, (int) Math.min(len, bodyLeft));
    } catch (SocketTimeoutException slow) {
      throw new Refused(stalled());
    }
    if (n < 0) {
      return -1;
    }
    bodyLeft -= n;
    return n;
  }

  /** Reads and checks the next PDU's header; false when the peer closed the connection before it. */
  private boolean readHeader() throws IOException {
    headerRead = 0;
    while (headerRead < 6) {
      if (headerRead == 0) {
        socket.setSoTimeout(millis(readTimeout.toNanos()));
      } else {
        timeout();
      }
      int n;
      try {
        n = in.read(header, headerRead, 6 - headerRead);
      } catch (SocketTimeoutException idle) {
        throw new Refused(headerRead == 0 ? "no PDU for " + readTimeout.toSeconds() + " s" : stalled());
      }
      if (n < 0) {
        if (headerRead == 0) {
          return false;
        }
        throw new Refused("the connection closed inside a PDU header");
      }
      if (headerRead == 0) {
        deadline = System.nanoTime() + readTimeout.toNanos();
      }
      headerRead += n;
    }
    int type = header[0] & 0xff;
    long length = ((header[2] & 0xffL) << 24) | ((header[3] & 0xffL) << 16) | ((header[4] & 0xffL) << 8) | (header[5] & 0xffL);
    if (type < 0x01 || type > 0x07) {
      abort(0x01);
      throw new Refused("PDU type 0x" + Integer.toHexString(type) + " does not exist");
    }
    long max = type == P_DATA ? maxPData : MAX_OTHER_PDU;
    if (length > max) {
      abort(0x06);
      throw new Refused("a PDU of type 0x" + Integer.toHexString(type) + " announces " + length + " bytes (at most " + max + ")");
    }
    bodyLeft = length;
    headerGiven = 0;
    return true;
  }

  /** The time left of the current PDU as the socket's read timeout; past it, the association ends. */
  private void timeout() throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new Refused(stalled());
    }
    socket.setSoTimeout(millis(left));
  }

  private String stalled() {
    return "a PDU did not arrive whole within " + readTimeout.toSeconds() + " s";
  }

  private static int millis(long nanos) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, nanos / 1_000_000));
  }

  /** A-ABORT, source DICOM UL service-provider, with the reason (PS3.8 9.3.8). */
  private void abort(int reason) {
    try {
      OutputStream out = socket.getOutputStream();
      out.write(new byte[] {0x07, 0x00, 0, 0, 0, 4, 0x00, 0x00, 0x02, (byte) reason});
      out.flush();
    } catch (IOException ignored) {
      // the peer is gone already
    }
  }

  @Override
  public int available() throws IOException {
    return headerGiven < 6 ? 6 - headerGiven : (int) Math.min(in.available(), bodyLeft);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
