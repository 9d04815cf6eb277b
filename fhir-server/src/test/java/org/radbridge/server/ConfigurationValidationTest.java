package org.radbridge.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** A setting out of range stops the start with a message naming it, before anything listens or writes. */
class ConfigurationValidationTest {

  @ParameterizedTest
  @CsvSource({"radbridge.outbox.workers,0,outbox.workers", "radbridge.subscriptions.rate-per-second,0,subscriptions.ratePerSecond",
      "radbridge.validator.pool,0,validator.pool", "radbridge.limits.max-page-size,-1,limits.maxPageSize",
      "radbridge.network.dicom-nodes[0].ae-title,SEVENTEEN_CHARS_X,dicomNodes[0].aeTitle",
      "radbridge.hl7v2.listener.write-timeout,PT0S,hl7v2.listener.writeTimeout"})
  void anOutOfRangeSettingStopsTheStartNamingIt(String setting, String value, String field) {
    Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(RadBridgeApplication.class)
        .run("--" + setting + "=" + value, "--server.port=0", "--radbridge.embedded-db.ephemeral=true",
            "--radbridge.dicom.port=0", "--radbridge.hl7v2.port=0").close());
    assertThat(failure).isNotNull();
    StringBuilder chain = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      chain.append(t.getMessage()).append('\n');
    }
    // Spring Boot's binder names the field and the rejected value
    assertThat(chain.toString()).contains("Binding validation errors on radbridge")
        .contains("field '" + field + "': rejected value [" + value + "]");
  }

  @Test
  void theDefaultsAreValid() {
    var validator = jakarta.validation.Validation.buildDefaultValidatorFactory().getValidator();
    assertThat(validator.validate(RadBridgeProperties.defaults())).isEmpty();
  }
}
