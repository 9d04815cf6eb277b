package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.mappers.hl7v2.OruMapper;
import org.radbridge.mappers.hl7v2.V2FieldError;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.readiness.ReadinessGate;
import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.network.NetworkProperties;
import org.radbridge.server.network.OrgRef;
import org.radbridge.server.workflow.OrderRef;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.write.WriteRequest;
import org.radbridge.server.terminology.NetworkConformance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * ORU^R01 from the reading hospital's RIS: the report of the order its accession, placer or filler
 * number names (AE when none matches; a hospital the order is not routed to: {@link ReportQuarantine},
 * AE); coded OBX become Observations in the same transaction, linked to that order, its patient and its study, written (or, when
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
  private final NetworkDirectory directory;
  private final IdentitySystems identity;
  private final ReportQuarantine quarantine;

  public ResultMessageApplication(NetworkProperties network, NetworkDirectory directory, SearchService search,
      ResourceReader reader,
      ResourceWriter writer, NetworkConformance conformance, MessageLog messages, TransactionTemplate tx, ReadinessGate ready,
      RadBridgeProperties props, IdentitySystems identity, ReportQuarantine quarantine) {
    super(messages, tx, ready, directory, conformance);
    this.quarantine = quarantine;
    this.directory = directory;
    this.identity = identity;
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
   * else the filler number (OBR-3) — never by bare value, since two centres' number sequences
   * collide. The number is looked up in the identifier systems of the organisations involved: the
   * sender's own and those of the ordering organisations the message names (the placer's or
   * filler's namespace EI-2, the PID-3 assigning authority). When it names none, the number is
   * looked up among the orders routed to the sender (their performer). A number that still matches
   * several orders is an AE that says what would tell them apart.
   */
  private String orderOf(OruMapper.MappedReport mapped, String senderOrg) throws HL7Exception {
    Set<String> orgs = new LinkedHashSet<>();
    orgs.add(senderOrg);
    Set<String> named = orderingOrganisations(mapped);
    orgs.addAll(named);
    String field;
    String fieldCode;
    String value;
    java.util.function.Function<String, String> systemOf;
    if (mapped.accessionNumber() != null) {
      field = "OBR-18 accession number";
      fieldCode = "OBR-18";
      value = mapped.accessionNumber();
      systemOf = identity::accessionSystem;
    } else if (mapped.placer() != null) {
      field = "OBR-2 placer number";
      fieldCode = "OBR-2";
      value = mapped.placer().value();
      systemOf = org -> IdentitySystems.SID_BASE + org + "/placer";
    } else {
      field = "OBR-3 filler number";
      fieldCode = "OBR-3";
      value = mapped.filler().value();
      systemOf = org -> IdentitySystems.SID_BASE + org + "/filler";
    }
    java.util.function.Function<String, java.util.stream.Stream<SearchCriteria.Token>> tokensOf = o -> fieldCode.equals("OBR-3")
        // the filler number RadBridge gave a placer-only order is its accession number
        ? java.util.stream.Stream.of(new SearchCriteria.Token(systemOf.apply(o), value),
            new SearchCriteria.Token(identity.accessionSystem(o), value))
        : java.util.stream.Stream.of(new SearchCriteria.Token(systemOf.apply(o), value));
    List<SearchService.Match> orders = search.match("ServiceRequest", SearchCriteria.where()
        .anyToken("identifier", orgs.stream().flatMap(tokensOf).toList()).build(), 2);
    if (orders.isEmpty() && named.isEmpty()) {
      // the message names no ordering organisation: the orders of any centre routed to the sender
      List<SearchCriteria.Token> all = directory.organizationKeys().stream().flatMap(tokensOf).toList();
      if (!all.isEmpty()) {
        orders = search.match("ServiceRequest", SearchCriteria.where().anyToken("identifier", all)
            .reference("performer", new OrgRef(senderOrg).reference()).build(), 2);
      }
    }
    if (orders.isEmpty()) {
      throw V2FieldError.unknownKey(fieldCode, field + " " + value + " matches no order of " + String.join(" or ", orgs)
          + (named.isEmpty() ? " nor any order routed to " + senderOrg : ""));
    }
    if (orders.size() > 1) {
      throw V2FieldError.unknownKey(fieldCode, field + " " + value + " matches several orders; name the ordering centre with the"
          + " placer number's namespace (OBR-2.2) or the patient identifier's assigning authority (PID-3.4)");
    }
    return orders.get(0).resId();
  }

  /** The ordering organisations the message names: by the placer or filler namespace and the PID-3 issuer. */
  private Set<String> orderingOrganisations(OruMapper.MappedReport mapped) {
    Set<String> orgs = new LinkedHashSet<>();
    for (OruMapper.EntityId id : java.util.Arrays.asList(mapped.placer(), mapped.filler())) {
      if (id != null && id.namespace() != null) {
        directory.organizationOfNamespace(id.namespace()).ifPresent(orgs::add);
      }
    }
    String issuer = mapped.patient() == null ? null : mapped.patient().assigningAuthority();
    if (issuer != null && !issuer.isBlank() && network.getIssuers().containsKey(issuer.trim())) {
      identity.orgOfPatientIdSystem(network.getIssuers().get(issuer.trim())).ifPresent(orgs::add);
    }
    return orgs;
  }

  @Override
  Message process(Message message, Caller caller) throws HL7Exception {
    String orgKey = caller.organization();
    OruMapper.MappedReport mapped = OruMapper.map((ORU_R01) message, localCodeSystem(orgKey),
        IdentitySystems.SID_BASE + orgKey + "/", props.zone());
    String orderId = orderOf(mapped, orgKey);
    ServiceRequest order = (ServiceRequest) reader.read("ServiceRequest", orderId);
    if (!ReportQuarantine.routedTo(order, orgKey)) {
      // a known hospital, but not the order's reader: kept for a person, the order untouched
      String kept = quarantine.keep(mapped, order, caller);
      String field = mapped.accessionNumber() != null ? "OBR-18" : mapped.placer() != null ? "OBR-2" : "OBR-3";
      log.warn("ORU from {} for ServiceRequest/{}, routed to {}: quarantined as DiagnosticReport/{}", orgKey, orderId,
          ReportQuarantine.readersOf(order), kept);
      return ack(message, AcknowledgmentCode.AE, V2FieldError.refused(field, "the order " + field + " names is not"
          + " routed to " + orgKey + " (its reading hospital is " + ReportQuarantine.readersOf(order) + "); the report"
          + " was kept in quarantine for a person to look at, not attached to the order"));
    }
    DiagnosticReport dr = mapped.report();
    dr.addBasedOn(new Reference(new OrderRef(orderId).reference()));
    dr.setSubject(order.getSubject().copy());
    for (SearchService.Match study : search.match("ImagingStudy",
        SearchCriteria.where().reference("basedon", "ServiceRequest", orderId).build(), 10)) {
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
      obs.addBasedOn(new Reference(new OrderRef(orderId).reference()));
      // the sender's numbers are unique only per order (two centres' accessions collide): the order is part of the key
      ResourceWriter.WriteOutcome written = writer.write(WriteRequest.conditionalUpdate("Observation", SearchCriteria.where()
          .token("identifier", obs.getIdentifierFirstRep().getSystem(), obs.getIdentifierFirstRep().getValue())
          .reference("based-on", "ServiceRequest", orderId).build(), obs, null, caller));
      dr.addResult(new Reference("Observation/" + written.id().getIdPart()));
    }
    ResourceWriter.WriteOutcome o = writer.write(WriteRequest.conditionalUpdate("DiagnosticReport", SearchCriteria.where()
        .token("identifier", dr.getIdentifierFirstRep().getSystem(), mapped.key())
        .reference("based-on", "ServiceRequest", orderId).build(), dr, null, caller));
    log.info("ORU from {}: DiagnosticReport/{} {} ({})", orgKey, o.id().getIdPart(), o.created() ? "created" : "updated",
        dr.getStatus().toCode());
    return ack(message, AcknowledgmentCode.AA, null);
  }
}
