package org.radbridge.server.network;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code radbridge.network}: who is who in the network (README "Network"), bound once at start
 * through the constructors and validated. Seeded into FHIR Organization, Endpoint and Device
 * resources at start, which every channel then asks (NetworkDirectory); identity systems and
 * routing rules are read from here.
 */
@ConfigurationProperties(prefix = "radbridge.network")
@Validated
public class NetworkProperties {
  /** The network's organisations: key, name, kind, region, identifier systems, accession prefix (stored as Organization resources). */
  @Valid private final List<Org> organizations;
  /**
   * DICOM nodes: AE title, host, port, organisation, role (modality or pacs), modality, character
   * set, addresses: the IP addresses or CIDR ranges its associations may come from (none: its
   * host's), tls (reached over TLS) and certificates (the TLS client certificates it must show).
   * Stored as Endpoints.
   */
  @Valid private final List<DicomNode> dicomNodes;
  /**
   * HL7 v2 applications: sending application and facility, organisation, outbound host:port, and
   * addresses: the IP addresses or CIDR ranges its messages may come from (none: the outbound
   * host's; neither: its messages are refused), and certificates: the SHA-256 fingerprints or subject
   * DNs of its TLS client certificates, which over TLS recognise it instead of its addresses. Stored
   * as Devices and Endpoints.
   */
  @Valid private final List<Hl7Application> hl7Applications;
  /**
   * Clients of the API (SMART Backend Services): client id, organisation, scopes, and the public
   * keys of its client assertions (a JWKS by value, or its URL). Registered with the built-in
   * authorization server at start.
   */
  @Valid private final List<Client> clients;
  /** Issuer of Patient ID (DICOM) / PID-3.4 assigning authority → identifier system. */
  private final Map<String, String> issuers;
  /** Which reading organisation an order goes to. */
  @Valid private final Routing routing;

