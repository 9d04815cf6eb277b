package org.radbridge.server.security;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.hl7.fhir.r4.model.OperationOutcome;

/** A 403 whose OperationOutcome says {@code forbidden} and names what is missing. */
final class Refusals {
  private Refusals() {}

  static ForbiddenOperationException forbidden(String diagnostics) {
    OperationOutcome oo = new OperationOutcome();
    oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(OperationOutcome.IssueType.FORBIDDEN)
        .setDiagnostics(diagnostics);
    return new ForbiddenOperationException(diagnostics, oo);
  }
}
