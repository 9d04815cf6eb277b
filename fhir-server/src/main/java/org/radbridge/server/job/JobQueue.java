package org.radbridge.server.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** SQL of the job table: enqueue, claim (FOR UPDATE SKIP LOCKED), record progress and failure. */
@Repository
public class JobQueue {
  private static final String COLUMNS = "job_id, kind, state, subject, payload, cursor_pk, processed, total, attempts,"
      + " max_attempts, next_run_at, last_error, created_at, updated_at";

  private final JdbcTemplate jdbc;

  public JobQueue(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Adds a job; called inside the caller's transaction so the job exists only if its cause does. */
  public long enqueue(String kind, String subject, String payload, Long total) {
    Long id = jdbc.queryForObject("INSERT INTO job (kind, state, subject, payload, total) VALUES (?, 'queued', ?, ?, ?)"
        + " RETURNING job_id", Long.class, kind, subject, payload, total);
    return id == null ? -1 : id;
  }

  /** Locks the next runnable job for this transaction, skipping jobs other workers hold. */
  public Optional<Job> claim() {
    List<Job> jobs = jdbc.query("SELECT " + COLUMNS + " FROM job WHERE state IN ('queued', 'running')"
        + " AND next_run_at <= now() ORDER BY next_run_at, job_id LIMIT 1 FOR UPDATE SKIP LOCKED", JobQueue::map);
    return jobs.stream().findFirst();
  }

  public void recordStep(long jobId, JobStep step) {
    jdbc.update("UPDATE job SET state = ?, cursor_pk = ?, processed = processed + ?, attempts = 0, last_error = NULL,"
        + " updated_at = now() WHERE job_id = ?", step.finished() ? "done" : "running", step.cursorPk(),
        step.processedDelta(), jobId);
  }

  /** Records a failed step: retried after an exponential backoff, or failed for good after max_attempts. */
  public void recordFailure(long jobId, String error) {
    jdbc.update("UPDATE job SET attempts = attempts + 1, last_error = ?, updated_at = now(),"
        + " state = CASE WHEN attempts + 1 >= max_attempts THEN 'failed' ELSE state END,"
        + " next_run_at = now() + least(interval '5 minutes', interval '1 second' * power(2, attempts))"
        + " WHERE job_id = ?", error, jobId);
  }

  public Optional<Job> find(long jobId) {
    return jdbc.query("SELECT " + COLUMNS + " FROM job WHERE job_id = ?", JobQueue::map, jobId).stream().findFirst();
  }

  /** The newest job of a kind about a subject (e.g. the reindex of one SearchParameter). */
  public Optional<Job> latestFor(String kind, String subject) {
    return jdbc.query("SELECT " + COLUMNS + " FROM job WHERE kind = ? AND subject = ? ORDER BY job_id DESC LIMIT 1",
        JobQueue::map, kind, subject).stream().findFirst();
  }

  static Duration backoff(int attempts) {
    return Duration.ofSeconds(Math.min(300, 1L << Math.min(attempts, 16)));
  }

  private static Job map(ResultSet rs, int n) throws SQLException {
    long total = rs.getLong("total");
    Long totalOrNull = rs.wasNull() ? null : total;
    var next = rs.getTimestamp("next_run_at");
    return new Job(rs.getLong("job_id"), rs.getString("kind"), rs.getString("state"), rs.getString("subject"),
        rs.getString("payload"), rs.getLong("cursor_pk"), rs.getLong("processed"), totalOrNull, rs.getInt("attempts"),
        rs.getInt("max_attempts"), next == null ? null : next.toInstant(), rs.getString("last_error"),
        rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
  }
}
