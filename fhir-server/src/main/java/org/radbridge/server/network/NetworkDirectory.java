package org.radbridge.server.network;

import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.StringType;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The network's peers as they are stored now (seeded from configuration, editable through REST):
 * the DICOM node behind an AE title, an organisation's DICOM or HL7 v2 endpoint. Read from the
 * database on each call, so an edit takes effect at once, on every node. A DICOM peer
 * ({@link #dicomPeer}) and an HL7 v2 sender ({@link #hl7Sender}) are recognised by name and source
 * address together ({@link SourceAddresses}).
 */
@Component
public class NetworkDirectory {
  private static final Logger log = LoggerFactory.getLogger(NetworkDirectory.class);
  private final SearchService search;
  private final ResourceReader reader;

  public NetworkDirectory(SearchService search, ResourceReader reader) {
    this.search = search;
    this.reader = reader;
  }

  /**
   * How a channel's peer was recognised: {@code RECOGNISED} (with its organisation key, or none for a
   * node of no organisation), {@code UNKNOWN} (no active node or application of that name), or
   * {@code NOT_ITS_ADDRESS} (the name is known, the connection does not come from one of its source
   * addresses), {@code NOT_ITS_CERTIFICATE} (the name is known and names client certificates, the
   * TLS connection presented none of them). {@code resource} is the directory resource that decided, {@code why} a sentence for
   * the log (it may name configured addresses: not for the peer).
   */
  public record Recognition(Verdict verdict, String organization, String resource, String why) {
    public enum Verdict { RECOGNISED, UNKNOWN, NOT_ITS_ADDRESS, NOT_ITS_CERTIFICATE }

    public boolean recognised() {
      return verdict == Verdict.RECOGNISED;
    }

    static Recognition unknown(String why) {
      return new Recognition(Verdict.UNKNOWN, null, null, why);
    }
  }

  /** Where the settings of source addresses are, for log lines that tell an administrator what to set. */
  static final String DICOM_SETTING = "radbridge.network.dicom-nodes[i].addresses (or source-address extensions on the Endpoint)";
  static final String HL7_CERTIFICATES = "radbridge.network.hl7-applications[i].certificates, or client-certificate"
      + " extensions on the Device";
  static final String HL7_SETTING = "radbridge.network.hl7-applications[i].addresses (or source-address extensions on the Device)";

  /**
   * The HL7 v2 application MSH-3^MSH-4 names, sending from {@code peer}: an active application of the
   * network (its Device) whose source addresses — the Device's source-address extensions, else the
   * host of the application's active outbound ({@code hl7v2-mllp}) Endpoint — include the peer. An
   * application with neither is never recognised.
   */
  public Recognition hl7Sender(String application, String facility, InetAddress peer) {
    return hl7Sender(application, facility, peer, false, null);
  }

  /**
   * As {@link #hl7Sender(String, String, InetAddress)}, for a connection that may be TLS: over TLS,
   * an application whose Device names client certificates (client-certificate extensions) is
   * recognised by {@code certificate} — the client's, verified by the handshake; null when it sent
   * none — being one of them, instead of by its source address.
   */
  public Recognition hl7Sender(String application, String facility, InetAddress peer, boolean tls,
      X509Certificate certificate) {
    if (application == null || application.isBlank() || facility == null) {
      return Recognition.unknown("no MSH-3");
    }
    String name = application + "^" + facility;
    Optional<Device> device = search.match("Device", SearchCriteria.where().token("identifier",
        NetworkResources.HL7_APPLICATION, name).token("status", null, "active").build(), 1).stream().findFirst()
        .map(m -> (Device) reader.read("Device", m.resId()));
    if (device.isEmpty()) {
      return Recognition.unknown(name + " is not an active HL7 application of the network");
    }
    Device d = device.get();
    String org = OrgRef.parse(d.getOwner().getReference()).map(OrgRef::key).orElse(null);
    String resource = "Device/" + d.getIdPart();
    List<String> certificates = NetworkResources.clientCertificates(d);
    if (tls && !certificates.isEmpty()) {
      if (CertificateNames.matches(certificates, certificate)) {
        return new Recognition(Recognition.Verdict.RECOGNISED, org, resource, "");
      }
      return new Recognition(Recognition.Verdict.NOT_ITS_CERTIFICATE, org, resource, certificate == null
          ? "the connection presented no client certificate (radbridge.hl7v2.tls.client-auth want or need asks for one)"
          : "the client certificate " + certificate.getSubjectX500Principal().getName() + " (SHA-256 "
              + CertificateNames.sha256(certificate) + ") is not one of its certificates (" + HL7_CERTIFICATES + ")");
    }
    List<String> entries = NetworkResources.sourceAddresses(d);
    String host = null;
    if (entries.isEmpty()) {
      host = endpoint(SearchCriteria.where().token("identifier", NetworkResources.HL7_APPLICATION, name)
          .token("connection-type", NetworkResources.CONNECTION_TYPE, "hl7v2-mllp").token("status", null, "active").build())
          .flatMap(NetworkDirectory::toHl7Endpoint).map(Hl7Endpoint::host).orElse(null);
    }
    return decide(org, resource, peer, entries, host, "outbound host", HL7_SETTING);
  }

  /** The organisation (key) of the application whose namespace ID (EI-2, MSH-3) this is. */
  public Optional<String> organizationOfNamespace(String namespace) {
    if (namespace == null || namespace.isBlank()) {
      return Optional.empty();
    }
    return ownerOfDevice(SearchCriteria.where().token("identifier", NetworkResources.HL7_NAMESPACE, namespace)
        .token("status", null, "active").build());
  }

  /** The keys of the network's active organisations, as stored now (configured or added through REST). */
  public java.util.List<String> organizationKeys() {
    return search.match("Organization", SearchCriteria.where().anyCodeOf("identifier", NetworkResources.ORG_SYSTEM)
        .token("active", null, "true").build(), 10_000).stream()
        .map(m -> OrgRef.parse("Organization/" + m.resId())).flatMap(Optional::stream).map(OrgRef::key).toList();
  }

  /** The namespace ID (MSH-3) of the organisation's active HL7 v2 application, if it has one. */
  public Optional<String> hl7NamespaceOf(String orgKey) {
    return search.match("Device", SearchCriteria.where().reference("organization", new OrgRef(orgKey).reference())
        .anyCodeOf("identifier", NetworkResources.HL7_NAMESPACE).token("status", null, "active").build(), 1).stream()
        .findFirst().map(m -> (org.hl7.fhir.r4.model.Device) reader.read("Device", m.resId()))
        .flatMap(d -> d.getIdentifier().stream().filter(i -> NetworkResources.HL7_NAMESPACE.equals(i.getSystem()))
            .map(org.hl7.fhir.r4.model.Identifier::getValue).findFirst());
  }

  private Optional<String> ownerOfDevice(SearchCriteria criteria) {
    return search.match("Device", criteria, 1).stream().findFirst()
        .map(m -> (org.hl7.fhir.r4.model.Device) reader.read("Device", m.resId()))
        .flatMap(d -> OrgRef.parse(d.getOwner().getReference())).map(OrgRef::key);
  }

  /**
   * What a DICOM peer is: from its Endpoint (address dicom://AE@host:port, or dicoms:// when it is
   * reached over TLS; headers role and character-set).
   */
  public record DicomNode(String aeTitle, String host, int port, String organization, String role,
      String characterSet, String endpointId, boolean tls) {}

  public Optional<DicomNode> dicomNode(String aeTitle) {
    return dicomEndpoint(aeTitle).flatMap(NetworkDirectory::toDicomNode);
  }

  private Optional<Endpoint> dicomEndpoint(String aeTitle) {
    if (aeTitle == null || aeTitle.isBlank()) {
      return Optional.empty();
    }
    return endpoint(SearchCriteria.where().token("identifier", NetworkResources.AE_SYSTEM, aeTitle)
        .token("status", null, "active").build());
  }

  /**
   * The DICOM node a calling AE title names, associating from {@code peer}: an active DICOM Endpoint
   * of that AE title whose source addresses — its source-address extensions, else the addresses the
   * host of its {@code dicom://AE@host:port} address resolves to now — include the peer; and, when
   * the Endpoint names certificates (peer-certificate extensions), whose TLS client certificate
   * {@code certificate} (null: none, or no TLS) is one of them.
   */
  public Recognition dicomPeer(String aeTitle, InetAddress peer, java.security.cert.X509Certificate certificate) {
    Optional<Endpoint> endpoint = dicomEndpoint(aeTitle);
    Optional<DicomNode> node = endpoint.flatMap(NetworkDirectory::toDicomNode);
    if (node.isEmpty()) {
      return Recognition.unknown("'" + aeTitle + "' is not the AE title of an active DICOM node of the network");
    }
    String org = OrgRef.parse(node.get().organization()).map(OrgRef::key).orElse(null);
    String resource = "Endpoint/" + node.get().endpointId();
    Recognition byAddress = decide(org, resource, peer, NetworkResources.sourceAddresses(endpoint.get()),
        node.get().host(), "host", DICOM_SETTING);
    List<String> certificates = NetworkResources.peerCertificates(endpoint.get());
    if (!byAddress.recognised() || certificates.isEmpty() || CertificateNames.matches(certificates, certificate)) {
      return byAddress;
    }
    return new Recognition(Recognition.Verdict.NOT_ITS_CERTIFICATE, org, resource, certificate == null
        ? "it names certificates (" + String.join("; ", certificates) + ") and showed none (no TLS, or no client certificate)"
        : "its certificate (" + certificate.getSubjectX500Principal().getName() + ", SHA-256 "
            + CertificateNames.sha256(certificate) + ") is not one it names (" + String.join("; ", certificates) + ")");
  }

  /**
   * Whether {@code peer} is one of the source addresses {@code entries} (IP addresses, CIDR ranges),
   * or — when there are none — one of the addresses {@code host} resolves to.
   */
  private static Recognition decide(String org, String resource, InetAddress peer, List<String> entries, String host,
      String hostIs, String setting) {
    String from = peer == null ? "an unknown address" : peer.getHostAddress();
    if (!entries.isEmpty()) {
      List<String> valid = new ArrayList<>();
      for (String entry : entries) {
        Optional<String> problem = SourceAddresses.problemWith(entry);
        if (problem.isPresent()) {
          log.warn("{}: source address {} ignored: {}", resource, entry, problem.get());
        } else {
          valid.add(entry);
        }
      }
      SourceAddresses allowed = SourceAddresses.parse(valid);
      return allowed.matches(peer) ? new Recognition(Recognition.Verdict.RECOGNISED, org, resource, "")
          : new Recognition(Recognition.Verdict.NOT_ITS_ADDRESS, org, resource, from + " is not one of its source"
              + " addresses (" + allowed + ")");
    }
    if (host == null || host.isBlank() || "null".equals(host)) {
      return new Recognition(Recognition.Verdict.NOT_ITS_ADDRESS, org, resource, "it has no source addresses and no "
          + hostIs + " to take them from: set " + setting);
    }
    List<InetAddress> resolved;
    try {
      resolved = List.of(InetAddress.getAllByName(host));
    } catch (UnknownHostException | SecurityException unresolved) {
      return new Recognition(Recognition.Verdict.NOT_ITS_ADDRESS, org, resource, "it has no source addresses and its "
          + hostIs + " " + host + " does not resolve: set " + setting);
    }
    SourceAddresses allowed = SourceAddresses.exactly(resolved);
    return allowed.matches(peer) ? new Recognition(Recognition.Verdict.RECOGNISED, org, resource, "")
        : new Recognition(Recognition.Verdict.NOT_ITS_ADDRESS, org, resource, from + " is not an address of its " + hostIs
            + " " + host + " (" + allowed + "), which is where it may connect from while " + setting + " gives none");
  }

  /** The organisation's active endpoint of a connection type. */
  private Optional<Endpoint> endpointOf(String organizationReference, String connectionType) {
    return endpoint(SearchCriteria.where().reference("organization", organizationReference)
        .token("connection-type", NetworkResources.CONNECTION_TYPE, connectionType)
        .token("status", null, "active").build());
  }

  /** The active DICOM endpoint with role pacs of an organisation (a reading hospital's PACS). */
  public Optional<DicomNode> pacsOf(String organizationReference) {
    return endpointOf(organizationReference, "dicom-dimse")
        .flatMap(NetworkDirectory::toDicomNode).filter(n -> "pacs".equals(n.role()));
  }

  /** host:port of an organisation's active HL7 v2 (MLLP) endpoint. */
  public Optional<String> hl7EndpointOf(String organizationReference) {
    return endpointOf(organizationReference, "hl7v2-mllp")
        .map(Endpoint::getAddress).filter(a -> a != null && a.startsWith("mllp://"))
        .map(a -> a.substring("mllp://".length()));
  }

  /** An organisation's HL7 v2 receiver: its Endpoint id, MSH-5/MSH-6 and MLLP address. */
  public record Hl7Endpoint(String id, String application, String facility, String host, int port, boolean tls) {}

  /** The organisation's active {@code hl7v2-mllp} Endpoint, if it has one. */
  public Optional<Hl7Endpoint> hl7Endpoint(String organizationReference) {
    return endpointOf(organizationReference, "hl7v2-mllp").flatMap(NetworkDirectory::toHl7Endpoint);
  }

  /** The HL7 v2 receiver an Endpoint id names (at delivery time, so an edited Endpoint applies). */
  public Optional<Hl7Endpoint> hl7EndpointById(String id) {
    return endpoint(SearchCriteria.where().id(id).token("status", null, "active").build()).flatMap(NetworkDirectory::toHl7Endpoint);
  }

  private static Optional<Hl7Endpoint> toHl7Endpoint(Endpoint e) {
    String address = e.getAddress();
    if (address == null || !(address.startsWith("mllp://") || address.startsWith("mllps://"))) {
      return Optional.empty();
    }
    boolean tls = address.startsWith("mllps://");
    String hostPort = address.substring(address.indexOf("://") + 3);
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1).replaceAll("/.*$", ""));
    } catch (NumberFormatException bad) {
      return Optional.empty();
    }
    String app = e.getIdentifier().stream().filter(i -> NetworkResources.HL7_APPLICATION.equals(i.getSystem()))
        .map(org.hl7.fhir.r4.model.Identifier::getValue).findFirst().orElse("");
    String[] parts = app.split("\\^", 2);
    return Optional.of(new Hl7Endpoint(e.getIdPart(), parts[0], parts.length > 1 ? parts[1] : "",
        hostPort.substring(0, colon), port, tls));
  }

  private Optional<Endpoint> endpoint(SearchCriteria criteria) {
    return search.match("Endpoint", criteria, 1).stream().findFirst()
        .map(m -> (Endpoint) reader.read("Endpoint", m.resId()));
  }

  private static Optional<DicomNode> toDicomNode(Endpoint e) {
    String address = e.getAddress();
    if (address == null || !(address.startsWith("dicom://") || address.startsWith("dicoms://")) || !address.contains("@")) {
      return Optional.empty();
    }
    boolean tls = address.startsWith("dicoms://");
    String rest = address.substring(address.indexOf("://") + 3);
    String ae = rest.substring(0, rest.indexOf('@'));
    String hostPort = rest.substring(rest.indexOf('@') + 1);
    int colon = hostPort.lastIndexOf(':');
    String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
    int port;
    try {
      port = colon < 0 ? 104 : Integer.parseInt(hostPort.substring(colon + 1).replaceAll("/.*$", ""));
    } catch (NumberFormatException bad) {
      return Optional.empty();
    }
    return Optional.of(new DicomNode(ae, host, port, e.getManagingOrganization().getReference(),
        header(e, "role"), Optional.ofNullable(header(e, "character-set")).orElse("ISO_IR 192"), e.getIdPart(), tls));
  }

  private static String header(Endpoint e, String name) {
    for (StringType h : e.getHeader()) {
      String v = h.getValue();
      if (v != null && v.startsWith(name + ":")) {
        return v.substring(name.length() + 1).trim();
      }
    }
    return null;
  }
}
