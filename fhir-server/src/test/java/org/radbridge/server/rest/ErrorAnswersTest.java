package org.radbridge.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import org.junit.jupiter.api.Test;

/**
 * What a failure is told as: an unexpected one (here, a database error carrying its SQL) becomes a
 * 500 that says only that an error occurred and names the request id; a client's fault keeps its
 * 4xx but loses class names and library codes.
 */
class ErrorAnswersTest {
  private static ServletRequestDetails request(String id) {
    ServletRequestDetails r = new ServletRequestDetails();
    r.setRequestId(id);
    return r;
  }

  @Test
  void anUnexpectedFailureIsA500NamingOnlyTheRequestId() {
    RuntimeException sqlFailure = new org.springframework.dao.DataIntegrityViolationException(
        "PreparedStatementCallback; SQL [SELECT content FROM resource WHERE res_id = ?]; ERROR: stack depth limit exceeded");
    BaseServerResponseException answer = new ErrorAnswers().answer(request("req42"),
        new InternalErrorException("HAPI-0389: Failed to call access method: " + sqlFailure, sqlFailure));
    assertThat(answer.getStatusCode()).isEqualTo(500);
    assertThat(answer.getMessage()).isEqualTo("An error occurred; request id req42");
  }

  @Test
  void aClientsFaultKeepsItsStatusWithoutInternals() {
    BaseServerResponseException answer = new ErrorAnswers().answer(request("r1"), new InvalidRequestException(
        "HAPI-0450: Failed to parse request body as JSON resource. Error was: HAPI-1821: [element=\"multipleBirthInteger\"]"
            + " Invalid attribute value \"1.5\": java.lang.NumberFormatException: For input string: \"1.5\""));
    assertThat(answer.getStatusCode()).isEqualTo(400);
    assertThat(answer.getMessage()).isEqualTo("Failed to parse request body as JSON resource. Error was:"
        + " [element=\"multipleBirthInteger\"] Invalid attribute value \"1.5\": For input string: \"1.5\"");
  }

  @Test
  void aParseFailureSurfacingAsAnUnexpectedOneIsA400() {
    DataFormatException parse = new DataFormatException(
        "DataFormatException at [[row,col {unknown-source}]: [1,38]]: HAPI-1825: Unknown element 'a' found during parse");
    BaseServerResponseException answer = new ErrorAnswers().answer(request("r2"),
        new InternalErrorException("HAPI-0389: Failed to call access method: " + parse, parse));
    assertThat(answer.getStatusCode()).isEqualTo(400);
    assertThat(answer.getMessage()).isEqualTo("at line 1, column 38: Unknown element 'a' found during parse");
  }
}
