package org.radbridge.server.workflow;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.TranslateConceptResults;
import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.server.terminology.NetworkConformance;
import org.radbridge.terminology.NetworkUrls;
import org.springframework.stereotype.Component;

/**
 * An imaging order's procedure code in LOINC: the sender's codings stay as sent, and the LOINC
 * coding a ConceptMap gives for one of them is added. An order that still has no LOINC coding is
 * accepted and tagged {@code work-item#unmapped-code} (listed with {@code _tag}, followed by
 * subscriptions); the tag goes once a mapping is stored (see {@link UnmappedCodeRetry}).
 */
@Component
public class ProcedureCodes {
  public static final Coding UNMAPPED = new Coding(NetworkUrls.WORK_ITEM, "unmapped-code",
      "Procedure code not mapped to LOINC");

  private final NetworkConformance conformance;

  public ProcedureCodes(NetworkConformance conformance) {
    this.conformance = conformance;
  }

  public void complete(ServiceRequest sr) {
    CodeableConcept code = sr.getCode();
    if (!hasLoinc(code)) {
      for (Coding local : List.copyOf(code.getCoding())) {
        if (local.hasSystem() && local.hasCode() && translate(code, local)) {
          break;
        }
      }
    }
    sr.getMeta().getTag().removeIf(t -> UNMAPPED.getSystem().equals(t.getSystem()) && UNMAPPED.getCode().equals(t.getCode()));
    if (!hasLoinc(code)) {
      sr.getMeta().addTag(UNMAPPED.copy());
    }
  }

  public static boolean isUnmapped(ServiceRequest sr) {
    return sr.getMeta().getTag(UNMAPPED.getSystem(), UNMAPPED.getCode()) != null;
  }

  private boolean translate(CodeableConcept code, Coding local) {
    TranslateConceptResults r = conformance.chain().translateConcept(
        new IValidationSupport.TranslateCodeRequest(List.of(local), NetworkUrls.LOINC));
    if (r == null || !r.getResult()) {
      return false;
    }
    return r.getResults().stream().filter(x -> NetworkUrls.LOINC.equals(x.getSystem())).findFirst()
        .map(x -> code.addCoding(new Coding(NetworkUrls.LOINC, x.getCode(), x.getDisplay()))).isPresent();
  }

  private static boolean hasLoinc(CodeableConcept code) {
    return code.getCoding().stream().anyMatch(c -> NetworkUrls.LOINC.equals(c.getSystem()) && c.hasCode());
  }
}
