package org.radbridge.server.validation;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.radbridge.terminology.NetworkUrls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Every written resource is checked by {@link WriteValidation}: refused (422) or written with
 * warnings. What a DICOM node or an HL7 application sent is never refused for the network's own
 * profiles (it was already acknowledged, or the sender cannot fix it): a mapped resource that fails
 * the network profile it claims is stored without the claim and tagged {@code work-item#profile-failed}
 * for a person, so it stays findable.
 */
@Component
class ProfileValidationHook implements WriteHook {
  private static final Logger log = LoggerFactory.getLogger(ProfileValidationHook.class);
  static final Coding PROFILE_FAILED = new Coding(NetworkUrls.WORK_ITEM, "profile-failed",
      "Stored without its network profile");
  private static final String NETWORK_PROFILES = NetworkUrls.BASE + "/StructureDefinition/";

  private final WriteValidation validation;

  ProfileValidationHook(WriteValidation validation) {
    this.validation = validation;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.VALIDATE;
  }

  @Override
  public void on(WriteEvent e) {
    Resource resource = (Resource) e.resource();
    if (!fromChannel(e.caller())) {
      e.warnings().addAll(validation.check(resource));
      return;
    }
    resource.getMeta().getTag().removeIf(t -> PROFILE_FAILED.getSystem().equals(t.getSystem())
        && PROFILE_FAILED.getCode().equals(t.getCode()));
    try {
      e.warnings().addAll(validation.check(resource));
    } catch (UnprocessableEntityException refused) {
      if (resource.getMeta().getProfile().stream().noneMatch(p -> p.getValue() != null && p.getValue().startsWith(NETWORK_PROFILES))) {
        throw refused; // not about the network's profiles: the base specification itself is not met
      }
      log.warn("{}/{} from {} does not satisfy its network profile; stored without the claim and tagged profile-failed: {}",
          e.type(), e.id(), e.caller().name(), summary(refused));
      resource.getMeta().getProfile().removeIf(p -> p.getValue() != null && p.getValue().startsWith(NETWORK_PROFILES));
      resource.getMeta().addTag(PROFILE_FAILED.copy());
      e.warnings().addAll(validation.check(resource));
    }
  }

  private static boolean fromChannel(Caller caller) {
    return caller != null && (caller.kind() == Caller.Kind.DICOM_NODE || caller.kind() == Caller.Kind.HL7_APPLICATION);
  }

  private static String summary(UnprocessableEntityException e) {
    if (e.getOperationOutcome() instanceof OperationOutcome oo) {
      return oo.getIssue().stream().skip(1).limit(5)
          .map(i -> i.getDiagnostics() + (i.hasExpression() ? " @ " + i.getExpression().get(0).getValue() : ""))
          .reduce((a, b) -> a + " / " + b).orElse(e.getMessage());
    }
    return e.getMessage();
  }
}