  public NetworkProperties(List<Org> organizations,
      List<DicomNode> dicomNodes,
      List<Hl7Application> hl7Applications,
      List<Client> clients,
      Map<String, String> issuers,
      @DefaultValue Routing routing) {
    this.organizations = organizations == null ? List.of() : List.copyOf(organizations);
    this.dicomNodes = dicomNodes == null ? List.of() : List.copyOf(dicomNodes);
    this.hl7Applications = hl7Applications == null ? List.of() : List.copyOf(hl7Applications);
    this.clients = clients == null ? List.of() : List.copyOf(clients);
    this.issuers = issuers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(issuers));
    this.routing = routing;
  }

  public List<Org> getOrganizations() { return organizations; }
  public List<DicomNode> getDicomNodes() { return dicomNodes; }
  public List<Hl7Application> getHl7Applications() { return hl7Applications; }
  public List<Client> getClients() { return clients; }
  public Map<String, String> getIssuers() { return issuers; }
  public Routing getRouting() { return routing; }

  public static class Org {
    /** Key of the organisation; its Organization is Organization/org-<key>. */
    @NotBlank @Pattern(regexp = "[A-Za-z0-9\\-.]{1,60}") private final String key;
    /** Name of the organisation. */
    private final String name;
    /** community-centre, reading-hospital or exchange. */
    private final String kind;
    /** Region (the Organization address district). */
    private final String region;
    /** Override of the default patient identifier system (…/sid/<key>/mrn). */
    private final String patientIdSystem;
    /** Override of the default accession number system (…/sid/<key>/accession). */
    private final String accessionSystem;
    /** Prefix of the accession numbers RadBridge assigns to this organisation's orders that come without one. */
    @Pattern(regexp = "[A-Za-z0-9]{0,6}") private final String accessionPrefix;

    public Org(String key,
        String name,
        String kind,
        String region,
        String patientIdSystem,
        String accessionSystem,
        @DefaultValue("RB") String accessionPrefix) {
      this.key = key;
      this.name = name;
      this.kind = kind;
      this.region = region;
      this.patientIdSystem = patientIdSystem;
      this.accessionSystem = accessionSystem;
      this.accessionPrefix = accessionPrefix;
    }

    public String getKey() { return key; }
    public String getName() { return name; }
    public String getKind() { return kind; }
    public String getRegion() { return region; }
    public String getPatientIdSystem() { return patientIdSystem; }
    public String getAccessionSystem() { return accessionSystem; }
    public String getAccessionPrefix() { return accessionPrefix; }
  }

  public static class DicomNode {
    /** AE title (at most 16 characters). */
    @NotBlank @Size(max = 16) private final String aeTitle;
    /** Host name or address. */
    private final String host;
    /** Port. */
    @Min(1) @Max(65535) private final int port;
    /** Key of its organisation. */
    @NotBlank private final String organization;
    /** modality or pacs. */
    private final String role;
    /** DCM modality code of a modality station (CT, MR, ...). */
    private final String modality;
    /** Specific Character Set for worklist answers to this node (default ISO_IR 192, UTF-8). */
    private final String characterSet;
    /** IP addresses or CIDR ranges (IPv4, IPv6) its associations may come from; none: the host's addresses. */
    private final List<@SourceAddress String> addresses;
    /** Whether RadBridge reaches the node over TLS (its Endpoint address dicoms://AE@host:port). */
    private final boolean tls;
    /**
     * TLS client certificates it may associate with, each by SHA-256 fingerprint (64 hex digits,
     * colons allowed) or subject DN (CN=CT_A,O=Centre A, RDNs in any order); with any, its associations must come over TLS showing one of them (several: a
     * certificate being renewed).
     */
    private final List<@CertificateName String> certificates;

    public DicomNode(String aeTitle,
        String host,
        @DefaultValue("104") int port,
        String organization,
        String role,
        String modality,
        @DefaultValue("ISO_IR 192") String characterSet,
        List<String> addresses,
        @DefaultValue("false") boolean tls,
        List<String> certificates) {
      this.addresses = addresses == null ? List.of() : List.copyOf(addresses);
      this.tls = tls;
      this.certificates = certificates == null ? List.of() : List.copyOf(certificates);
      this.aeTitle = aeTitle;
      this.host = host;
      this.port = port;
      this.organization = organization;
      this.role = role;
      this.modality = modality;
      this.characterSet = characterSet;
    }

    public String getAeTitle() { return aeTitle; }
    public String getHost() { return host; }
    public int getPort() { return port; }
    public String getOrganization() { return organization; }
    public String getRole() { return role; }
    public String getModality() { return modality; }
    public String getCharacterSet() { return characterSet; }
    public List<String> getAddresses() { return addresses; }
    public boolean isTls() { return tls; }
    public List<String> getCertificates() { return certificates; }
  }

  public static class Hl7Application {
    /** MSH-3. */
    @NotBlank private final String sendingApplication;
    /** MSH-4. */
    @NotBlank private final String sendingFacility;
    /** Key of its organisation. */
    @NotBlank private final String organization;
    /** host:port of the application's own MLLP listener, for messages RadBridge sends it. */
    private final String outbound;
    /**
     * IP addresses or CIDR ranges (IPv4, IPv6) its messages may come from; none: the outbound host's
     * addresses; neither: its messages are refused.
     */
    private final List<@SourceAddress String> addresses;
    /**
     * The client certificates it sends from, when the MLLP listener speaks TLS and asks for one
     * (radbridge.hl7v2.tls.client-auth): each a SHA-256 fingerprint (64 hex digits, colons allowed)
     * or a subject DN (CN=RIS_CITY,O=City Hospital, RDNs in any order). Given: over TLS it is recognised by its
     * certificate instead of its source address.
     */
    private final List<@CertificateName String> certificates;

    public Hl7Application(String sendingApplication,
        String sendingFacility,
        String organization,
        String outbound,
        List<String> addresses,
        List<String> certificates) {
      this.addresses = addresses == null ? List.of() : List.copyOf(addresses);
      this.certificates = certificates == null ? List.of() : List.copyOf(certificates);
      this.sendingApplication = sendingApplication;
      this.sendingFacility = sendingFacility;
      this.organization = organization;
      this.outbound = outbound;
    }

    public String getSendingApplication() { return sendingApplication; }
    public String getSendingFacility() { return sendingFacility; }
    public String getOrganization() { return organization; }
    public String getOutbound() { return outbound; }
    public List<String> getAddresses() { return addresses; }
    public List<String> getCertificates() { return certificates; }
  }

  public static class Client {
    /** The client id (the {@code iss} and {@code sub} of its client assertions). */
    @NotBlank @Pattern(regexp = "[A-Za-z0-9\\-._~]{1,100}") private final String clientId;
    /** Key of the organisation it acts for (none only for a client with the radbridge/admin scope). */
    private final String organization;
    /** SMART scopes it may be granted (system/ServiceRequest.cruds, system/*.rs, radbridge/admin). */
    private final List<String> scopes;
    /** Its public keys (a JWK Set, JSON), for private_key_jwt client assertions. */
    private final String jwks;
    /** Or the URL of its JWK Set. */
    private final String jwksUri;

    public Client(String clientId, String organization, List<String> scopes, String jwks, String jwksUri) {
      this.clientId = clientId;
      this.organization = organization;
      this.scopes = scopes == null ? List.of() : List.copyOf(scopes);
      this.jwks = jwks;
      this.jwksUri = jwksUri;
    }

    public String getClientId() { return clientId; }
    public String getOrganization() { return organization; }
    public List<String> getScopes() { return scopes; }
    public String getJwks() { return jwks; }
    public String getJwksUri() { return jwksUri; }
  }

  public static class Routing {
    /** Rules (from, modality, priority → reading), the first that matches wins. */
    @Valid private final List<Rule> rules;
    /** Reading organisation when no rule matches. */
    private final String defaultReading;

    public Routing(List<Rule> rules,
        String defaultReading) {
      this.rules = rules == null ? List.of() : List.copyOf(rules);
      this.defaultReading = defaultReading;
    }

    public List<Rule> getRules() { return rules; }
    public String getDefaultReading() { return defaultReading; }
  }

  /** A routing rule: every given criterion must match; the first matching rule wins. */
  public static class Rule {
    /** Key of the ordering organisation; any when absent. */
    private final String from;
    /** DCM modality; any when absent. */
    private final String modality;
    /** Order priority; any when absent. */
    private final String priority;
    /** Key of the reading organisation orders that match go to. */
    @NotBlank private final String reading;

    public Rule(String from,
        String modality,
        String priority,
        String reading) {
      this.from = from;
      this.modality = modality;
      this.priority = priority;
      this.reading = reading;
    }

    public String getFrom() { return from; }
    public String getModality() { return modality; }
    public String getPriority() { return priority; }
    public String getReading() { return reading; }
  }
}
