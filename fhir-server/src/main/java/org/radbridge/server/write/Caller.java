package org.radbridge.server.write;

/**
 * Who a request acts for: a client of the REST API, a DICOM node, an HL7 v2 application, or the
 * server itself (start-up loads, the workflow's follow-up writes, background jobs). Every write
 * carries one, so hooks (audit, access control) know it on every channel.
 *
 * @param kind what sort of caller
 * @param name the client id, the calling AE title, MSH-3^MSH-4, or what part of the server
 * @param organization the key of the organisation it acts for; null when none is known
 * @param scopes a client's SMART scopes (what its token grants); empty for the other kinds, which
 *     the network directory authorises by who they are
 * @param breakGlass the break-glass session a person's token is in (organisation scoping lifted,
 *     everything touched listed for review); null outside one
 * @param address the network address it called from (the audit trail's agent address); null when
 *     not known or not a network caller
 */
public record Caller(Kind kind, String name, String organization, java.util.Set<String> scopes, Long breakGlass,
    String address) {
  public enum Kind { CLIENT, USER, DICOM_NODE, HL7_APPLICATION, SYSTEM }

  public Caller {
    if (kind == null || name == null || name.isBlank()) {
      throw new IllegalArgumentException("a caller needs a kind and a name");
    }
    if (breakGlass != null && kind != Kind.USER) {
      throw new IllegalArgumentException("only a person breaks the glass");
    }
    scopes = scopes == null ? java.util.Set.of() : java.util.Set.copyOf(scopes);
  }

  public Caller(Kind kind, String name, String organization, java.util.Set<String> scopes) {
    this(kind, name, organization, scopes, null, null);
  }

  /** The same person in the break-glass session {@code session}. */
  public Caller inBreakGlass(long session) {
    return new Caller(kind, name, organization, scopes, session, address);
  }

  /** The caller as its organisation makes it, outside any break-glass session (what outlives the session). */
  public Caller withoutBreakGlass() {
    return breakGlass == null ? this : new Caller(kind, name, organization, scopes, null, address);
  }

  /** The same caller, calling from {@code from}. */
  public Caller from(String from) {
    return new Caller(kind, name, organization, scopes, breakGlass, from);
  }

  /** A client of the REST API (a token's client), the organisation it acts for and its scopes. */
  public static Caller client(String clientId, String organization, java.util.Set<String> scopes) {
    return new Caller(Kind.CLIENT, clientId, organization, scopes);
  }

  /** A person logged in through a client (the console): username, organisation and the scopes of the login. */
  public static Caller user(String username, String organization, java.util.Set<String> scopes) {
    return new Caller(Kind.USER, username, organization, scopes);
  }

  public static Caller dicomNode(String aeTitle, String organization) {
    return new Caller(Kind.DICOM_NODE, aeTitle, organization, null);
  }

  public static Caller hl7Application(String applicationAndFacility, String organization) {
    return new Caller(Kind.HL7_APPLICATION, applicationAndFacility, organization, null);
  }

  /** The server itself: {@code what} names the part (e.g. "network-seeder", "sla-watch"). */
  public static Caller system(String what) {
    return new Caller(Kind.SYSTEM, what, null, null);
  }
}
