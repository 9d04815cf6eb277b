package org.radbridge.server.dicom;

import java.util.List;
import org.radbridge.server.outbox.DeliveryObserver;
import org.radbridge.server.outbox.OutboxRow;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The {@code dicom_forward} table: which instance has been queued for, and delivered to, which PACS
 * (docs/schema.md). Kept apart from the outbox, whose delivered rows are purged.
 */
@Repository
public class ForwardRecord implements DeliveryObserver {
  private final JdbcTemplate jdbc;

  public ForwardRecord(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** An instance of the study not yet queued for the destination: its key and file. */
  public record Pending(String sopInstanceUid, String filePath) {}

  /**
   * Claims, for the destination, every instance of the study whose file is on disk and that was
   * never queued for it (the primary key makes a concurrent claim wait and then skip), in the order
   * received. The caller queues each one and calls {@link #queued}.
   */
  public List<Pending> claim(String studyInstanceUid, String destination) {
    return jdbc.query("WITH c AS (INSERT INTO dicom_forward (sop_instance_uid, destination, study_instance_uid)"
        + " SELECT sop_instance_uid, ?, study_instance_uid FROM dicom_instance"
        + " WHERE study_instance_uid = ? AND file_removed_at IS NULL ON CONFLICT DO NOTHING RETURNING sop_instance_uid)"
        + " SELECT i.sop_instance_uid, i.file_path FROM dicom_instance i JOIN c USING (sop_instance_uid)"
        + " ORDER BY i.received_at, i.sop_instance_uid",
        (rs, n) -> new Pending(rs.getString(1), rs.getString(2)), destination, studyInstanceUid);
  }

  public void queued(String sopInstanceUid, String destination, long outboxId) {
    jdbc.update("UPDATE dicom_forward SET outbox_id = ? WHERE sop_instance_uid = ? AND destination = ?", outboxId,
        sopInstanceUid, destination);
  }

  @Override
  public void delivered(OutboxRow row) {
    if (CStoreForwarding.KIND.equals(row.kind())) {
      jdbc.update("UPDATE dicom_forward SET delivered_at = now() WHERE outbox_id = ?", row.id());
    }
  }

  /**
   * Studies with files still on disk whose every instance was forwarded and delivered (to each PACS
   * it was queued for), with the time of the last delivery. An instance never queued keeps its
   * study out: it may yet be forwarded.
   */
  public List<java.util.Map.Entry<String, java.time.Instant>> forwardedStudiesWithFiles() {
    return jdbc.query("SELECT i.study_instance_uid, max(f.delivered_at) FROM dicom_instance i"
        + " LEFT JOIN dicom_forward f ON f.sop_instance_uid = i.sop_instance_uid"
        + " WHERE i.study_instance_uid IN (SELECT study_instance_uid FROM dicom_instance WHERE file_removed_at IS NULL)"
        + " GROUP BY i.study_instance_uid HAVING bool_and(f.delivered_at IS NOT NULL)",
        (rs, n) -> java.util.Map.entry(rs.getString(1), rs.getTimestamp(2).toInstant()));
  }
}
