package org.radbridge.server.network;

import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The one table of identifier systems: patient IDs and accession numbers are scoped by their
 * issuer. Each organisation has default systems ({@code https://radbridge.org/fhir/sid/<key>/mrn},
 * {@code …/accession}); a DICOM Issuer of Patient ID or an HL7 PID-3.4 maps to a system through
 * {@code radbridge.network.issuers}, else to the sender's own system.
 */
@Component
public class IdentitySystems {
  public static final String SID_BASE = "https://radbridge.org/fhir/sid/";
  private final NetworkProperties network;

  public IdentitySystems(NetworkProperties network) {
    this.network = network;
  }

  public String patientIdSystem(String orgKey) {
    return org(orgKey).map(NetworkProperties.Org::getPatientIdSystem).filter(s -> !s.isBlank())
        .orElse(SID_BASE + orgKey + "/mrn");
  }

  /** Where accession numbers of orders of no known organisation live (the hub assigned them). */
  public static final String NETWORK_ACCESSION = SID_BASE + "network-accession";

  /** The prefix of the accession numbers the hub assigns in the organisation's system ("RB" unless configured). */
  public String accessionPrefix(String orgKey) {
    return org(orgKey).map(NetworkProperties.Org::getAccessionPrefix).orElse("RB");
  }

  public String accessionSystem(String orgKey) {
    if (orgKey == null) {
      return NETWORK_ACCESSION;
    }
    return org(orgKey).map(NetworkProperties.Org::getAccessionSystem).filter(s -> !s.isBlank())
        .orElse(SID_BASE + orgKey + "/accession");
  }

  /** The system of a patient ID from {@code issuer} (may be null) sent by {@code senderOrgKey}. */
  public String patientIdSystem(String issuer, String senderOrgKey) {
    if (issuer != null && !issuer.isBlank()) {
      String mapped = network.getIssuers().get(issuer.trim());
      if (mapped != null) {
        return mapped;
      }
    }
    return patientIdSystem(senderOrgKey);
  }

  /** How {@code PatientMapper} maps what {@code senderOrgKey} sends: local dates in {@code zone}, issuers to systems. */
  public org.radbridge.mappers.patient.PatientMapper.MappingContext mappingContext(String senderOrgKey,
      java.time.ZoneId zone) {
    return new org.radbridge.mappers.patient.PatientMapper.MappingContext(zone,
        issuer -> patientIdSystem(issuer, senderOrgKey));
  }

  /** The organisation whose patient identifiers live in {@code system} (its own MRN system). */
  public Optional<String> orgOfPatientIdSystem(String system) {
    if (system == null) {
      return Optional.empty();
    }
    Optional<String> configured = network.getOrganizations().stream().map(NetworkProperties.Org::getKey)
        .filter(k -> system.equals(patientIdSystem(k))).findFirst();
    return configured.isPresent() ? configured : keyOfDefault(system, "/mrn");
  }

  /** The organisation whose accession numbers live in {@code system}. */
  public Optional<String> orgOfAccessionSystem(String system) {
    if (system == null) {
      return Optional.empty();
    }
    Optional<String> configured = network.getOrganizations().stream().map(NetworkProperties.Org::getKey)
        .filter(k -> system.equals(accessionSystem(k))).findFirst();
    return configured.isPresent() ? configured : keyOfDefault(system, "/accession");
  }

  /**
   * The HL7 assigning authority (PID-3.4) for an identifier system: the issuer code mapped to it in
   * {@code radbridge.network.issuers}, else null.
   */
  public String issuerOf(String system) {
    return network.getIssuers().entrySet().stream().filter(e -> e.getValue().equals(system)).map(java.util.Map.Entry::getKey)
        .findFirst().orElse(null);
  }

  /**
   * The organisation of a default system ({@code …/sid/<key>/mrn}, {@code …/accession}): any
   * organisation, also one added through REST, has these unless configured otherwise.
   */
  private static Optional<String> keyOfDefault(String system, String suffix) {
    if (!system.startsWith(SID_BASE) || !system.endsWith(suffix)) {
      return Optional.empty();
    }
    String key = system.substring(SID_BASE.length(), system.length() - suffix.length());
    return key.isEmpty() || key.contains("/") ? Optional.empty() : Optional.of(key);
  }

  private Optional<NetworkProperties.Org> org(String key) {
    return network.getOrganizations().stream().filter(o -> o.getKey().equals(key)).findFirst();
  }
}
