package org.radbridge.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Entry point: the RadBridge FHIR server. */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties({RadBridgeProperties.class, org.radbridge.server.network.NetworkProperties.class,
    org.radbridge.server.security.SecurityProperties.class, org.radbridge.server.audit.AuditProperties.class})
public class RadBridgeApplication {
  public static void main(String[] args) {
    SpringApplication.run(RadBridgeApplication.class, args);
  }
}
