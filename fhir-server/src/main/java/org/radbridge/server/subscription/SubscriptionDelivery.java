package org.radbridge.server.subscription;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Subscription;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.outbox.DeliveryHandler;
import org.radbridge.server.outbox.OutboxRow;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.write.ResourceWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Outbox kind {@code subscription}: notifies one subscription of one event, built at delivery time
 * from the Subscription as it is now. rest-hook: no payload → an empty POST; a payload MIME type →
 * PUT of the resource version to {@code [endpoint]/[type]/[id]} (R4); a topic subscription → POST
 * of the backport notification Bundle. websocket: {@code ping <id>} to the sessions bound here.
 * A subscription that is not active, a receiver that does not answer 2xx, or a rate above
 * {@code radbridge.subscriptions.rate-per-second} throws, so the outbox keeps the event and retries;
 * an event that outlives the outbox horizon puts the subscription in {@code error}.
 */
@Component
public class SubscriptionDelivery implements DeliveryHandler {
  private static final Logger log = LoggerFactory.getLogger(SubscriptionDelivery.class);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, long[]> rate = new ConcurrentHashMap<>();
  private final FhirContext ctx;
  private final ResourceReader reader;
  private final ResourceWriter writer;
  private final EventNumbers events;
  private final WebSocketBindings websockets;
  private final RadBridgeProperties props;
  private final Environment env;
  private final NotificationAudit audit;

  public SubscriptionDelivery(FhirContext ctx, ResourceReader reader, ResourceWriter writer, EventNumbers events,
      WebSocketBindings websockets, RadBridgeProperties props, Environment env, NotificationAudit audit) {
    this.audit = audit;
    this.ctx = ctx;
    this.reader = reader;
    this.writer = writer;
    this.events = events;
    this.websockets = websockets;
    this.props = props;
    this.env = env;
  }

  @Override
  public String kind() {
    return SubscriptionEvents.KIND;
  }

  @Override
  public void deliver(OutboxRow row) throws Exception {
    JsonNode p = json.readTree(row.payload());
    notify(row, p);
  }

  private boolean notify(OutboxRow row, JsonNode p) throws Exception {
    String subId = p.get("subscription").asText();
    Subscription sub;
    try {
      sub = (Subscription) reader.read("Subscription", subId);
    } catch (BaseServerResponseException deleted) {
      log.info("Subscription/{} no longer exists: its event is dropped", subId);
      return false;
    }
    if (sub.getStatus() != Subscription.SubscriptionStatus.ACTIVE) {
      throw new IllegalStateException("Subscription/" + subId + " is " + (sub.getStatus() == null ? "without status"
          : sub.getStatus().toCode()) + ": the event is kept until it is active again");
    }
    admit(subId);
    SubscriptionSpec spec = SubscriptionSpec.of(sub);
    if (p.has("handshake")) {
      if (spec.channel() != Subscription.SubscriptionChannelType.WEBSOCKET) {
        post(spec, NotificationBundles.handshake(base(), sub, events.sinceStart(subId)));
      }
      return true;
    }
    // each notification sent, taken or not, leaves its audit record
    try {
      notifyEvent(subId, sub, spec, p);
      audit.notified(row, subId, spec, null);
    } catch (Exception e) {
      audit.notified(row, subId, spec, e.getMessage());
      throw e;
    }
    return true;
  }

