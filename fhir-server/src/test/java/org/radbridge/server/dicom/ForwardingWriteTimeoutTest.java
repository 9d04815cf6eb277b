package org.radbridge.server.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.network.AssociationFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.listener.WriteWatchdog;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.outbox.OutboxRow;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Forwarding to a PACS that accepts the association and then stops reading: the C-STORE's writes
 * make no progress, and the attempt fails at {@code radbridge.dicom.forward-timeout} (1 s here)
 * instead of holding the outbox worker for ever. No server: CStoreForwarding on its own, the PACS
 * PixelMed's association acceptor on a socket with a small receive buffer, the instance 8 MB (more
 * than the buffers on both sides hold).
 */
class ForwardingWriteTimeoutTest {
  @TempDir
  Path tmp;

  @Test
  void aPacsThatStopsReadingFailsTheAttemptAtTheForwardTimeout() throws Exception {
    RadBridgeProperties props = new Binder(new MapConfigurationPropertySource(Map.of("radbridge.dicom.forward-timeout", "1s")))
        .bindOrCreate("radbridge", RadBridgeProperties.class);
    Path instance = largeInstance(tmp.resolve("large.dcm"), 8 << 20);
    try (ServerSocket pacs = new ServerSocket(); WriteWatchdog watchdog = new WriteWatchdog()) {
      pacs.setReceiveBufferSize(1024);
      pacs.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      // accepts the association, then never reads again
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          Socket s = pacs.accept();
          AssociationFactory.createNewAssociation(s, "PACS_B", new AcceptedContexts());
          return s;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      NetworkDirectory directory = new NetworkDirectory(null, null) { // the one node it is asked for
        @Override
        public Optional<DicomNode> dicomNode(String aeTitle) {
          return Optional.of(new DicomNode(aeTitle, "127.0.0.1", pacs.getLocalPort(), "hospital-b", "pacs", "ISO_IR 192",
              "Endpoint/pacs-b", false));
        }
      };
      CStoreForwarding forwarding = new CStoreForwarding(directory, props, watchdog,
          new DicomTls(props, new org.springframework.beans.factory.support.StaticListableBeanFactory()
              .getBeanProvider(org.springframework.boot.ssl.SslBundles.class),
              new org.radbridge.server.network.NetworkProperties(null, null, null, null, null, null)),
          new DicomAudit(null, null) { // no audit trail in this test: only the timeout is looked at
            @Override
            public void forwarded(String aeTitle, String host, int port, String orderingKey, String sopInstance,
                String failure) {}
          });
      OutboxRow row = new OutboxRow(1, CStoreForwarding.KIND, "PACS_B", "study:1", CStoreForwarding.payload(instance),
          "application/dicom", "pending", 0, Instant.now(), null, Instant.now(), null, null);
      long start = System.nanoTime();
      Throwable failure = catchThrowable(() -> forwarding.deliver(row));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      try (Socket s = accepted.get(5, TimeUnit.SECONDS)) {
        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageEndingWith("the node took no data for 1 s");
        assertThat(took).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(6));
      }
    }
  }

  /** A Secondary Capture instance whose pixel data is {@code size} bytes of zeros. */
  private static Path largeInstance(Path file, int size) throws Exception {
    AttributeList list = new AttributeList();
    uid(list, TagFromName.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7");
    uid(list, TagFromName.SOPInstanceUID, "1.2.826.0.1.3680043.9.7433.2." + System.nanoTime());
    uid(list, TagFromName.StudyInstanceUID, "1.2.826.0.1.3680043.9.7433.3." + System.nanoTime());
    uid(list, TagFromName.SeriesInstanceUID, "1.2.826.0.1.3680043.9.7433.4." + System.nanoTime());
    OtherByteAttribute pixels = new OtherByteAttribute(TagFromName.PixelData);
    pixels.setValues(new byte[size]);
    list.put(pixels);
    FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "RADBRIDGE_TEST");
    list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
    return file;
  }

  private static void uid(AttributeList list, com.pixelmed.dicom.AttributeTag tag, String value) throws Exception {
    UniqueIdentifierAttribute a = new UniqueIdentifierAttribute(tag);
    a.addValue(value);
    list.put(a);
  }
}
