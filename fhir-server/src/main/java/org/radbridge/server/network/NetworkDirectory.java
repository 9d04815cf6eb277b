package org.radbridge.server.network;

import java.util.Optional;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.StringType;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.springframework.stereotype.Component;

/**
 * The network's peers as they are stored now (seeded from configuration, editable through REST):
 * the DICOM node behind an AE title, an organisation's DICOM or HL7 v2 endpoint. Read from the
 * database on each call, so an edit takes effect at once, on every node.
 */
@Component
public class NetworkDirectory {
  private final SearchService search;
  private final ResourceReader reader;

  public NetworkDirectory(SearchService search, ResourceReader reader) {
    this.search = search;
    this.reader = reader;
  }

  /**
   * The organisation (key) of the HL7 v2 application MSH-3^MSH-4 names, if it is an active
   * application of the network (its Device, seeded from configuration, editable through REST).
   */
  public Optional<String> hl7Sender(String application, String facility) {
    if (application == null || application.isBlank() || facility == null) {
      return Optional.empty();
    }
    return ownerOfDevice(SearchCriteria.where().token("identifier", NetworkResources.HL7_APPLICATION,
        application + "^" + facility).token("status", null, "active").build());
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

  /** What a DICOM peer is: from its Endpoint (address dicom://AE@host:port, headers role and character-set). */
  public record DicomNode(String aeTitle, String host, int port, String organization, String role,
      String characterSet, String endpointId) {}

  public Optional<DicomNode> dicomNode(String aeTitle) {
    if (aeTitle == null || aeTitle.isBlank()) {
      return Optional.empty();
    }
    return endpoint(SearchCriteria.where().token("identifier", NetworkResources.AE_SYSTEM, aeTitle)
        .token("status", null, "active").build())
        .flatMap(NetworkDirectory::toDicomNode);
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
    if (address == null || !address.startsWith("dicom://") || !address.contains("@")) {
      return Optional.empty();
    }
    String rest = address.substring("dicom://".length());
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
        header(e, "role"), Optional.ofNullable(header(e, "character-set")).orElse("ISO_IR 192"), e.getIdPart()));
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
