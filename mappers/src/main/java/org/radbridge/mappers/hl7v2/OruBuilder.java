package org.radbridge.mappers.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.datatype.TX;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * A radiology {@code DiagnosticReport} → ORU^R01 (v2.5.1) for the ordering centre's HIS, the reverse
 * of {@link OruMapper}: ORC-1 RE, OBR-2/3 and OBR-18 the order's placer, filler and accession
 * numbers, OBR-4 its procedure, OBR-7 effective, OBR-22 issued, OBR-25 status (P, F, C, X), OBR-32
 * interpreter, and the conclusion as TX OBX segments, one per line (HAPI escapes the delimiters).
 */
public final class OruBuilder {
  static final String REPORT_TEXT = "18782-3";

  private OruBuilder() {}

  public static ORU_R01 build(V2Header header, DiagnosticReport dr, ServiceRequest order, Patient patient,
      String placerNamespace) throws HL7Exception {
    ORU_R01 oru = new ORU_R01();
    // not initQuickstart: it takes a control id from HAPI's file-based generator (./id_file, a
    // synchronized file write per message); V2Header sets every MSH field, the control id included
    header.fill(oru.getMSH(), "ORU", "R01", "ORU_R01");
    header.fill(oru.getPATIENT_RESULT().getPATIENT().getPID(), patient);
    ORU_R01_ORDER_OBSERVATION group = oru.getPATIENT_RESULT().getORDER_OBSERVATION();
    var orc = group.getORC();
    orc.getOrderControl().setValue("RE");
    OBR obr = group.getOBR();
    obr.getSetIDOBR().setValue("1");
    OrmBuilder.typed(order, "PLAC").ifPresent(p -> set(() -> {
      orc.getPlacerOrderNumber().getEntityIdentifier().setValue(p.getValue());
      obr.getPlacerOrderNumber().getEntityIdentifier().setValue(p.getValue());
      if (placerNamespace != null) {
        orc.getPlacerOrderNumber().getNamespaceID().setValue(placerNamespace);
        obr.getPlacerOrderNumber().getNamespaceID().setValue(placerNamespace);
      }
    }));
    OrmBuilder.typed(order, "FILL").ifPresent(f -> set(() -> {
      orc.getFillerOrderNumber().getEntityIdentifier().setValue(f.getValue());
      obr.getFillerOrderNumber().getEntityIdentifier().setValue(f.getValue());
    }));
    OrmBuilder.typed(order, "ACSN").ifPresent(a -> set(() -> obr.getPlacerField1().setValue(a.getValue())));
    OrmBuilder.code(obr.getUniversalServiceIdentifier(), order.hasCode() ? order.getCode() : dr.getCode());
    if (dr.hasEffectiveDateTimeType()) {
      obr.getObservationDateTime().getTime().setValue(header.timestamp(dr.getEffectiveDateTimeType().getValue()));
    }
    if (dr.hasIssued()) {
      obr.getResultsRptStatusChngDateTime().getTime().setValue(header.timestamp(dr.getIssued()));
    }
    String status = status(dr.getStatus());
    obr.getResultStatus().setValue(status);
    if (dr.hasResultsInterpreter() && dr.getResultsInterpreterFirstRep().hasDisplay()) {
      String[] name = dr.getResultsInterpreterFirstRep().getDisplay().trim().split("\\s+", 2);
      var ndl = obr.getPrincipalResultInterpreter().getNDLName();
      if (name.length == 2) {
        ndl.getGivenName().setValue(name[0]);
        ndl.getFamilyName().setValue(name[1]);
      } else {
        ndl.getFamilyName().setValue(name[0]);
      }
    }
    if (dr.hasConclusion()) {
      int setId = 1;
      for (String line : dr.getConclusion().split("\n", -1)) {
        OBX obx = group.getOBSERVATION(setId - 1).getOBX();
        obx.getSetIDOBX().setValue(String.valueOf(setId++));
        obx.getValueType().setValue("TX");
        obx.getObservationIdentifier().getIdentifier().setValue(REPORT_TEXT);
        obx.getObservationIdentifier().getText().setValue("Radiology Study observation");
        obx.getObservationIdentifier().getNameOfCodingSystem().setValue("LN");
        TX tx = new TX(oru);
        tx.setValue(line);
        obx.getObservationValue(0).setData(tx);
        obx.getObservationResultStatus().setValue(status);
      }
    }
    return oru;
  }

  static String status(DiagnosticReport.DiagnosticReportStatus s) {
    return switch (s) {
      case PRELIMINARY, PARTIAL, REGISTERED -> "P";
      case CORRECTED, AMENDED, APPENDED -> "C";
      case CANCELLED, ENTEREDINERROR -> "X";
      default -> "F";
    };
  }

  private interface Fill {
    void run() throws HL7Exception;
  }

  private static void set(Fill f) {
    try {
      f.run();
    } catch (HL7Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
