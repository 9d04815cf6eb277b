package org.radbridge.server.network;

import org.hl7.fhir.r4.model.Patient;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.write.WriteRequest;
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
   * The Patient with the first identifier of {@code mapped} (as {@code PatientMapper} made it from
   * HL7 v2 or DICOM: the system its issuer maps to, the value as sent); created from {@code mapped}
   * when none exists. Returns its id.
   */
  public String resolve(Patient mapped, Caller caller) {
    if (!mapped.hasIdentifier() || !mapped.getIdentifierFirstRep().hasValue()) {
      throw new IllegalArgumentException("a patient to resolve needs an identifier");
    }
    String system = mapped.getIdentifierFirstRep().getSystem();
    String value = mapped.getIdentifierFirstRep().getValue();
    Patient p = mapped.copy();
    ResourceWriter.WriteOutcome o = writer.write(WriteRequest.createIfNoneExist(p,
        SearchCriteria.where().token("identifier", system, value).build(), caller));
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
