package org.radbridge.terminology;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.TranslateConceptResult;
import ca.uhn.fhir.context.support.TranslateConceptResults;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Supplier;
import org.hl7.fhir.instance.model.api.IBaseCoding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Enumerations.ConceptMapEquivalence;

/**
 * The {@code translateConcept} member of the validation-support chain: HAPI's in-memory supports
 * validate and expand but do not translate, so this walks the known ConceptMaps (shipped and stored)
 * for {@code $translate} and the HL7 v2 mapper. Supports {@code reverse} (target to source).
 */
public class ConceptMapTranslator implements IValidationSupport {
  private final FhirContext ctx;
  private final Supplier<? extends Collection<ConceptMap>> maps;

  /** @param maps the ConceptMaps to search, asked for on every translation (so new maps apply at once) */
  public ConceptMapTranslator(FhirContext ctx, Supplier<? extends Collection<ConceptMap>> maps) {
    this.ctx = ctx;
    this.maps = maps;
  }

  @Override
  public FhirContext getFhirContext() {
    return ctx;
  }

  @Override
  public String getName() {
    return "RadBridge ConceptMap translator";
  }

  @Override
  public TranslateConceptResults translateConcept(TranslateCodeRequest request) {
    TranslateConceptResults out = new TranslateConceptResults();
    for (ConceptMap map : maps.get()) {
      if (request.getConceptMapUrl() != null && !request.getConceptMapUrl().equals(map.getUrl())) {
        continue;
      }
      if (request.getConceptMapVersion() != null && !request.getConceptMapVersion().equals(map.getVersion())) {
        continue;
      }
      if (!request.isReverse() && request.getTargetValueSetUrl() != null
          && !request.getTargetValueSetUrl().equals(map.hasTargetUriType() ? map.getTargetUriType().getValue() : null)) {
        continue;
      }
      for (ConceptMap.ConceptMapGroupComponent group : map.getGroup()) {
        for (IBaseCoding coding : request.getCodings()) {
          if (request.isReverse()) {
            reverse(map, group, coding, request.getTargetSystemUrl(), out);
          } else {
            forward(map, group, coding, request.getTargetSystemUrl(), out);
          }
        }
      }
    }
    boolean matched = out.getResults().stream().anyMatch(r -> !"unmatched".equals(r.getEquivalence())
        && !"disjoint".equals(r.getEquivalence()));
    out.setResult(matched);
    if (!matched) {
      out.setMessage("No mapping found for " + describe(request));
    }
    return out;
  }

  private static void forward(ConceptMap map, ConceptMap.ConceptMapGroupComponent group, IBaseCoding coding,
      String targetSystem, TranslateConceptResults out) {
    if (coding.getSystem() != null && !coding.getSystem().equals(group.getSource())) {
      return;
    }
    if (targetSystem != null && !targetSystem.equals(group.getTarget())) {
      return;
    }
    for (ConceptMap.SourceElementComponent element : group.getElement()) {
      if (!element.getCode().equals(coding.getCode())) {
        continue;
      }
      for (ConceptMap.TargetElementComponent target : element.getTarget()) {
        out.getResults().add(result(map, group.getTarget(), target.getCode(), target.getDisplay(),
            target.getEquivalence()));
      }
    }
  }

  private static void reverse(ConceptMap map, ConceptMap.ConceptMapGroupComponent group, IBaseCoding coding,
      String targetSystem, TranslateConceptResults out) {
    if (coding.getSystem() != null && !coding.getSystem().equals(group.getTarget())) {
      return;
    }
    if (targetSystem != null && !targetSystem.equals(group.getSource())) {
      return;
    }
    for (ConceptMap.SourceElementComponent element : group.getElement()) {
      for (ConceptMap.TargetElementComponent target : element.getTarget()) {
        if (Objects.equals(target.getCode(), coding.getCode())) {
          out.getResults().add(result(map, group.getSource(), element.getCode(), element.getDisplay(),
              target.getEquivalence()));
        }
      }
    }
  }

  private static TranslateConceptResult result(ConceptMap map, String system, String code, String display,
      ConceptMapEquivalence equivalence) {
    return new TranslateConceptResult().setSystem(system).setCode(code).setDisplay(display)
        .setEquivalence(equivalence == null ? null : equivalence.toCode()).setConceptMapUrl(map.getUrl());
  }

  private static String describe(TranslateCodeRequest request) {
    StringBuilder sb = new StringBuilder();
    for (IBaseCoding c : request.getCodings()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(c.getSystem() == null ? "" : c.getSystem() + "|").append(c.getCode());
    }
    if (request.getTargetSystemUrl() != null) {
      sb.append(" to ").append(request.getTargetSystemUrl());
    }
    return sb.toString();
  }
}
