package org.radbridge.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.StrictErrorHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one FhirContext of the application (R4, strict parsing). */
@Configuration(proxyBeanMethods = false)
public class FhirConfiguration {
  @Bean
  public FhirContext fhirContext() {
    FhirContext ctx = FhirContext.forR4Cached();
    // unknown elements and invalid primitive values are errors, not warnings
    ctx.setParserErrorHandler(new StrictErrorHandler());
    ctx.getParserOptions().setStripVersionsFromReferences(false);
    // scanning the model of every resource type takes about a second; do it while the database
    // starts instead of when the REST server registers its providers
    Thread scan = new Thread(() -> ctx.getResourceTypes().forEach(ctx::getResourceDefinition), "fhir-model-scan");
    scan.setDaemon(true);
    scan.start();
    return ctx;
  }
}
