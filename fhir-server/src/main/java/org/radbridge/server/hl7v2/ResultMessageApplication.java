package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import java.util.List;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.mappers.hl7v2.OruMapper;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.network.NetworkProperties;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.store.ResourceWriter;
import org.radbridge.server.terminology.NetworkConformance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * ORU^R01 from the reading hospital's RIS: the report of the order its accession, placer or filler
 * number names (AE when none matches); coded OBX become Observations in the same transaction, linked to that order, its patient and its study, written (or, when
 * corrected, a new version of the same report) through the one write path — so the order's Task
 * follows (preliminary, final).
 */
@Component
public class ResultMessageApplication extends LoggedMessageApplication {
  private static final Logger log = LoggerFactory.getLogger(ResultMessageApplication.class);

  private final SearchService search;
  private final ResourceReader reader;
  private final ResourceWriter writer;
  private final RadBridgeProperties props;
  private final NetworkProperties network;

  public ResultMessageApplication(NetworkProperties network, SearchService search, ResourceReader reader,
      ResourceWriter writer, NetworkConformance conformance, MessageLog messages, TransactionTemplate tx,
      RadBridgeProperties props) {
    super(messages, tx, network, conformance);
    this.search = search;
    this.reader = reader;
    this.writer = writer;
    this.props = props;
    this.network = network;
  }

  @Override
  public boolean canProcess(Message message) {
    return message instanceof ORU_R01;
  }


  /**
   * The order the report belongs to: by accession number (OBR-18), else the placer number (OBR-2),
   * else the filler number (OBR-3). A number with a namespace (EI-2) naming a network application is
   * looked up in that application's organisation's identifier system; otherwise by value alone.
   */
  private String orderOf(OruMapper.MappedReport mapped) throws HL7Exception {
    if (mapped.accessionNumber() != null) {
      return single("identifier=" + mapped.accessionNumber(), "OBR-18 accession number " + mapped.accessionNumber());
    }
    if (mapped.placer() != null) {
      return single("identifier=" + systemOf(mapped.placer(), "placer") + mapped.placer().value(),
          "OBR-2 placer number " + mapped.placer().value());
    }
    return single("identifier=" + systemOf(mapped.filler(), "filler") + mapped.filler().value(),
        "OBR-3 filler number " + mapped.filler().value());
  }

  private String systemOf(OruMapper.EntityId id, String kind) {
    if (id.namespace() == null) {
      return "";
    }
    return network.getHl7Applications().stream().filter(a -> a.getSendingApplication().equals(id.namespace()))
        .map(a -> IdentitySystems.SID_BASE + a.getOrganization() + "/" + kind + "|").findFirst().orElse("");
  }

  private String single(String criteria, String what) throws HL7Exception {
    List<SearchService.Match> orders = search.match("ServiceRequest", SearchCriteria.parse(criteria), 2);
    if (orders.isEmpty()) {
      throw new HL7Exception(what + " matches no order");
    }
    if (orders.size() > 1) {
      throw new HL7Exception(what + " matches several orders");
    }
    return orders.get(0).resId();
  }

  @Override
  Message process(Message message, String orgKey) throws HL7Exception {
    OruMapper.MappedReport mapped = OruMapper.map((ORU_R01) message, localCodeSystem(orgKey),
        IdentitySystems.SID_BASE + orgKey + "/", props.zone());
    String orderId = orderOf(mapped);
    ServiceRequest order = (ServiceRequest) reader.read("ServiceRequest", orderId);
    DiagnosticReport dr = mapped.report();
    dr.addBasedOn(new Reference("ServiceRequest/" + order.getIdElement().getIdPart()));
    dr.setSubject(order.getSubject().copy());
    for (SearchService.Match study : search.match("ImagingStudy",
        SearchCriteria.parse("basedon=ServiceRequest/" + order.getIdElement().getIdPart()), 10)) {
      dr.addImagingStudy(new Reference("ImagingStudy/" + study.resId()));
    }
    for (var performer : order.getPerformer()) {
      if (performer.getReference() != null && performer.getReference().startsWith("Organization/")) {
        dr.addPerformer(performer.copy());
      }
    }
    dr.getCode().getCoding().addAll(order.getCode().getCoding().stream()
        .filter(c -> LOINC.equals(c.getSystem())).map(c -> c.copy()).toList());
    for (Observation obs : mapped.observations()) {
      obs.setSubject(order.getSubject().copy());
      obs.addBasedOn(new Reference("ServiceRequest/" + order.getIdElement().getIdPart()));
      ResourceWriter.WriteOutcome written = writer.conditionalUpdate("Observation",
          "identifier=" + obs.getIdentifierFirstRep().getSystem() + "|" + obs.getIdentifierFirstRep().getValue(), obs, null);
      dr.addResult(new Reference("Observation/" + written.id().getIdPart()));
    }
    ResourceWriter.WriteOutcome o = writer.conditionalUpdate("DiagnosticReport",
        "identifier=" + dr.getIdentifierFirstRep().getSystem() + "|" + mapped.key(), dr, null);
    log.info("ORU from {}: DiagnosticReport/{} {} ({})", orgKey, o.id().getIdPart(), o.created() ? "created" : "updated",
        dr.getStatus().toCode());
    return ack(message, AcknowledgmentCode.AA, null);
  }
}