  private void notifyEvent(String subId, Subscription sub, SubscriptionSpec spec, JsonNode p) throws Exception {
    if (spec.channel() == Subscription.SubscriptionChannelType.WEBSOCKET) {
      if (websockets.ping(subId) == 0) {
        throw new IllegalStateException("no websocket is bound to Subscription/" + subId + " on this node");
      }
      return;
    }
    SubscriptionEvents.Event event = new SubscriptionEvents.Event(subId, p.get("event").asLong(), p.get("type").asText(),
        p.get("id").asText(), p.get("version").asText(), Instant.parse(p.get("at").asText()));
    if (spec.isTopic()) {
      String content = spec.content();
      IBaseResource resource = null;
      if ("full-resource".equals(content)) {
        resource = reader.vread(event.type(), event.id(), event.version());
        if (encode(resource, spec.payloadMime()).length() > props.getSubscriptions().getMaxPayload().toBytes()) {
          content = "id-only"; // over the payload cap: the receiver reads the resource itself
          resource = null;
        }
      }
      // the count as of this event (inclusive), not as of its delivery: a later event may be recorded before this one leaves
      post(spec, NotificationBundles.eventNotification(base(), sub, event.number(), event, content, resource));
      return;
    }
    if (spec.payloadMime() == null) {
      send(spec, "POST", spec.endpoint(), null, null); // R4: no payload, just the notification
      return;
    }
    IBaseResource resource = reader.vread(event.type(), event.id(), event.version());
    String body = encode(resource, spec.payloadMime());
    if (body.length() > props.getSubscriptions().getMaxPayload().toBytes()) {
      send(spec, "POST", spec.endpoint(), null, null); // over the cap: an empty notification instead
      return;
    }
    String url = spec.endpoint().endsWith("/") ? spec.endpoint() : spec.endpoint() + "/";
    send(spec, "PUT", url + event.type() + "/" + event.id(), body, spec.payloadMime());
  }

  /** An event older than the outbox horizon: the subscription goes to error, the event stays for replay. */
  @Override
  public void dead(OutboxRow row, String error) {
    try {
      String subId = json.readTree(row.payload()).get("subscription").asText();
      Subscription sub = (Subscription) reader.read("Subscription", subId);
      if (sub.getStatus() == Subscription.SubscriptionStatus.ERROR) {
        return;
      }
      sub.setStatus(Subscription.SubscriptionStatus.ERROR);
      sub.setError("Notifications undelivered past the retry horizon (outbox row " + row.id() + "): " + error);
      sub.setMeta(null);
      writer.write(org.radbridge.server.write.WriteRequest.update("Subscription", subId, sub, null,
          org.radbridge.server.write.Caller.system("subscription-delivery")));
      log.warn("Subscription/{} set to error: {}", subId, error);
    } catch (Exception e) {
      log.warn("could not set the subscription of outbox row {} to error: {}", row.id(), e.getMessage());
    }
  }

  private void admit(String subId) {
    int limit = props.getSubscriptions().getRatePerSecond();
    long second = System.currentTimeMillis() / 1000;
    long[] window = rate.computeIfAbsent(subId, k -> new long[2]);
    synchronized (window) {
      if (window[0] != second) {
        window[0] = second;
        window[1] = 0;
      }
      if (++window[1] > limit) {
        throw new IllegalStateException("Subscription/" + subId + " is over its rate limit of " + limit
            + " notifications per second: the event waits");
      }
    }
  }

  private void post(SubscriptionSpec spec, Bundle bundle) throws Exception {
    String mime = spec.payloadMime() == null ? "application/fhir+json" : spec.payloadMime();
    send(spec, "POST", spec.endpoint(), encode(bundle, mime), mime);
  }

  private String encode(IBaseResource r, String mime) {
    IParser parser = mime != null && mime.contains("xml") ? ctx.newXmlParser() : ctx.newJsonParser();
    // a full-resource payload may itself be a Subscription: its receiver gets no other receiver's secrets
    return parser.encodeResourceToString(ChannelHeaders.masked(r));
  }

  private void send(SubscriptionSpec spec, String method, String url, String body, String mime) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (mime != null) {
      b.header("Content-Type", mime.contains("charset") ? mime : mime + "; charset=UTF-8");
    }
    for (String h : spec.headers()) {
      int colon = h.indexOf(':');
      b.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
    }
    HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException("HTTP " + response.statusCode() + " from " + url);
    }
  }

  /** The server's own base for references in notifications: radbridge.base-url, else this node's address. */
  private String base() {
    String configured = props.getBaseUrl();
    if (configured != null && !configured.isBlank()) {
      return configured.endsWith("/") ? configured : configured + "/";
    }
    return "http://" + props.getBindAddress() + ":" + env.getProperty("local.server.port", "8080") + "/fhir/";
  }
}
