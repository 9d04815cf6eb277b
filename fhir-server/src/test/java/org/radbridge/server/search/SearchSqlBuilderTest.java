package org.radbridge.server.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.radbridge.server.RadBridgeProperties;

/** The SQL a search becomes, without a database: values are bound parameters, never SQL text. */
class SearchSqlBuilderTest {
  private static SearchSqlBuilder sql;

  @BeforeAll
  static void builder() {
    FhirContext ctx = FhirContext.forR4Cached();
    sql = new SearchSqlBuilder(new SearchParamRegistry(ctx, new FhirPathEngine(ctx)), null, RadBridgeProperties.defaults());
  }

  @Test
  void aBuiltTokenIsBoundAsItsSystemAndCode() {
    String value = "a,b'); DROP TABLE resource; --|x\\\\y";
    SqlQuery q = sql.matching("Patient", SearchCriteria.where().token("identifier", "urn:sys", value).build(), 2);
    assertThat(q.sql()).doesNotContain("DROP").doesNotContain("urn:sys").contains("x.code = ?").contains("x.system = ?");
    assertThat(q.params()).contains(value, "urn:sys");
  }

  @Test
  void aParsedCommaIsAnOrOfTwoCodes() {
    SqlQuery q = sql.matching("Patient", SearchCriteria.parse("identifier=s|a,s|b"), 2);
    assertThat(q.params()).contains("a", "b", "s");
    assertThat(q.sql()).contains(" OR ");
    SqlQuery literal = sql.matching("Patient", SearchCriteria.parse("identifier=s|a\\,b"), 2);
    assertThat(literal.params()).contains("a,b").doesNotContain("a", "b");
  }

  @Test
  void aBuiltReferenceIsBoundAsTargetTypeAndId() {
    SqlQuery q = sql.matching("ImagingStudy", SearchCriteria.where().reference("basedon", "ServiceRequest", "o-1").build(), 10);
    assertThat(q.params()).contains("o-1", "ServiceRequest");
    assertThat(q.sql()).contains("x.target_id = ?").contains("x.target_type = ?");
  }

  @Test
  void anUnknownParameterIsA400NamingIt() {
    assertThatThrownBy(() -> sql.matching("Patient", SearchCriteria.parse("no-such=1"), 2))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("no-such");
  }
}
