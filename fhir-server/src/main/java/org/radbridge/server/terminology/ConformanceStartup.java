package org.radbridge.server.terminology;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.MetadataResource;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.readiness.ReadinessGate;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.terminology.ConceptMapCsv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * After start, in the background (so /fhir/metadata answers at once): warms up the validator,
 * stores the shipped conformance resources so they can be read and searched at /fhir, and loads
 * the ConceptMap CSV files of {@code radbridge.terminology.concept-map-dir}. RadBridge is not ready
 * ({@link ReadinessGate}) until this is done: a write before it could not be validated.
 */
@Component
public class ConformanceStartup {
  private static final org.radbridge.server.write.Caller STARTUP = org.radbridge.server.write.Caller.system("conformance-startup");
  private static final Logger log = LoggerFactory.getLogger(ConformanceStartup.class);

  private final NetworkConformance conformance;
  private final ResourceWriter writer;
  private final RadBridgeProperties props;
  private final ReadinessGate.Pending done;
  private volatile boolean stopping;

  public ConformanceStartup(NetworkConformance conformance, ResourceWriter writer, RadBridgeProperties props,
      FhirContext ctx, ReadinessGate readiness) {
    this.conformance = conformance;
    this.writer = writer;
    this.props = props;
    this.done = readiness.pending("the shipped conformance resources and the validator");
  }

  @EventListener(ApplicationReadyEvent.class)
  public void startInBackground() {
    Thread t = new Thread(this::run, "conformance-startup");
    t.setDaemon(true);
    t.start();
  }

  @jakarta.annotation.PreDestroy
  void stop() {
    stopping = true;
  }

  private void run() {
    try {
      conformance.warmUp(props.getValidation().getMode() != RadBridgeProperties.ValidationMode.OFF);
      int written = 0;
      for (MetadataResource r : conformance.shippedResources()) {
        if (stopping) {
          return;
        }
        if (writer.putIfChanged(r.copy(), STARTUP).changed()) {
          written++;
        }
      }
      log.info("Shipped conformance resources: {} stored, {} unchanged", written,
          conformance.shippedResources().size() - written);
      loadConceptMapCsvs();
      done.done();
    } catch (RuntimeException e) {
      if (stopping) {
        log.info("Conformance start-up cut short by shutdown: {}", e.getMessage());
      } else {
        log.error("Conformance start-up failed; RadBridge stays not ready", e);
      }
    }
  }

  private void loadConceptMapCsvs() {
    String dir = props.getTerminology().getConceptMapDir();
    if (dir == null || dir.isBlank() || !Files.isDirectory(Path.of(dir))) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of(dir), "*.csv")) {
      for (Path file : files) {
        String name = file.getFileName().toString().replaceFirst("\\.csv$", "");
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          ConceptMap map = ConceptMapCsv.read(name, in, conformance.shippedTerminology().loinc());
          ResourceWriter.WriteOutcome o = writer.putIfChanged(map, STARTUP);
          log.info("ConceptMap {} from {}: {}", map.getUrl(), file, o.changed() ? "stored" : "unchanged");
        } catch (IOException | RuntimeException e) {
          log.error("ConceptMap CSV {} was not loaded: {}", file, e.getMessage());
        }
      }
    } catch (IOException e) {
      log.error("Could not list ConceptMap CSV files in {}: {}", dir, e.getMessage());
    }
  }
}
