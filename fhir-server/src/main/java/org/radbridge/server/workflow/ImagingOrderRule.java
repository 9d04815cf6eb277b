package org.radbridge.server.workflow;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.LookupCodeRequest;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.server.network.NetworkResources;
import org.radbridge.server.terminology.NetworkConformance;
import org.radbridge.terminology.NetworkUrls;
import org.springframework.stereotype.Component;

/**
 * Which ServiceRequests the imaging workflow takes up (identifiers, accession number, procedure
 * code completion, routing, Task, outbound ORM). Everything else — a physiotherapy or lab request,
 * a historical record — is stored exactly as sent.
 *
 * <p>An order is an imaging order of the network when it claims the {@code rb-service-request}
 * profile, carries an accession number (identifier type v2-0203 ACSN), has the category SNOMED CT
 * 363679005 (Imaging), names a DICOM modality (performerType in DCM) or a LOINC procedure of the
 * network's imaging procedure list, or is coded in a centre's local procedure code system. The
 * workflow takes it up while it is draft, active or on-hold, and once taken up (it has an SPS ID)
 * follows it through every later status.
 */
@Component
public class ImagingOrderRule {
  public static final String SNOMED = "http://snomed.info/sct";
  public static final String IMAGING_CATEGORY = "363679005";
  private static final String LOCAL_CODES = NetworkUrls.BASE + "/CodeSystem/his-";
  private static final Set<ServiceRequest.ServiceRequestStatus> ENTRY = Set.of(ServiceRequest.ServiceRequestStatus.DRAFT,
      ServiceRequest.ServiceRequestStatus.ACTIVE, ServiceRequest.ServiceRequestStatus.ONHOLD);

  private final NetworkConformance conformance;

  public ImagingOrderRule(NetworkConformance conformance) {
    this.conformance = conformance;
  }

  /** Whether the workflow handles this version of the order ({@code previous}: the stored one, or null). */
  public boolean takesUp(ServiceRequest sr, ServiceRequest previous) {
    if (sr == null) {
      return false;
    }
    if (previous != null && hasIdentifier(previous, OrderWorkflow.SPS_ID)) {
      return true; // already in the workflow: it follows the order to its end
    }
    return ENTRY.contains(sr.getStatus()) && isImagingOrder(sr);
  }

  public boolean isImagingOrder(ServiceRequest sr) {
    return sr.getMeta().hasProfile(OrderWorkflow.PROFILE)
        || sr.getIdentifier().stream().anyMatch(i -> i.getType().hasCoding(NetworkUrls.V2_0203, "ACSN"))
        || sr.getCategory().stream().anyMatch(c -> c.hasCoding(SNOMED, IMAGING_CATEGORY))
        || modality(sr).isPresent()
        || sr.getCode().getCoding().stream().anyMatch(c -> c.hasSystem() && c.getSystem().startsWith(LOCAL_CODES));
  }

  /** DCM modality: performerType when it carries one, else the LOINC procedure's modality in the network's list. */
  public Optional<String> modality(ServiceRequest sr) {
    for (Coding c : sr.getPerformerType().getCoding()) {
      if (NetworkResources.DCM.equals(c.getSystem()) && c.hasCode()) {
        return Optional.of(c.getCode());
      }
    }
    return loincModality(sr.getCode());
  }

  private Optional<String> loincModality(CodeableConcept code) {
    for (Coding c : code.getCoding()) {
      if (NetworkUrls.LOINC.equals(c.getSystem()) && c.hasCode()) {
        IValidationSupport.LookupCodeResult r = conformance.chain().lookupCode(
            new ValidationSupportContext(conformance.chain()),
            new LookupCodeRequest(NetworkUrls.LOINC, c.getCode(), null, List.of("modality")));
        if (r != null && r.isFound()) {
          for (IValidationSupport.BaseConceptProperty p : r.getProperties()) {
            if (p instanceof IValidationSupport.CodingConceptProperty cp && "modality".equals(p.getPropertyName())) {
              return Optional.of(cp.getCode());
            }
          }
        }
      }
    }
    return Optional.empty();
  }

  private static boolean hasIdentifier(ServiceRequest sr, String system) {
    return sr.getIdentifier().stream().anyMatch(i -> system.equals(i.getSystem()) && i.hasValue());
  }
}
