package org.radbridge.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Entry point: the RadBridge FHIR server. */
@SpringBootApplication
@EnableConfigurationProperties(RadBridgeProperties.class)
public class RadBridgeApplication {
  public static void main(String[] args) {
    SpringApplication.run(RadBridgeApplication.class, args);
  }
}
