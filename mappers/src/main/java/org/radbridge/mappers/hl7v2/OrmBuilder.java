package org.radbridge.mappers.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.EI;
import ca.uhn.hl7v2.model.v251.message.ORM_O01;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.ORC;
import java.util.Optional;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.terminology.NetworkUrls;

/**
 * A {@code ServiceRequest} → ORM^O01 (v2.5.1) for a reading hospital's RIS, the reverse of
 * {@link OrmMapper}: ORC-1 the order control the caller chose (NW routed to it, XO changed, HD / RL
 * held / released, CA cancelled or routed elsewhere), ORC-2/3 and OBR-2/3 placer and filler numbers,
 * OBR-18 accession number, OBR-4 the LOINC procedure with the sender's local code as the alternate,
 * priority and start in ORC-7 (ORM_O01 has no TQ1 in v2.5.1), ORC-12 requester, OBR-31 reason.
 */
public final class OrmBuilder {
  private OrmBuilder() {}

  /**
   * @param placerNamespace EI-2 of the placer number (the ordering HIS's application name), or null
   */
  public static ORM_O01 build(V2Header header, String orderControl, ServiceRequest sr, Patient patient,
      String placerNamespace) throws HL7Exception {
    ORM_O01 orm = new ORM_O01();
    // not initQuickstart: it takes a control id from HAPI's file-based generator (./id_file, a
    // synchronized file write per message); V2Header sets every MSH field, the control id included
    header.fill(orm.getMSH(), "ORM", "O01", "ORM_O01");
    header.fill(orm.getPATIENT().getPID(), patient);
    ORC orc = orm.getORDER().getORC();
    orc.getOrderControl().setValue(orderControl);
    OBR obr = orm.getORDER().getORDER_DETAIL().getOBR();
    obr.getSetIDOBR().setValue("1");
    Optional<Identifier> placer = typed(sr, "PLAC");
    if (placer.isPresent()) {
      set(orc.getPlacerOrderNumber(), placer.get().getValue(), placerNamespace);
      set(obr.getPlacerOrderNumber(), placer.get().getValue(), placerNamespace);
    }
    Optional<Identifier> filler = typed(sr, "FILL");
    if (filler.isPresent()) {
      set(orc.getFillerOrderNumber(), filler.get().getValue(), null);
      set(obr.getFillerOrderNumber(), filler.get().getValue(), null);
    }
    typed(sr, "ACSN").ifPresent(a -> {
      try {
        obr.getPlacerField1().setValue(a.getValue());
      } catch (HL7Exception e) {
        throw new IllegalStateException(e);
      }
    });
    orc.getOrderStatus().setValue(switch (sr.getStatus()) {
      case ONHOLD -> "HD";
      case REVOKED, ENTEREDINERROR -> "CA";
      case COMPLETED -> "CM";
      default -> "SC";
    });
    code(obr.getUniversalServiceIdentifier(), sr.getCode());
    String priority = priority(sr.getPriority());
    orc.getQuantityTiming(0).getPriority().setValue(priority);
    if (sr.hasOccurrenceDateTimeType()) {
      String start = header.timestamp(sr.getOccurrenceDateTimeType().getValue());
      orc.getQuantityTiming(0).getStartDateTime().getTime().setValue(start);
    }
    orc.getDateTimeOfTransaction().getTime().setValue(header.timestamp(header.time()));
    if (sr.hasRequester()) {
      var xcn = orc.getOrderingProvider(0);
      if (sr.getRequester().hasIdentifier()) {
        xcn.getIDNumber().setValue(sr.getRequester().getIdentifier().getValue());
      }
      if (sr.getRequester().hasDisplay()) {
        xcn.getFamilyName().getSurname().setValue(sr.getRequester().getDisplay());
      }
      obr.getOrderingProvider(0).parse(xcn.encode());
    }
    if (sr.hasReasonCode() && sr.getReasonCodeFirstRep().hasText()) {
      obr.getReasonForStudy(0).getText().setValue(sr.getReasonCodeFirstRep().getText());
    }
    return orm;
  }

  static Optional<Identifier> typed(ServiceRequest sr, String type) {
    return sr.getIdentifier().stream().filter(i -> i.getType().getCoding().stream()
        .anyMatch(c -> NetworkUrls.V2_0203.equals(c.getSystem()) && type.equals(c.getCode()))).findFirst();
  }

  private static void set(EI ei, String value, String namespace) throws HL7Exception {
    ei.getEntityIdentifier().setValue(value);
    if (namespace != null) {
      ei.getNamespaceID().setValue(namespace);
    }
  }

  /** CE-1..3 the LOINC coding (LN), CE-4..6 the first other coding (L); either alone when only one exists. */
  static void code(CE ce, CodeableConcept code) throws HL7Exception {
    Coding loinc = code.getCoding().stream().filter(c -> "http://loinc.org".equals(c.getSystem())).findFirst()
        .orElse(null);
    Coding local = code.getCoding().stream().filter(c -> !"http://loinc.org".equals(c.getSystem())).findFirst()
        .orElse(null);
    Coding first = loinc != null ? loinc : local;
    if (first == null) {
      return;
    }
    ce.getIdentifier().setValue(first.getCode());
    ce.getText().setValue(first.hasDisplay() ? first.getDisplay() : code.getText());
    ce.getNameOfCodingSystem().setValue(first == loinc ? "LN" : "L");
    if (loinc != null && local != null) {
      ce.getAlternateIdentifier().setValue(local.getCode());
      ce.getAlternateText().setValue(local.hasDisplay() ? local.getDisplay() : code.getText());
      ce.getNameOfAlternateCodingSystem().setValue("L");
    }
  }

  /** HL7 table 0027, the reverse of {@link OrmMapper}'s reading: urgent is sent as A (as soon as possible). */
  static String priority(ServiceRequest.ServiceRequestPriority p) {
    if (p == null) {
      return "R";
    }
    return switch (p) {
      case STAT -> "S";
      case ASAP, URGENT -> "A";
      default -> "R";
    };
  }
}
