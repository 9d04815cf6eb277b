package org.radbridge.server.outbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Kind {@code http-post}: the payload is POSTed to the destination URL; any 2xx is an
 * acknowledgement. The plain building block under notifications to HTTP receivers.
 */
@Component
public class HttpPostDelivery implements DeliveryHandler {
  public static final String KIND = "http-post";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1).build();

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void deliver(OutboxRow row) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(row.destination())).timeout(Duration.ofSeconds(10))
        .header("Content-Type", row.contentType() == null ? "application/octet-stream" : row.contentType())
        .header("X-RadBridge-Outbox-Id", String.valueOf(row.id()))
        .POST(HttpRequest.BodyPublishers.ofString(row.payload())).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      String body = response.body() == null ? "" : response.body();
      throw new IllegalStateException("HTTP " + response.statusCode() + " from " + row.destination()
          + (body.isBlank() ? "" : ": " + body.substring(0, Math.min(200, body.length()))));
    }
  }
}
