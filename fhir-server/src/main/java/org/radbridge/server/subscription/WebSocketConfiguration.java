package org.radbridge.server.subscription;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/** The websocket channel's endpoint, advertised in the CapabilityStatement's websocket extension. */
@Configuration
@EnableWebSocket
public class WebSocketConfiguration implements WebSocketConfigurer {
  public static final String PATH = "/websocket";
  private final WebSocketBindings bindings;

  public WebSocketConfiguration(WebSocketBindings bindings) {
    this.bindings = bindings;
  }

  @Override
  public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
    registry.addHandler(bindings, PATH);
  }
}
