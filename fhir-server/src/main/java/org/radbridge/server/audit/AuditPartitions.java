package org.radbridge.server.audit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The months of the audit trail (changeset 022): this month's partition and the next two exist
 * before anything is recorded (at start, every hour, and on demand when a record's month is not yet
 * covered), and the months past retention are detached CONCURRENTLY — no lock that would hold up a
 * write — and dropped. Runs on its own autocommit connection (DETACH CONCURRENTLY cannot run in a
 * transaction, and a write's transaction must not carry DDL).
 */
@Component
public class AuditPartitions {
  private static final Logger log = LoggerFactory.getLogger(AuditPartitions.class);
  static final int AHEAD = 2;

  private final DataSource dataSource;
  private final AuditProperties props;
  private volatile YearMonth coveredThrough = YearMonth.of(1970, 1);

  public AuditPartitions(DataSource dataSource, AuditProperties props) {
    this.dataSource = dataSource;
    this.props = props;
  }

  /** Makes sure the month of {@code now} has its partition (cheap when it has). */
  public void cover(java.time.Instant now) {
    if (YearMonth.from(now.atOffset(ZoneOffset.UTC)).isAfter(coveredThrough)) {
      ensure();
    }
  }

  /** This month and the next {@value #AHEAD}; then the months past retention go. */
  @Scheduled(initialDelay = 0, fixedDelay = 3_600_000)
  public synchronized void maintain() {
    ensure();
    dropExpired();
  }

  synchronized void ensure() {
    try (Connection con = dataSource.getConnection(); Statement st = con.createStatement()) {
      con.setAutoCommit(true);
      try (ResultSet rs = st.executeQuery("SELECT audit_ensure_partitions(" + AHEAD + ")")) {
        rs.next();
        if (rs.getInt(1) > 0) {
          log.info("Audit trail: {} month partition(s) made", rs.getInt(1));
        }
      }
      coveredThrough = YearMonth.now(ZoneOffset.UTC).plusMonths(AHEAD);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("the audit trail's month partitions cannot be made: " + e.getMessage(), e);
    }
  }

  /** Detaches and drops each month that ended more than the retention ago. */
  void dropExpired() {
    YearMonth oldestKept = YearMonth.now(ZoneOffset.UTC).minusMonths(props.getRetentionMonths());
    try (Connection con = dataSource.getConnection(); Statement st = con.createStatement()) {
      con.setAutoCommit(true);
      List<String> expired = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
          + " WHERE i.inhparent = 'audit_record'::regclass AND c.relname ~ '^audit_record_[0-9]{6}$'")) {
        while (rs.next()) {
          String name = rs.getString(1);
          YearMonth month = YearMonth.of(Integer.parseInt(name.substring(13, 17)), Integer.parseInt(name.substring(17, 19)));
          if (month.isBefore(oldestKept)) {
            expired.add(name);
          }
        }
      }
      for (String name : expired) {
        // the names come from the catalogue and match ^audit_record_[0-9]{6}$: nothing from outside
        st.execute("ALTER TABLE audit_record DETACH PARTITION " + name + " CONCURRENTLY");
        st.execute("DROP TABLE " + name);
        log.info("Audit trail: month {} dropped (retention {} months)", name.substring(13), props.getRetentionMonths());
      }
    } catch (java.sql.SQLException e) {
      log.error("Audit trail: old months could not be dropped (tried again within the hour): {}", e.getMessage());
    }
  }
}
