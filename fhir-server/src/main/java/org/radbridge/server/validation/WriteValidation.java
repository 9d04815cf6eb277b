package org.radbridge.server.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.RadBridgeProperties.ValidationMode;
import org.radbridge.server.terminology.NetworkConformance;
import org.springframework.stereotype.Component;

/**
 * Validation on write. A resource is validated against the profiles it claims in meta.profile
 * that the server knows, and against a profile the configuration makes mandatory for its type;
 * a claimed profile the server does not know is a warning. Resources claiming nothing are not
 * validated unless base-spec validation is switched on. In mode enforce an error refuses the write
 * with a 422 listing every issue; in mode warn errors come back as warnings.
 */
@Component
public class WriteValidation {
  private static final String UNKNOWN_PROFILE = org.hl7.fhir.utilities.i18n.I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN;
  private final FhirContext ctx;
  private final NetworkConformance conformance;
  private final RadBridgeProperties.Validation settings;

  public WriteValidation(FhirContext ctx, NetworkConformance conformance, RadBridgeProperties props) {
    this.ctx = ctx;
    this.conformance = conformance;
    this.settings = props.getValidation();
  }

  /** Checks a resource about to be written; returns the warnings, throws 422 on errors in enforce mode. */
  public List<OperationOutcome.OperationOutcomeIssueComponent> check(IBaseResource resource) {
    if (settings.getMode() == ValidationMode.OFF) {
      return List.of();
    }
    String type = ctx.getResourceType(resource);
    List<OperationOutcome.OperationOutcomeIssueComponent> warnings = new ArrayList<>();
    Set<String> known = new LinkedHashSet<>();
    for (IPrimitiveType<String> p : resource.getMeta().getProfile()) {
      String url = p.getValue();
      if (url == null || url.isBlank()) {
        continue;
      }
      if (conformance.isKnownProfile(stripVersion(url))) {
        known.add(url);
      } else {
        warnings.add(issue(OperationOutcome.IssueSeverity.WARNING, OperationOutcome.IssueType.NOTSUPPORTED,
            "Profile " + url + " claimed in meta.profile is not known to this server; the resource was not"
                + " validated against it", type + ".meta.profile"));
      }
    }
    List<String> extra = new ArrayList<>();
    String required = settings.getRequiredProfiles().get(type);
    if (required != null && !required.isBlank() && !known.contains(required)) {
      extra.add(required);
      known.add(required);
    }
    if (known.isEmpty() && !settings.isBaseSpec()) {
      return warnings;
    }
    ValidationResult result = conformance.validator().validate(resource, extra);
    List<OperationOutcome.OperationOutcomeIssueComponent> errors = new ArrayList<>();
    for (SingleValidationMessage m : result.getMessages()) {
      if (UNKNOWN_PROFILE.equals(m.getMessageId())) {
        continue; // reported above, once
      }
      if (m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL) {
        errors.add(issue(OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueType.PROCESSING,
            m.getMessage(), m.getLocationString()));
      } else if (m.getSeverity() == ResultSeverityEnum.WARNING) {
        warnings.add(issue(OperationOutcome.IssueSeverity.WARNING, OperationOutcome.IssueType.PROCESSING,
            m.getMessage(), m.getLocationString()));
      }
    }
    if (errors.isEmpty()) {
      return warnings;
    }
    if (settings.getMode() == ValidationMode.ENFORCE) {
      OperationOutcome oo = new OperationOutcome();
      oo.addIssue(issue(OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueType.INVALID,
          type + " does not satisfy " + String.join(", ", known) + " (" + errors.size() + " error"
              + (errors.size() == 1 ? "" : "s") + "); nothing was written", null));
      errors.forEach(oo::addIssue);
      warnings.forEach(oo::addIssue);
      throw new UnprocessableEntityException(ctx, oo);
    }
    for (OperationOutcome.OperationOutcomeIssueComponent e : errors) {
      e.setSeverity(OperationOutcome.IssueSeverity.WARNING);
      warnings.add(e);
    }
    return warnings;
  }

  /**
   * {@code $validate}: the base specification, the claimed profiles and {@code profile}, whatever
   * the write mode. A profile the server does not know is a 400.
   */
  public OperationOutcome validateOnDemand(IBaseResource resource, String profile) {
    List<String> extra = new ArrayList<>();
    if (profile != null && !profile.isBlank()) {
      if (!conformance.isKnownProfile(stripVersion(profile))) {
        throw new InvalidRequestException("Profile " + profile + " is not known to this server");
      }
      extra.add(profile);
    }
    ValidationResult result = conformance.validator().validate(resource, extra);
    OperationOutcome oo = new OperationOutcome();
    for (SingleValidationMessage m : result.getMessages()) {
      OperationOutcome.IssueSeverity severity = switch (m.getSeverity()) {
        case FATAL -> OperationOutcome.IssueSeverity.FATAL;
        case ERROR -> OperationOutcome.IssueSeverity.ERROR;
        case WARNING -> OperationOutcome.IssueSeverity.WARNING;
        default -> OperationOutcome.IssueSeverity.INFORMATION;
      };
      oo.addIssue(issue(severity, severity == OperationOutcome.IssueSeverity.INFORMATION
          ? OperationOutcome.IssueType.INFORMATIONAL : OperationOutcome.IssueType.PROCESSING,
          m.getMessage(), m.getLocationString()));
    }
    if (!oo.hasIssue()) {
      oo.addIssue(issue(OperationOutcome.IssueSeverity.INFORMATION, OperationOutcome.IssueType.INFORMATIONAL,
          "No issues: " + ctx.getResourceType(resource) + " is valid" + (extra.isEmpty() ? "" : " against " + extra.get(0)),
          null));
    }
    return oo;
  }

  private static OperationOutcome.OperationOutcomeIssueComponent issue(OperationOutcome.IssueSeverity severity,
      OperationOutcome.IssueType code, String text, String location) {
    OperationOutcome.OperationOutcomeIssueComponent i = new OperationOutcome.OperationOutcomeIssueComponent()
        .setSeverity(severity).setCode(code).setDiagnostics(text);
    if (location != null && !location.isBlank()) {
      i.addExpression(location);
      i.addLocation(location);
    }
    return i;
  }

  private static String stripVersion(String url) {
    int bar = url.indexOf('|');
    return bar < 0 ? url : url.substring(0, bar);
  }
}
