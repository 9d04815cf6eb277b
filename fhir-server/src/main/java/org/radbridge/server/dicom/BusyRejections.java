package org.radbridge.server.dicom;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.radbridge.server.listener.ListenerThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections beyond the association limits: on one thread of their own, the A-ASSOCIATE-RQ is
 * read (two seconds at most) and answered A-ASSOCIATE-RJ rejected-transient, service-provider
 * (presentation), local-limit-exceeded — the peer tries again later. A flood beyond what that
 * thread can answer is closed unanswered.
 */
final class BusyRejections implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BusyRejections.class);
  private static final Duration PATIENCE = Duration.ofSeconds(2);

  private final ExecutorService thread;

  BusyRejections(String threadName) {
    thread = ListenerThreads.bounded(threadName, 1, 16);
  }

  void reject(Socket socket, String why) {
    log.warn("DICOM association from {} rejected: {}", socket.getRemoteSocketAddress(), why);
    try {
      thread.execute(() -> answer(socket));
    } catch (RejectedExecutionException flood) {
      closeQuietly(socket);
    }
  }

  private static void answer(Socket socket) {
    try (socket) {
      PduInput in = new PduInput(socket, socket.getInputStream(), 0, PATIENCE);
      byte[] header = in.readNBytes(6);
      if (header.length == 6 && header[0] == 0x01) {
        long length = ((header[2] & 0xffL) << 24) | ((header[3] & 0xffL) << 16) | ((header[4] & 0xffL) << 8)
            | (header[5] & 0xffL);
        in.readNBytes((int) length); // read whole, so closing sends no reset that could overtake the answer
        OutputStream out = socket.getOutputStream();
        out.write(new byte[] {0x03, 0x00, 0, 0, 0, 4, 0x00, 0x02, 0x03, 0x02});
        out.flush();
        socket.shutdownOutput();
      }
    } catch (IOException e) {
      log.debug("Rejected DICOM association from {} not answered: {}", socket.getRemoteSocketAddress(), e.toString());
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
