package org.radbridge.server.subscription;

import java.time.Instant;
import org.radbridge.server.outbox.Outbox;
import org.springframework.stereotype.Component;

/**
 * Records that a subscription has a new event: its event number ({@link EventNumbers}) and the
 * outbox row that will notify it (kind {@code subscription}, ordered per subscription), both in the
 * writing transaction.
 */
@Component
public class SubscriptionEvents {
  public static final String KIND = "subscription";

  private final EventNumbers numbers;
  private final Outbox outbox;

  public SubscriptionEvents(EventNumbers numbers, Outbox outbox) {
    this.numbers = numbers;
    this.outbox = outbox;
  }

  /** What a queued notification refers to; the delivery builds the notification from it. */
  public record Event(String subscriptionId, long number, String type, String id, String version, Instant at) {
    String json() {
      return "{\"subscription\":\"" + subscriptionId + "\",\"event\":" + number + ",\"type\":\"" + type + "\",\"id\":\""
          + id + "\",\"version\":\"" + version + "\",\"at\":\"" + at + "\"}";
    }
  }

  public Event record(String subscriptionId, String type, String id, String version) {
    Event e = new Event(subscriptionId, numbers.next(subscriptionId), type, id, version, Instant.now());
    outbox.enqueue(KIND, "Subscription/" + subscriptionId, "subscription:" + subscriptionId, e.json(), "application/json",
        type + "/" + id);
    return e;
  }

  /** A handshake (backport): no event number, queued like the events so it arrives first. */
  public void handshake(String subscriptionId) {
    outbox.enqueue(KIND, "Subscription/" + subscriptionId, "subscription:" + subscriptionId,
        "{\"subscription\":\"" + subscriptionId + "\",\"handshake\":true,\"at\":\"" + Instant.now() + "\"}",
        "application/json");
  }
}
