package org.radbridge.server.validation;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Refuses (422) a resource whose narrative — its own, a contained resource's or a Bundle entry's —
 * breaks txt-1 ({@link NarrativeRules}), whatever the validation mode: such a narrative could run
 * script in every browser that shows it. Runs early in PREPARE, after {@link UnstorableValueGuard}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class NarrativeSafety implements WriteHook {
  @Override
  public WritePhase phase() {
    return WritePhase.PREPARE;
  }

  @Override
  public void on(WriteEvent e) {
    if (e.resource() instanceof Resource r) {
      ElementWalk.walk(r, (path, element) -> {
        if (element instanceof Narrative n && n.getDiv() != null) {
          String problem = NarrativeRules.problem(n.getDiv());
          if (problem != null) {
            throw refusal(path + ".div", problem);
          }
        }
      });
    }
  }

  private static UnprocessableEntityException refusal(String location, String problem) {
    String text = "txt-1: " + location + ": " + problem + " (a narrative may hold only basic XHTML formatting,"
        + " links and images)";
    OperationOutcome oo = new OperationOutcome();
    oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(OperationOutcome.IssueType.INVALID)
        .setDiagnostics(text).addExpression(location);
    return new UnprocessableEntityException(text, oo);
  }
}
