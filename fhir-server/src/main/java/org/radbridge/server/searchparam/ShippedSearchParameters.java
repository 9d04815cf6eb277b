package org.radbridge.server.searchparam;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.SearchParameter;
import org.radbridge.server.write.ResourceWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Stores the network's SearchParameters shipped in the profiles module (radbridge/searchparameters)
 * through the one write path, once per canonical URL, so they are indexed and searchable like any
 * SearchParameter created over REST.
 */
@Component
public class ShippedSearchParameters {
  private static final Logger log = LoggerFactory.getLogger(ShippedSearchParameters.class);

  private final FhirContext ctx;
  private final ResourceWriter writer;

  public ShippedSearchParameters(FhirContext ctx, ResourceWriter writer) {
    this.ctx = ctx;
    this.writer = writer;
  }

  /** After start, in the background: the server answers while the definitions are stored. */
  @org.springframework.context.event.EventListener(org.springframework.boot.context.event.ApplicationReadyEvent.class)
  public void storeInBackground() {
    Thread t = new Thread(() -> {
      try {
        store();
      } catch (Exception e) {
        log.error("Storing the shipped SearchParameters failed", e);
      }
    }, "shipped-search-parameters");
    t.setDaemon(true);
    t.start();
  }

  void store() throws IOException {
    Resource[] files = new PathMatchingResourcePatternResolver().getResources("classpath*:radbridge/searchparameters/*.json");
    for (Resource file : files) {
      try (InputStream in = file.getInputStream()) {
        SearchParameter sp = (SearchParameter) ctx.newJsonParser().parseResource(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        ResourceWriter.WriteOutcome o = writer.write(org.radbridge.server.write.WriteRequest.createIfNoneExist(sp,
            org.radbridge.server.search.SearchCriteria.where().uri("url", sp.getUrl()).build(),
            org.radbridge.server.write.Caller.system("shipped-search-parameters")));
        if (o.created()) {
          log.info("Stored shipped SearchParameter {} as {}", sp.getUrl(), o.id().toUnqualifiedVersionless().getValue());
        }
      }
    }
  }
}
