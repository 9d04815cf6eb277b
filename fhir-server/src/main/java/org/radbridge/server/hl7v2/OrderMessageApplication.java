package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.OMI_O23;
import ca.uhn.hl7v2.model.v251.message.ORM_O01;
import org.radbridge.server.RadBridgeProperties;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.mappers.hl7v2.OrmMapper;
import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.network.NetworkProperties;
import org.radbridge.server.network.PatientIdentity;
import org.radbridge.server.store.ResourceWriter;
import org.radbridge.server.terminology.NetworkConformance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * ORM^O01 and OMI^O23 from a community HIS: PID-3 resolves the Patient through the identity table; the order
 * is written (created, or updated by its accession number) through the one write path, with the
 * sender's local procedure code translated to LOINC by its ConceptMap.
 */
@Component
public class OrderMessageApplication extends LoggedMessageApplication {
  private static final Logger log = LoggerFactory.getLogger(OrderMessageApplication.class);

  private final IdentitySystems identity;
  private final PatientIdentity patients;
  private final ResourceWriter writer;
  private final RadBridgeProperties props;

  public OrderMessageApplication(NetworkProperties network, IdentitySystems identity, PatientIdentity patients,
      ResourceWriter writer, NetworkConformance conformance, MessageLog messages, TransactionTemplate tx,
      RadBridgeProperties props) {
    super(messages, tx, network, conformance);
    this.props = props;
    this.identity = identity;
    this.patients = patients;
    this.writer = writer;
  }

  @Override
  public boolean canProcess(Message message) {
    return message instanceof ORM_O01 || message instanceof OMI_O23;
  }


  @Override
  Message process(Message message, String orgKey) throws HL7Exception {
    OrmMapper.MappedOrder mapped = message instanceof OMI_O23 omi
        ? OrmMapper.map(omi, localCodeSystem(orgKey), IdentitySystems.SID_BASE + orgKey + "/", props.zone())
        : OrmMapper.map((ORM_O01) message, localCodeSystem(orgKey), IdentitySystems.SID_BASE + orgKey + "/");
    ServiceRequest sr = mapped.order();
    String accessionSystem = identity.accessionSystem(orgKey);
    for (Identifier i : sr.getIdentifier()) {
      if (i.getType().getCoding().stream().anyMatch(c -> "ACSN".equals(c.getCode()))) {
        i.setSystem(accessionSystem);
      }
    }
    translateToLoinc(sr.getCode());
    OrmMapper.PatientData p = mapped.patient();
    String patientId = patients.resolve(p.assigningAuthority(), orgKey, p.id(), demographics(p));
    sr.setSubject(new Reference("Patient/" + patientId));
    ResourceWriter.WriteOutcome o = writer.conditionalUpdate("ServiceRequest",
        "identifier=" + accessionSystem + "|" + mapped.accessionNumber(), sr, null);
    log.info("ORM from {}: ServiceRequest/{} {}", orgKey, o.id().getIdPart(), o.created() ? "created" : "updated");
    return ack(message, AcknowledgmentCode.AA, null);
  }
}
