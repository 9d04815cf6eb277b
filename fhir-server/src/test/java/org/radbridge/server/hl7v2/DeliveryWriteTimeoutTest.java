package org.radbridge.server.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.listener.WriteWatchdog;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.outbox.OutboxRow;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.ssl.SslBundles;

/**
 * Delivery to an MLLP receiver that accepts the connection and never reads: HAPI bounds the wait for
 * the ACK but not the write, so without a bound the outbox worker would wait for ever; the attempt
 * fails shortly after {@code radbridge.hl7v2.ack-timeout} (1 s here). No server: MllpDelivery on
 * its own, the receiver a socket with a small receive buffer, the message 4 MB (more than the
 * buffers on both sides hold).
 */
class DeliveryWriteTimeoutTest {

  @Test
  void aReceiverThatDoesNotReadFailsTheAttemptAfterTheAckTimeout() throws Exception {
    RadBridgeProperties props = new Binder(new MapConfigurationPropertySource(Map.of("radbridge.hl7v2.ack-timeout", "1s")))
        .bindOrCreate("radbridge", RadBridgeProperties.class);
    StringBuilder message = new StringBuilder(String.join("\r",
        "MSH|^~\\&|RADBRIDGE|NETWORK|RIS_B|HOSPITAL_B|20261204091000||ORM^O01|WT" + V2Fixtures.suffix() + "|P|2.5.1",
        "PID|1||M1^^^CENTRE_A_MRN^MR||Zhang^Wei||19610417|M",
        "ORC|NW|PL-1|||||^^^^^R",
        "OBR|1|PL-1||CT-HEAD-P^CT brain plain^L||||||||||||||ACC1")).append('\r');
    String note = "NTE|1||" + "x".repeat(1000) + "\r";
    while (message.length() < 4_000_000) {
      message.append(note);
    }
    try (ServerSocket receiver = new ServerSocket(); WriteWatchdog watchdog = new WriteWatchdog()) {
      receiver.setReceiveBufferSize(1024);
      receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return receiver.accept(); // and never read
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      });
      NetworkDirectory directory = new NetworkDirectory(null, null) { // the one receiver it is asked for
        @Override
        public Optional<Hl7Endpoint> hl7EndpointById(String id) {
          return Optional.of(new Hl7Endpoint(id, "RIS_B", "HOSPITAL_B", "127.0.0.1", receiver.getLocalPort(), false));
        }
      };
      java.util.List<String> recorded = new java.util.concurrent.CopyOnWriteArrayList<>();
      SentMessageAudit audit = new SentMessageAudit(null) { // the attempt's audit record, as it would be stored
        @Override
        void attempted(OutboxRow row, String receiver, String address, String messageType, String controlId,
            AckReading ack, String failure) {
          recorded.add(receiver + " " + address + " " + messageType + " " + (ack == null ? 8 : ack.outcome()) + " " + failure);
        }
      };
      MllpDelivery delivery = new MllpDelivery(directory, props,
          new MllpTls(props, new StaticListableBeanFactory().getBeanProvider(SslBundles.class)), watchdog, audit);
      OutboxRow row = new OutboxRow(1, MllpDelivery.KIND, "Endpoint/hl7-ris-b", "order:1", message.toString(),
          "x-application/hl7-v2+er7", "pending", 0, Instant.now(), null, Instant.now(), null, null);
      try {
        long start = System.nanoTime();
        Throwable failure = catchThrowable(() -> delivery.deliver(row));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(failure).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("the message could not be written within 1 s (the receiver does not read)");
        // parsing and encoding 4 MB, the ACK timeout, the grace that lets HAPI's own wait end first, the watchdog's tick
        assertThat(took).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(8));
        assertThat(recorded).singleElement().asString().startsWith("RIS_B^HOSPITAL_B 127.0.0.1:" + receiver.getLocalPort()
            + " ORM^O01 8 ").contains("the receiver does not read");
      } finally {
        delivery.close();
        accepted.get(5, TimeUnit.SECONDS).close();
      }
    }
  }
}
