package org.radbridge.server.workflow;

import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Accession numbers the hub assigns as order filler (IHE Scheduled Workflow) to orders that come
 * without one: the organisation's prefix and eight or more digits of one database sequence, so two
 * nodes never hand out the same number; a number the organisation's system already holds (a
 * sender's own) is skipped. At most 16 characters: DICOM's AccessionNumber is an SH.
 */
@Component
public class AccessionNumbers {
  private static final int ATTEMPTS = 100;
  private final JdbcTemplate jdbc;
  private final SearchService search;
  private final IdentitySystems identity;

  public AccessionNumbers(JdbcTemplate jdbc, SearchService search, IdentitySystems identity) {
    this.jdbc = jdbc;
    this.search = search;
    this.identity = identity;
  }

  /** A new accession number in the accession system of {@code orgKey} (null: the network's own). */
  public String next(String orgKey) {
    String system = identity.accessionSystem(orgKey);
    String prefix = identity.accessionPrefix(orgKey);
    for (int i = 0; i < ATTEMPTS; i++) {
      long n = jdbc.queryForObject("SELECT nextval('accession_number_seq')", Long.class);
      String value = prefix + String.format("%08d", n);
      if (search.match("ServiceRequest", SearchCriteria.where().token("identifier", system, value).build(), 1).isEmpty()) {
        return value;
      }
    }
    throw new IllegalStateException("no free accession number in " + system + " after " + ATTEMPTS + " attempts");
  }
}
