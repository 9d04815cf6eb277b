package org.radbridge.server.network;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/** The network configuration as FHIR resources with fixed ids (pure; {@link NetworkSeeder} stores them). */
public final class NetworkResources {
  public static final String CONNECTION_TYPE = "https://radbridge.org/fhir/CodeSystem/endpoint-connection-type";
  public static final String ORG_KIND = "https://radbridge.org/fhir/CodeSystem/organization-kind";
  public static final String ORG_SYSTEM = "https://radbridge.org/fhir/sid/organization";
  public static final String AE_SYSTEM = "urn:dicom:ae";
  /** An HL7 v2 application as MSH-3^MSH-4 (the sending application and facility). */
  public static final String HL7_APPLICATION = "urn:hl7v2:application";
  /** An HL7 v2 application's namespace ID (MSH-3, and EI-2 of the numbers it assigns). */
  public static final String HL7_NAMESPACE = "urn:hl7v2:namespace";
  public static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
  /**
   * Extension (valueString, repeating) on a DICOM node's Endpoint and an HL7 v2 application's
   * Device: an IP address or CIDR range the node or application may connect from.
   */
  public static final String SOURCE_ADDRESS = "https://radbridge.org/fhir/StructureDefinition/source-address";
  /**
   * Extension (valueString, repeating) on an HL7 application's Device: a TLS client certificate it
   * may send with, named as {@link CertificateNames} says (the same entries as {@link #PEER_CERTIFICATE}:
   * two URLs only because stored Devices and Endpoints already carry them).
   */
  public static final String CLIENT_CERTIFICATE = "https://radbridge.org/fhir/StructureDefinition/client-certificate";
  /**
   * Extension (valueString, repeating) on a DICOM node's Endpoint: a TLS client certificate the node
   * may associate with, by subject or SHA-256 fingerprint ({@link CertificateNames}); with any, it
   * must show one of them.
   */
  public static final String PEER_CERTIFICATE = "https://radbridge.org/fhir/StructureDefinition/peer-certificate";

  private NetworkResources() {}

  public static String organizationId(String key) {
    return new OrgRef(key).resourceId();
  }

  public static String dicomEndpointId(String aeTitle) {
    return "dicom-" + idPart(aeTitle);
  }

