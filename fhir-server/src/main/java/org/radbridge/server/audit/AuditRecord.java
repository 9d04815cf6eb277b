package org.radbridge.server.audit;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One audited access, as stored (table {@code audit_record}) and before it is rendered as an
 * AuditEvent ({@link AuditEventRendering}).
 *
 * @param type the event type: {@code rest}, or a DICOM audit code (see {@link AuditTypes})
 * @param subtype what was done: a FHIR interaction (read, search-type, create, …), a DICOM
 *     operation (C-STORE, C-FIND, association), an HL7 message type (ORM^O01)
 * @param action C, R, U, D or E (AuditEvent.action)
 * @param outcome 0 success, 4 minor failure (refused), 8 serious failure, 12 major failure
 * @param agent who: a client, a person, a DICOM node, an HL7 application or the server
 * @param patients ids of the patients touched
 * @param entities references of what was touched (at most {@link #MAX_ENTITIES}; {@code entityCount} is the whole count)
 * @param detail the query, a message control id, a reason — whatever says more (bounded)
 */
public record AuditRecord(Instant recorded, String type, String subtype, char action, int outcome,
    String outcomeText, Agent agent, Set<String> patients, List<String> entities, int entityCount,
    String detail, String requestId) {
  public static final int MAX_ENTITIES = 100;

  /** Who acted: its kind (client, user, dicom, hl7, system), name, organisation and network address. */
  public record Agent(String kind, String name, String organization, String address, Long breakGlass) {}

  public AuditRecord {
    patients = patients == null ? Set.of() : Set.copyOf(patients);
    entities = entities == null ? List.of() : List.copyOf(entities.subList(0, Math.min(entities.size(), MAX_ENTITIES)));
  }
}
