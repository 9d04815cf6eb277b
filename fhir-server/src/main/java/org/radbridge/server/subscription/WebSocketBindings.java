package org.radbridge.server.subscription;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.r4.model.Subscription;
import org.radbridge.server.store.ResourceReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * The R4 websocket channel at {@code /websocket}: a client sends {@code bind <subscription id>}
 * for a websocket Subscription and is answered {@code bound <id>}; each notification is then
 * {@code ping <id>} to every session bound to it on this node. An unknown id or a subscription of
 * another channel is answered {@code error <id> <why>}.
 */
@Component
public class WebSocketBindings extends TextWebSocketHandler {
  private static final Logger log = LoggerFactory.getLogger(WebSocketBindings.class);
  private final Map<String, Set<WebSocketSession>> bound = new ConcurrentHashMap<>();
  private final ResourceReader reader;

  private final org.radbridge.server.security.RestCallers callers;

  public WebSocketBindings(ResourceReader reader, org.radbridge.server.security.RestCallers callers) {
    this.reader = reader;
    this.callers = callers;
  }

  @Override
  protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
    String text = message.getPayload().trim();
    if (!text.startsWith("bind ")) {
      send(session, "error unknown command '" + text + "' (expected: bind <subscription id>)");
      return;
    }
    String id = text.substring(5).trim();
    try {
      // a session binds only to a subscription its token may read (its organisation's own)
      Subscription s = (Subscription) reader.read("Subscription", id, callers.visibilityOf(session.getPrincipal()));
      if (s.getChannel().getType() != Subscription.SubscriptionChannelType.WEBSOCKET) {
        send(session, "error " + id + " is not a websocket subscription");
        return;
      }
    } catch (BaseServerResponseException e) {
      send(session, "error " + id + " " + e.getMessage());
      return;
    }
    bound.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(session);
    send(session, "bound " + id);
  }

  @Override
  public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
    bound.values().forEach(sessions -> sessions.remove(session));
  }

  /** Sends {@code ping <id>} to every session bound to the subscription here; how many got it. */
  public int ping(String subscriptionId) {
    int sent = 0;
    for (WebSocketSession s : bound.getOrDefault(subscriptionId, Set.of())) {
      try {
        send(s, "ping " + subscriptionId);
        sent++;
      } catch (IOException | IllegalStateException gone) {
        log.debug("websocket for Subscription/{} gone: {}", subscriptionId, gone.getMessage());
      }
    }
    return sent;
  }

  private static void send(WebSocketSession session, String text) throws IOException {
    synchronized (session) {
      session.sendMessage(new TextMessage(text));
    }
  }
}