  public static List<Resource> build(NetworkProperties network) {
    List<Resource> out = new ArrayList<>();
    for (NetworkProperties.Org o : network.getOrganizations()) {
      Organization org = new Organization();
      org.setId(organizationId(o.getKey()));
      org.addIdentifier().setSystem(ORG_SYSTEM).setValue(o.getKey());
      org.setActive(true);
      org.setName(o.getName() == null ? o.getKey() : o.getName());
      if (o.getKind() != null) {
        org.addType().addCoding(new Coding(ORG_KIND, o.getKind(), null));
      }
      if (o.getRegion() != null) {
        org.addAddress().setDistrict(o.getRegion());
      }
      out.add(org);
    }
    for (NetworkProperties.DicomNode n : network.getDicomNodes()) {
      Endpoint e = new Endpoint();
      e.setId(dicomEndpointId(n.getAeTitle()));
      e.addIdentifier().setSystem(AE_SYSTEM).setValue(n.getAeTitle());
      e.setStatus(Endpoint.EndpointStatus.ACTIVE);
      e.setConnectionType(new Coding(CONNECTION_TYPE, "dicom-dimse", "DICOM DIMSE"));
      e.setName(n.getAeTitle() + " (" + n.getRole() + ")");
      e.setManagingOrganization(new Reference(new OrgRef(n.getOrganization()).reference()));
      e.addPayloadType().setText("DICOM");
      // dicoms://: RadBridge reaches the node over TLS (as mllps:// says for MLLP)
      e.setAddress((n.isTls() ? "dicoms://" : "dicom://") + n.getAeTitle() + "@" + n.getHost() + ":" + n.getPort());
      e.addHeader("role: " + n.getRole());
      e.addHeader("character-set: " + n.getCharacterSet());
      addSourceAddresses(e, n.getAddresses());
      for (String c : n.getCertificates()) {
        e.addExtension(PEER_CERTIFICATE, new StringType(c.strip()));
      }
      out.add(e);
      if ("modality".equals(n.getRole())) {
        Device d = new Device();
        d.setId("station-" + idPart(n.getAeTitle()));
        d.addIdentifier().setSystem(AE_SYSTEM).setValue(n.getAeTitle());
        d.setStatus(Device.FHIRDeviceStatus.ACTIVE);
        if (n.getModality() != null) {
          d.getType().addCoding(new Coding(DCM, n.getModality(), null));
        }
        d.setOwner(new Reference(new OrgRef(n.getOrganization()).reference()));
        d.addDeviceName().setName(n.getAeTitle()).setType(Device.DeviceNameType.USERFRIENDLYNAME);
        out.add(d);
      }
    }
    for (NetworkProperties.Hl7Application a : network.getHl7Applications()) {
      // every application is a Device of its organisation: the directory answers who sent a message
      Device app = new Device();
      app.setId(hl7DeviceId(a.getSendingApplication(), a.getSendingFacility()));
      app.addIdentifier().setSystem(HL7_APPLICATION).setValue(a.getSendingApplication() + "^" + a.getSendingFacility());
      app.addIdentifier().setSystem(HL7_NAMESPACE).setValue(a.getSendingApplication());
      app.setStatus(Device.FHIRDeviceStatus.ACTIVE);
      app.addDeviceName().setName(a.getSendingApplication() + "^" + a.getSendingFacility())
          .setType(Device.DeviceNameType.USERFRIENDLYNAME);
      app.setOwner(new Reference(new OrgRef(a.getOrganization()).reference()));
      addSourceAddresses(app, a.getAddresses());
      for (String c : a.getCertificates()) {
        app.addExtension(CLIENT_CERTIFICATE, new StringType(c.strip()));
      }
      out.add(app);
      if (a.getOutbound() == null || a.getOutbound().isBlank()) {
        continue;
      }
      Endpoint e = new Endpoint();
      e.setId("hl7-" + idPart(a.getSendingApplication() + "-" + a.getSendingFacility()));
      e.addIdentifier().setSystem(HL7_APPLICATION).setValue(a.getSendingApplication() + "^" + a.getSendingFacility());
      e.setStatus(Endpoint.EndpointStatus.ACTIVE);
      e.setConnectionType(new Coding(CONNECTION_TYPE, "hl7v2-mllp", "HL7 v2 over MLLP"));
      e.setName(a.getSendingApplication() + "^" + a.getSendingFacility());
      e.setManagingOrganization(new Reference(new OrgRef(a.getOrganization()).reference()));
      e.addPayloadType().setText("HL7 v2");
      e.setAddress(a.getOutbound().contains("://") ? a.getOutbound() : "mllp://" + a.getOutbound());
      out.add(e);
    }
    return out;
  }

  public static String hl7DeviceId(String application, String facility) {
    return "hl7app-" + idPart(application + "-" + facility);
  }

  private static void addSourceAddresses(DomainResource r, List<String> addresses) {
    for (String a : addresses) {
      r.addExtension(SOURCE_ADDRESS, new StringType(a.strip()));
    }
  }

  /** The peer-certificate extensions of a DICOM node's Endpoint, as written (empty: none given). */
  public static List<String> peerCertificates(DomainResource r) {
    return strings(r, PEER_CERTIFICATE);
  }

  /** The source-address extensions of a directory resource, as written (empty: none given). */
  public static List<String> sourceAddresses(DomainResource r) {
    return strings(r, SOURCE_ADDRESS);
  }

  private static List<String> strings(DomainResource r, String url) {
    return r.getExtensionsByUrl(url).stream()
        .map(x -> x.getValue() instanceof PrimitiveType<?> p ? p.getValueAsString() : null).toList();
  }

  /**
   * The client-certificate extensions of an HL7 application's Device, as written (empty: none given;
   * one that is no string stays, as an entry naming no certificate, so the application is not let in
   * without one).
   */
  public static List<String> clientCertificates(DomainResource r) {
    return strings(r, CLIENT_CERTIFICATE);
  }

  /** An AE title or application name as part of a resource id ([A-Za-z0-9-.]). */
  static String idPart(String s) {
    return s.replaceAll("[^A-Za-z0-9.\\-]", "-");
  }
}
