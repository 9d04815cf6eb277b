package org.radbridge.server.write;

/**
 * Who a request acts for: a client of the REST API, a DICOM node, an HL7 v2 application, or the
 * server itself (start-up loads, the workflow's follow-up writes, background jobs). Every write
 * carries one, so hooks (audit, access control) know it on every channel.
 *
 * @param kind what sort of caller
 * @param name the client id, the calling AE title, MSH-3^MSH-4, or what part of the server
 * @param organization the key of the organisation it acts for; null when none is known
 */
public record Caller(Kind kind, String name, String organization) {
  public enum Kind { CLIENT, DICOM_NODE, HL7_APPLICATION, SYSTEM }

  public Caller {
    if (kind == null || name == null || name.isBlank()) {
      throw new IllegalArgumentException("a caller needs a kind and a name");
    }
  }

  /** A REST client; before access control, every client is {@code anonymous} and acts for no organisation. */
  public static Caller client(String clientId, String organization) {
    return new Caller(Kind.CLIENT, clientId, organization);
  }

  /** A REST client before access control: anonymous, acting for no organisation. */
  public static Caller anonymousClient() {
    return client("anonymous", null);
  }

  public static Caller dicomNode(String aeTitle, String organization) {
    return new Caller(Kind.DICOM_NODE, aeTitle, organization);
  }

  public static Caller hl7Application(String applicationAndFacility, String organization) {
    return new Caller(Kind.HL7_APPLICATION, applicationAndFacility, organization);
  }

  /** The server itself: {@code what} names the part (e.g. "network-seeder", "sla-watch"). */
  public static Caller system(String what) {
    return new Caller(Kind.SYSTEM, what, null);
  }
}
