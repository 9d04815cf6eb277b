package org.radbridge.server.network;

import org.hl7.fhir.r4.model.Patient;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.write.ResourceWriter;
import org.springframework.stereotype.Component;

/**
 * One Patient per (identifier system, value), whichever channel brings it: the DICOM gateway, the
 * HL7 v2 bridge and FHIR clients all resolve through the database-enforced conditional create, so
 * concurrent arrivals of the same patient make one resource, and the same MRN from two issuers
 * makes two.
 */
@Component
public class PatientIdentity {
  private final ResourceWriter writer;
  private final IdentitySystems systems;

  public PatientIdentity(ResourceWriter writer, IdentitySystems systems) {
    this.writer = writer;
    this.systems = systems;
  }

  /**
   * The Patient with the ID {@code value} from {@code issuer} (DICOM Issuer of Patient ID, HL7
   * PID-3.4; may be null) as sent by {@code senderOrgKey}; created from {@code demographics} when
   * none exists. Returns its id.
   */
  public String resolve(String issuer, String senderOrgKey, String value, Patient demographics) {
    String system = systems.patientIdSystem(issuer, senderOrgKey);
    Patient p = demographics == null ? new Patient() : demographics.copy();
    if (p.getIdentifier().stream().noneMatch(i -> system.equals(i.getSystem()) && value.equals(i.getValue()))) {
      p.addIdentifier().setSystem(system).setValue(value);
    }
    ResourceWriter.WriteOutcome o = writer.create(p, SearchCriteria.where().token("identifier", system, value).build());
    // a merged-away patient (ADT^A40) keeps its identifiers; new arrivals go to the survivor
    if (o.resource() instanceof Patient found) {
      for (Patient.PatientLinkComponent link : found.getLink()) {
        String other = link.getOther().getReference();
        if (link.getType() == Patient.LinkType.REPLACEDBY && other != null && other.startsWith("Patient/")) {
          return other.substring("Patient/".length());
        }
      }
    }
    return o.id().getIdPart();
  }
}
