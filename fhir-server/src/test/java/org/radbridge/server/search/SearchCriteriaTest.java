package org.radbridge.server.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Criteria built from values versus criteria parsed from a query string (no server needed). */
class SearchCriteriaTest {

  @ParameterizedTest
  @ValueSource(strings = {"a,b", "a&b=c", "a|b", "a%2Cb", "a+b", "a\\b", "a$b", "a\\,b", "a\\|b", "a b=c", "\\"})
  void aBuiltTokenIsOneClauseWhoseValueReadsBackAsItself(String value) {
    SearchCriteria c = SearchCriteria.where().token("identifier", "urn:sys", value).build();
    assertThat(c.clauses()).hasSize(1);
    SearchCriteria.Clause clause = c.clauses().get(0);
    assertThat(clause.name()).isEqualTo("identifier");
    assertThat(clause.modifier()).isNull();
    assertThat(clause.values()).hasSize(1);
    // what the SQL builder reads: system up to the first unescaped bar, then the code, unescaped
    String v = clause.values().get(0);
    int bar = SearchSqlBuilder.indexOfUnescaped(v, '|');
    assertThat(SearchSqlBuilder.unescape(v.substring(0, bar))).isEqualTo("urn:sys");
    assertThat(SearchSqlBuilder.unescape(v.substring(bar + 1))).isEqualTo(value);
  }

  @Test
  void theSameCriteriaBuiltOrParsedTakeTheSameConditionalLock() {
    // a REST client's If-None-Exist and a channel's lookup of the same identifier must serialise
    assertThat(SearchCriteria.where().token("identifier", "urn:sys", "a,b").build().canonical())
        .isEqualTo(SearchCriteria.parse("identifier=urn:sys|a\\,b").canonical());
    assertThat(SearchCriteria.where().token("identifier", "urn:sys", "a|b").build().canonical())
        .isEqualTo(SearchCriteria.parse("identifier=urn:sys|a\\|b").canonical());
    assertThat(SearchCriteria.where().token("identifier", "urn:sys", "a\\b").build().canonical())
        .isEqualTo(SearchCriteria.parse("identifier=urn:sys|a%5C%5Cb").canonical());
    // and different values never share one
    assertThat(SearchCriteria.where().token("identifier", "urn:sys", "a,b").build().canonical())
        .isNotEqualTo(SearchCriteria.parse("identifier=urn:sys|a,b").canonical());
  }

  @Test
  void aParsedCommaIsAnOrAndAnEscapedOneIsData() {
    assertThat(SearchCriteria.parse("identifier=s|a,s|b").clauses().get(0).values()).containsExactly("s|a", "s|b");
    assertThat(SearchCriteria.parse("identifier=s|a\\,b").clauses().get(0).values()).containsExactly("s|a,b");
    // an escaped backslash before a comma: a literal backslash, then the OR
    assertThat(SearchCriteria.parse("identifier=s|a\\\\,b").clauses().get(0).values()).containsExactly("s|a\\\\", "b");
    assertThat(SearchCriteria.unescape("a\\\\")).isEqualTo("a\\");
  }

  @Test
  void anyTokenReferenceAndIdAreClausesOfTheirOwn() {
    SearchCriteria c = SearchCriteria.where()
        .anyToken("identifier", List.of(new SearchCriteria.Token("s1", "v,1"), new SearchCriteria.Token("s2", "v,1")))
        .reference("performer", "Organization", "org-city")
        .id("abc-1")
        .build();
    assertThat(c.clauses()).extracting(SearchCriteria.Clause::name).containsExactly("identifier", "performer", "_id");
    assertThat(c.clauses().get(0).values()).containsExactly("s1|v,1", "s2|v,1");
    assertThat(c.clauses().get(1).values()).containsExactly("Organization/org-city");
  }

  @Test
  void aLookupNeverWidensToAnyCodeOrAnyId() {
    assertThatThrownBy(() -> SearchCriteria.where().token("identifier", "urn:sys", "")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SearchCriteria.where().id("a,b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SearchCriteria.where().reference("subject", "Patient", "x&y=z"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
