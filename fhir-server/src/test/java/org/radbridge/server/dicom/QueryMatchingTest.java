package org.radbridge.server.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.pixelmed.dicom.ValueRepresentation;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * C-FIND wildcard matching (PS3.4 C.2.2.2.4) without regular expressions: the same answers a
 * regular expression gives, and a crafted pattern that makes a backtracking matcher run for ages
 * is decided at once.
 */
class QueryMatchingTest {
  private static final byte[] LO = ValueRepresentation.LO;
  private static final byte[] PN = ValueRepresentation.PN;

  @Test
  void starsAndQuestionMarksMatchAsTheStandardSays() {
    assertThat(QueryMatching.matchesValue(LO, "CT*", "CT HEAD")).isTrue();
    assertThat(QueryMatching.matchesValue(LO, "*HEAD", "CT HEAD")).isTrue();
    assertThat(QueryMatching.matchesValue(LO, "C*H*D", "CT HEAD")).isTrue();
    assertThat(QueryMatching.matchesValue(LO, "C?", "CT")).isTrue();
    assertThat(QueryMatching.matchesValue(LO, "C?", "CTA")).isFalse();
    assertThat(QueryMatching.matchesValue(LO, "*", "")).isTrue();
    assertThat(QueryMatching.matchesValue(LO, "**", "anything")).isTrue();
    assertThat(QueryMatching.matchesValue(LO, "a*a", "a")).isFalse(); // the two a's cannot be one
    assertThat(QueryMatching.matchesValue(LO, "a*a", "aa")).isTrue();
    assertThat(QueryMatching.matchesValue(LO, "*ab*ab*", "xabyab")).isTrue();
    assertThat(QueryMatching.matchesValue(LO, "*ab*ab*", "xaby")).isFalse();
    assertThat(QueryMatching.matchesValue(LO, "ct*", "CT HEAD")).as("case matters outside person names").isFalse();
    assertThat(QueryMatching.matchesValue(LO, "a.c*", "abc")).as("a dot is a dot").isFalse();
    assertThat(QueryMatching.matchesValue(LO, "(a|b)*", "a")).as("no regular expression").isFalse();
  }

  @Test
  void personNamesMatchWithoutCaseAndQuestionMarkIsOneCharacter() {
    assertThat(QueryMatching.matchesValue(PN, "zhang*", "ZHANG^WEI")).isTrue();
    assertThat(QueryMatching.matchesValue(PN, "张?", "张伟")).isTrue();
    assertThat(QueryMatching.matchesValue(PN, "??", "𠀋伟")).as("a character outside the BMP is one").isTrue();
  }

  @Test
  void aPatternBuiltToBacktrackIsDecidedAtOnce() {
    String value = "a".repeat(64);
    String pattern = "*a".repeat(30) + "*b"; // exponential for a backtracking matcher
    assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
      for (int i = 0; i < 1000; i++) {
        assertThat(QueryMatching.matchesValue(LO, pattern, value)).isFalse();
        assertThat(QueryMatching.matchesValue(PN, pattern, value)).isFalse();
      }
    });
  }
}
