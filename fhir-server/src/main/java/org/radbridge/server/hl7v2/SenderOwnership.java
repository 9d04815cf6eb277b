package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.util.Terser;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.mappers.hl7v2.V2FieldError;
import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.network.OrgRef;
import org.springframework.stereotype.Component;

/**
 * A known HIS writes only for its own organisation: an ORM/OMI or ADT^A08/A31/A40 whose patient
 * identifier (PID-3, MRG-1, by its assigning authority's system) is another organisation's, an
 * ORM/OMI whose placer number's namespace (ORC-2.2) is another organisation's application, or that
 * would change an order another organisation placed, is not the sender's to write — AE 207 naming
 * the field, nothing stored. Identifiers of no organisation (a national ID system) and numbers
 * without a namespace are the sender's.
 */
@Component
class SenderOwnership {
  private final IdentitySystems identity;
  private final NetworkDirectory directory;

  SenderOwnership(IdentitySystems identity, NetworkDirectory directory) {
    this.identity = identity;
    this.directory = directory;
  }

  /** The patient as mapped from PID-3 (its first identifier is how it is resolved) belongs to no other organisation. */
  void checkPatient(Patient mapped, String senderOrg) throws HL7Exception {
    if (mapped.hasIdentifier()) { // the mapper refuses a PID-3 that is missing
      checkPatientId("PID-3", mapped.getIdentifierFirstRep().getSystem(), mapped.getIdentifierFirstRep().getValue(),
          senderOrg);
    }
  }

  /** A patient identifier ({@code field}, e.g. MRG-1) in {@code system} is of no other organisation. */
  void checkPatientId(String field, String system, String value, String senderOrg) throws HL7Exception {
    Optional<String> owner = identity.orgOfPatientIdSystem(system);
    if (owner.isPresent() && !owner.get().equals(senderOrg)) {
      throw V2FieldError.refused(field, field + " " + value + " is a patient identifier of " + owner.get()
          + " (" + system + "), not of " + senderOrg + ": an HIS writes only for its own organisation's"
          + " patients; nothing was stored");
    }
  }

  /** The placer number's namespace (ORC-2.2), when it names an application, is one of the sender's organisation. */
  void checkPlacer(Message message, String senderOrg) throws HL7Exception {
    String namespace = new Terser(message).get("/ORDER/ORC-2-2"); // ORM_O01 and OMI_O23 alike
    if (namespace == null || namespace.isBlank()) {
      return;
    }
    Optional<String> owner = directory.organizationOfNamespace(namespace.trim());
    if (owner.isPresent() && !owner.get().equals(senderOrg)) {
      throw V2FieldError.refused("ORC-2", "ORC-2 names an order of " + owner.get() + " (placer namespace "
          + namespace.trim() + "), not of " + senderOrg + ": it is not the sender's to change; nothing was stored");
    }
  }

  /**
   * The stored order the message's numbers found was placed by the sender's organisation: its
   * requester and the organisations whose accession systems number it, when it names any.
   */
  void checkStored(ServiceRequest stored, String senderOrg) {
    Set<String> owners = new LinkedHashSet<>();
    OrgRef.parse(stored.getRequester().getReference()).map(OrgRef::key).ifPresent(owners::add);
    for (Identifier i : stored.getIdentifier()) {
      identity.orgOfAccessionSystem(i.getSystem()).ifPresent(owners::add);
    }
    if (!owners.isEmpty() && !owners.contains(senderOrg)) {
      throw new NotTheSenders("ServiceRequest/" + stored.getIdPart() + " that ORC-2/ORC-3/OBR-18 name is an order of "
          + String.join(", ", owners) + ", not of " + senderOrg + ": it is not the sender's to change; nothing was stored");
    }
  }

  /** Thrown from inside the order's conditional update; the application answers it AE 207 at ORC-2. */
  static final class NotTheSenders extends RuntimeException {
    NotTheSenders(String message) {
      super(message);
    }
  }
}
