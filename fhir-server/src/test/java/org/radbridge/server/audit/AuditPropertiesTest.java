package org.radbridge.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The audit settings are checked at start: forwarding needs a repository and a bundle, retention at least a month. */
class AuditPropertiesTest {
  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(AuditProperties.class)
  static class Settings {}

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Settings.class);

  @Test
  void forwardingWithoutARepositoryOrABundleStopsTheStartNamingTheSettings() {
    runner.withPropertyValues("radbridge.audit.atna.enabled=true", "radbridge.audit.atna.host=arr.example.org")
        .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
            .hasMessageContaining("radbridge.audit.atna.enabled needs radbridge.audit.atna.host and radbridge.audit.atna.bundle"));
    runner.withPropertyValues("radbridge.audit.retention-months=0")
        .run(ctx -> assertThat(ctx).hasFailed());
    runner.withPropertyValues("radbridge.audit.atna.enabled=true", "radbridge.audit.atna.host=arr.example.org",
        "radbridge.audit.atna.bundle=arr", "radbridge.audit.atna.app-name=Rad Bridge")
        .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause().hasMessageContaining("atna.appName"));
  }

  @Test
  void byDefaultNothingIsForwardedAndAYearIsKept() {
    runner.run(ctx -> {
      AuditProperties p = ctx.getBean(AuditProperties.class);
      assertThat(p.getRetentionMonths()).isEqualTo(12);
      assertThat(p.getAtna().isEnabled()).isFalse();
      assertThat(p.getAtna().getPort()).isEqualTo(6514);
    });
  }
}
