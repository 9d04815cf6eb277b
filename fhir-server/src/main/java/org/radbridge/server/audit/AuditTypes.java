package org.radbridge.server.audit;

/**
 * The event types of the trail: {@code rest} (FHIR's audit-event-type, as BALP uses it) for the
 * REST API, DICOM's audit codes (PS3.15 A.5, system {@code http://dicom.nema.org/resources/ontology/DCM})
 * for the other channels.
 */
public final class AuditTypes {
  public static final String AUDIT_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type";
  public static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
  public static final String RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction";

  /** A RESTful interaction (BALP). */
  public static final String REST = "rest";
  /** DICOM Instances Transferred: C-STORE received, a study forwarded. */
  public static final String INSTANCES_TRANSFERRED = "110104";
  /** Query: C-FIND (worklist and study root). */
  public static final String QUERY = "110112";
  /** Import: an HL7 v2 message received. */
  public static final String IMPORT = "110107";
  /** Export: an HL7 v2 message sent, a subscription notification. */
  public static final String EXPORT = "110106";
  /** Security Alert: an association or message refused, a break-glass session, a directory change. */
  public static final String SECURITY_ALERT = "110113";
  /** User Authentication: a DICOM association or an HL7 sender recognised (or not). */
  public static final String USER_AUTHENTICATION = "110114";

  private AuditTypes() {}

  /** The display of a type code. */
  public static String display(String code) {
    return switch (code) {
      case REST -> "Restful Operation";
      case INSTANCES_TRANSFERRED -> "DICOM Instances Transferred";
      case QUERY -> "Query";
      case IMPORT -> "Import";
      case EXPORT -> "Export";
      case SECURITY_ALERT -> "Security Alert";
      case USER_AUTHENTICATION -> "User Authentication";
      default -> code;
    };
  }

  public static String system(String code) {
    return REST.equals(code) ? AUDIT_EVENT_TYPE : DCM;
  }
}
