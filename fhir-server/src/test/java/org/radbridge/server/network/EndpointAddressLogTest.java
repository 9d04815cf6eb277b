package org.radbridge.server.network;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.slf4j.LoggerFactory;

/** An Endpoint's address or a node's source addresses changed over REST: logged at WARN, with who did it. */
class EndpointAddressLogTest extends ServerTestBase {
  private final Logger logger = (Logger) LoggerFactory.getLogger(EndpointAddressLog.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  @BeforeEach
  void listen() {
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void stopListening() {
    logger.detachAppender(appender);
  }

  private static String endpoint(String id, String name, String address, String... sources) {
    StringBuilder ext = new StringBuilder();
    for (String s : sources) {
      ext.append(ext.length() == 0 ? "" : ",").append("{\"url\":\"").append(NetworkResources.SOURCE_ADDRESS)
          .append("\",\"valueString\":\"").append(s).append("\"}");
    }
    return """
        {"resourceType":"Endpoint","id":"%s","status":"active","name":"%s","extension":[%s],
         "connectionType":{"system":"http://terminology.hl7.org/CodeSystem/endpoint-connection-type","code":"dicom-wado-rs"},
         "payloadType":[{"text":"DICOM"}],"address":"%s"}""".formatted(id, name, ext, address);
  }

  private List<ILoggingEvent> warnings(String id) {
    return List.copyOf(appender.list).stream().filter(e -> e.getLevel() == Level.WARN)
        .filter(e -> e.getFormattedMessage().contains("Endpoint/" + id)).toList();
  }

  @Test
  void anAddressChangeIsLoggedWithTheCallerAndNothingElseIs() {
    String id = unique("ep").replace('_', '-');
    json().body(endpoint(id, "first", "dicom://OLD@10.0.0.5:104")).put("/Endpoint/" + id).then().statusCode(201);
    assertThat(warnings(id)).isEmpty();

    json().body(endpoint(id, "renamed", "dicom://OLD@10.0.0.5:104")).put("/Endpoint/" + id).then().statusCode(200);
    assertThat(warnings(id)).as("a rename is no address change").isEmpty();

    json().body(endpoint(id, "renamed", "dicom://NEW@10.0.0.66:11112")).put("/Endpoint/" + id).then().statusCode(200);
    assertThat(warnings(id)).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
        .contains("dicom://OLD@10.0.0.5:104 -> dicom://NEW@10.0.0.66:11112").contains("UPDATE")
        .contains("CLIENT test-admin");

    json().body(endpoint(id, "renamed", "dicom://NEW@10.0.0.66:11112", "10.0.0.0/24")).put("/Endpoint/" + id)
        .then().statusCode(200);
    assertThat(warnings(id)).hasSize(2).last().extracting(ILoggingEvent::getFormattedMessage).asString()
        .contains("source addresses [] -> [10.0.0.0/24]");
  }
}
