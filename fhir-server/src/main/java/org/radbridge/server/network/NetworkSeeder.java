package org.radbridge.server.network;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.server.readiness.ReadinessGate;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.write.ResourceWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * At start, stores the network configuration as Organization, Endpoint and Device resources
 * through the one write path. Each carries a tag with the hash of what the configuration says;
 * a resource whose tag already has that hash is left alone, so edits made through REST last until
 * the configuration of that resource changes. RadBridge is not ready ({@link ReadinessGate}) until
 * the directory is stored: every channel asks it who a sender is.
 */
@Component
public class NetworkSeeder {
  private static final Logger log = LoggerFactory.getLogger(NetworkSeeder.class);
  public static final String CONFIG_TAG = "https://radbridge.org/fhir/CodeSystem/network-config";

  private final FhirContext ctx;
  private final NetworkProperties network;
  private final ResourceWriter writer;
  private final ResourceReader reader;
  private final ReadinessGate.Pending seeded;

  public NetworkSeeder(FhirContext ctx, NetworkProperties network, ResourceWriter writer, ResourceReader reader,
      ReadinessGate readiness) {
    this.ctx = ctx;
    this.network = network;
    this.writer = writer;
    this.reader = reader;
    this.seeded = readiness.pending("the network directory");
  }

  @EventListener(ApplicationReadyEvent.class)
  public void seed() {
    int written = 0;
    for (Resource r : NetworkResources.build(network)) {
      String hash = hash(ctx.newJsonParser().encodeResourceToString(r));
      Optional<String> stored = storedHash(r.fhirType(), r.getIdPart());
      if (stored.isPresent() && stored.get().equals(hash)) {
        continue;
      }
      r.getMeta().addTag(new Coding(CONFIG_TAG, hash, "from radbridge.network"));
      writer.putIfChanged(r, org.radbridge.server.write.Caller.system("network-seeder"));
      written++;
    }
    if (written > 0) {
      log.info("Network configuration: {} resources stored", written);
    }
    warnOfPeersWithoutAddresses();
    seeded.done();
  }

  /** Nodes and applications configured so that no connection can be theirs: said once at start. */
  private void warnOfPeersWithoutAddresses() {
    for (int i = 0; i < network.getHl7Applications().size(); i++) {
      NetworkProperties.Hl7Application a = network.getHl7Applications().get(i);
      if (a.getAddresses().isEmpty() && (a.getOutbound() == null || a.getOutbound().isBlank())) {
        log.warn("HL7 v2 application {}^{} has no source addresses and no outbound address: its messages are refused"
            + " until radbridge.network.hl7-applications[{}].addresses (or a source-address extension on Device/{})"
            + " says where it sends from", a.getSendingApplication(), a.getSendingFacility(), i,
            NetworkResources.hl7DeviceId(a.getSendingApplication(), a.getSendingFacility()));
      }
    }
    for (int i = 0; i < network.getDicomNodes().size(); i++) {
      NetworkProperties.DicomNode n = network.getDicomNodes().get(i);
      if (n.getAddresses().isEmpty() && (n.getHost() == null || n.getHost().isBlank())) {
        log.warn("DICOM node {} has no source addresses and no host: its associations are rejected until"
            + " radbridge.network.dicom-nodes[{}].addresses (or a source-address extension on Endpoint/{}) says"
            + " where it connects from", n.getAeTitle(), i, NetworkResources.dicomEndpointId(n.getAeTitle()));
      }
    }
  }

  private Optional<String> storedHash(String type, String id) {
    if (!reader.exists(type, id)) {
      return Optional.empty();
    }
    try {
      IBaseResource r = reader.read(type, id);
      return ((Resource) r).getMeta().getTag().stream().filter(t -> CONFIG_TAG.equals(t.getSystem()))
          .map(Coding::getCode).findFirst();
    } catch (RuntimeException gone) {
      return Optional.empty(); // deleted: the configuration brings it back
    }
  }

  private static String hash(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
