package org.radbridge.server.hl7v2;

import ca.uhn.fhir.context.support.TranslateConceptResults;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ORM_O01;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.protocol.ReceivingApplication;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
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

/**
 * ORM^O01 from a community HIS: the sender (MSH-3/MSH-4) must be an HL7 application of the
 * network; PID-3 resolves the Patient through the identity table; the order is written (created,
 * or updated by its accession number) through the one write path, with the sender's local
 * procedure code translated to LOINC by its ConceptMap. AA on success, AE naming what was wrong.
 */
@Component
public class OrderMessageApplication implements ReceivingApplication<Message> {
  private static final Logger log = LoggerFactory.getLogger(OrderMessageApplication.class);
  private static final String LOINC = "http://loinc.org";

  private final NetworkProperties network;
  private final IdentitySystems identity;
  private final PatientIdentity patients;
  private final ResourceWriter writer;
  private final NetworkConformance conformance;
  private final MessageLog messages;
  private final org.springframework.transaction.support.TransactionTemplate tx;

  public OrderMessageApplication(NetworkProperties network, IdentitySystems identity, PatientIdentity patients,
      ResourceWriter writer, NetworkConformance conformance, MessageLog messages,
      org.springframework.transaction.support.TransactionTemplate tx) {
    this.messages = messages;
    this.tx = tx;
    this.network = network;
    this.identity = identity;
    this.patients = patients;
    this.writer = writer;
    this.conformance = conformance;
  }

  @Override
  public boolean canProcess(Message message) {
    return message instanceof ORM_O01;
  }

  @Override
  public Message processMessage(Message message, Map<String, Object> metadata) throws HL7Exception {
    MSH msh = ((ORM_O01) message).getMSH();
    String app = nonNull(msh.getSendingApplication().getNamespaceID().getValue());
    String facility = nonNull(msh.getSendingFacility().getNamespaceID().getValue());
    String controlId = nonNull(msh.getMessageControlID().getValue());
    Optional<String> earlier = messages.ackOf(app, facility, controlId);
    if (earlier.isPresent()) {
      return message.getParser().parse(earlier.get()); // the same message again: the same answer, nothing written
    }
    Message[] ack = new Message[1];
    try {
      tx.executeWithoutResult(s -> {
        try {
          ack[0] = process((ORM_O01) message, app, facility);
          // the message, its resources and its ACK commit together
          if (!messages.record(app, facility, controlId, "ORM^O01", ack[0].encode())) {
            s.setRollbackOnly(); // the same message arrived twice at once: the other one wrote it
          }
        } catch (HL7Exception e) {
          throw new IllegalStateException(e);
        }
      });
    } catch (IllegalStateException wrapped) {
      if (wrapped.getCause() instanceof HL7Exception e) {
        return ack(message, AcknowledgmentCode.AE, e);
      }
      throw wrapped;
    } catch (BaseServerResponseException e) {
      return ack(message, AcknowledgmentCode.AE, new HL7Exception(describe(e)));
    }
    return messages.ackOf(app, facility, controlId).map(a -> {
      try {
        return message.getParser().parse(a);
      } catch (HL7Exception e) {
        throw new IllegalStateException(e);
      }
    }).orElse(ack[0]);
  }

  private Message process(ORM_O01 orm, String app, String facility) throws HL7Exception {
      String orgKey = sender(app, facility).orElseThrow(() -> new HL7Exception("MSH-3/MSH-4 " + app + "^" + facility
          + " is not an HL7 application of the network"));
      OrmMapper.MappedOrder mapped = OrmMapper.map(orm, "https://radbridge.org/fhir/CodeSystem/his-" + orgKey,
          IdentitySystems.SID_BASE + orgKey + "/");
      ServiceRequest sr = mapped.order();
      String accessionSystem = identity.accessionSystem(orgKey);
      for (Identifier i : sr.getIdentifier()) {
        if (i.getType().getCoding().stream().anyMatch(c -> "ACSN".equals(c.getCode()))) {
          i.setSystem(accessionSystem);
        }
      }
      translateToLoinc(sr);
      OrmMapper.PatientData p = mapped.patient();
      String patientId = patients.resolve(p.assigningAuthority(), orgKey, p.id(), demographics(p));
      sr.setSubject(new Reference("Patient/" + patientId));
      ResourceWriter.WriteOutcome o = writer.conditionalUpdate("ServiceRequest",
          "identifier=" + accessionSystem + "|" + mapped.accessionNumber(), sr, null);
      log.info("ORM from {}^{}: ServiceRequest/{} {}", app, facility, o.id().getIdPart(), o.created() ? "created" : "updated");
      return ack(orm, AcknowledgmentCode.AA, null);
  }

  /** A refused write as ERR text: every issue with its FHIRPath location (validation lists them all). */
  private static String describe(BaseServerResponseException e) {
    if (e.getOperationOutcome() instanceof org.hl7.fhir.r4.model.OperationOutcome oo && oo.hasIssue()) {
      StringBuilder sb = new StringBuilder();
      for (var issue : oo.getIssue()) {
        if (sb.length() > 0) {
          sb.append(" / ");
        }
        sb.append(issue.getDiagnostics());
        if (issue.hasExpression()) {
          sb.append(" @ ").append(issue.getExpression().get(0).getValue());
        }
      }
      return sb.toString();
    }
    return e.getMessage();
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }

  private static Message ack(Message message, AcknowledgmentCode code, HL7Exception e) throws HL7Exception {
    try {
      return e == null ? message.generateACK() : message.generateACK(code, e);
    } catch (IOException io) {
      throw new HL7Exception(io);
    }
  }

  /** Adds the LOINC coding the sender's ConceptMap gives for its local code (the local coding stays). */
  private void translateToLoinc(ServiceRequest sr) {
    Coding local = sr.getCode().getCodingFirstRep();
    TranslateConceptResults r = conformance.chain().translateConcept(
        new ca.uhn.fhir.context.support.IValidationSupport.TranslateCodeRequest(List.of(local), LOINC));
    if (r != null && r.getResult()) {
      r.getResults().stream().filter(t -> LOINC.equals(t.getSystem())).findFirst()
          .ifPresent(t -> sr.getCode().addCoding(new Coding(LOINC, t.getCode(), t.getDisplay())));
    }
  }

  private Optional<String> sender(String app, String facility) {
    return network.getHl7Applications().stream()
        .filter(a -> a.getSendingApplication().equals(app) && a.getSendingFacility().equals(facility))
        .map(NetworkProperties.Hl7Application::getOrganization).findFirst();
  }

  private static Patient demographics(OrmMapper.PatientData p) {
    Patient patient = new Patient();
    if (p.family() != null || p.given() != null) {
      var name = patient.addName().setFamily(p.family());
      if (p.given() != null) {
        name.addGiven(p.given());
      }
    }
    if (p.birthDate() != null && p.birthDate().length() >= 8) {
      patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType(p.birthDate().substring(0, 4) + "-"
          + p.birthDate().substring(4, 6) + "-" + p.birthDate().substring(6, 8)));
    }
    if (p.sex() != null) {
      patient.setGender(switch (p.sex()) {
        case "M" -> Enumerations.AdministrativeGender.MALE;
        case "F" -> Enumerations.AdministrativeGender.FEMALE;
        case "O", "A" -> Enumerations.AdministrativeGender.OTHER;
        default -> Enumerations.AdministrativeGender.UNKNOWN;
      });
    }
    return patient;
  }
}
