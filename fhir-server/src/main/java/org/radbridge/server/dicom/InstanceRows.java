package org.radbridge.server.dicom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.radbridge.server.store.StatementBinder;
import org.radbridge.server.store.Visibility;
import org.radbridge.mappers.dicom.DicomInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** All SQL of the dicom_instance table. */
@Repository
public class InstanceRows {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final JdbcTemplate jdbc;

  public InstanceRows(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public boolean exists(String sopInstanceUid) {
    return Boolean.TRUE.equals(jdbc.queryForObject(
        "SELECT EXISTS (SELECT 1 FROM dicom_instance WHERE sop_instance_uid = ?)", Boolean.class, sopInstanceUid));
  }

  /**
   * Inserts the row; false when the instance was already there. {@code senderOrg}: the key of the
   * sending node's organisation (null: none known).
   */
  public boolean insert(DicomInstance i, String transferSyntaxUid, String callingAe, String senderOrg, String filePath,
      long size) {
    try {
      return jdbc.update("INSERT INTO dicom_instance (sop_instance_uid, study_instance_uid, series_instance_uid,"
          + " sop_class_uid, transfer_syntax_uid, calling_ae, sender_org, file_path, file_size, attributes)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (sop_instance_uid) DO NOTHING",
          i.sopInstanceUid(), i.studyInstanceUid(), i.seriesInstanceUid(), i.sopClassUid(), transferSyntaxUid,
          callingAe, senderOrg, filePath, size, JSON.writeValueAsString(i)) == 1;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public List<DicomInstance> ofStudy(String studyInstanceUid) {
    return jdbc.query("SELECT attributes::text FROM dicom_instance WHERE study_instance_uid = ?"
        + " ORDER BY series_instance_uid, sop_instance_uid", (rs, n) -> {
          try {
            return JSON.readValue(rs.getString(1), DicomInstance.class);
          } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
          }
        }, studyInstanceUid);
  }

  /** The calling AE title that sent the study's first instance (whose organisation owns it). */
  public String sender(String studyInstanceUid) {
    return jdbc.query("SELECT calling_ae FROM dicom_instance WHERE study_instance_uid = ? ORDER BY received_at LIMIT 1",
        (rs, n) -> rs.getString(1), studyInstanceUid).stream().findFirst().orElse(null);
  }

  /**
   * Marks the given instances of the study as in its ImagingStudy: only those the update read, so
   * one committed while it ran stays unsynced and gets the next update.
   */
  public void markSynced(String studyInstanceUid, List<String> sopInstanceUids) {
    jdbc.update(con -> {
      var ps = con.prepareStatement("UPDATE dicom_instance SET study_synced = true WHERE study_instance_uid = ?"
          + " AND sop_instance_uid = ANY (?) AND NOT study_synced");
      ps.setString(1, studyInstanceUid);
      ps.setArray(2, con.createArrayOf("text", sopInstanceUids.toArray()));
      return ps;
    });
  }

  public boolean hasUnsynced(String studyInstanceUid) {
    return Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM dicom_instance"
        + " WHERE study_instance_uid = ? AND NOT study_synced)", Boolean.class, studyInstanceUid));
  }

  /**
   * Study Instance UIDs the reader may see, most recently received first ({@code studyUid} non-null:
   * that study, if visible). Visibility is a predicate of the query: a study whose ImagingStudy is
   * written (found by its identifier {@code urn:dicom:uid|urn:oid:<uid>}) is visible when that
   * resource's readers are ({@link Visibility#predicate}); a study whose ImagingStudy is not written
   * yet (assembly runs after the instances, {@link StudySyncScheduler}) to the organisations of the
   * nodes that sent its instances.
   */
  public List<String> visibleStudies(String studyUid, Visibility visibility, int limit) {
    List<Object> params = new ArrayList<>();
    StringBuilder sql = new StringBuilder("WITH study AS (SELECT study_instance_uid, max(received_at) AS last,"
        + " array_agg(DISTINCT sender_org) AS senders FROM dicom_instance");
    if (studyUid != null) {
      sql.append(" WHERE study_instance_uid = ?");
      params.add(studyUid);
    }
    sql.append(" GROUP BY study_instance_uid)"
        + " SELECT st.study_instance_uid FROM study st"
        + " LEFT JOIN LATERAL (SELECT r.readers FROM idx_token t JOIN resource r ON r.res_pk = t.res_pk"
        + "   WHERE t.res_type = 'ImagingStudy' AND t.param = 'identifier' AND t.code = 'urn:oid:' || st.study_instance_uid"
        + "   AND t.system = 'urn:dicom:uid' AND NOT r.deleted LIMIT 1) img ON true"
        + " WHERE CASE WHEN img.readers IS NULL THEN ");
    sql.append(visibility.overlaps("st.senders", params));
    sql.append(" ELSE ").append(visibility.predicate("img", params)).append(" END");
    sql.append(" ORDER BY st.last DESC LIMIT ?");
    params.add(limit);
    return jdbc.query(con -> StatementBinder.prepare(con, sql.toString(), params), (rs, n) -> rs.getString(1));
  }

  /** Paths of the study's files still on disk. */
  public List<String> filesOf(String studyInstanceUid) {
    return jdbc.queryForList("SELECT file_path FROM dicom_instance WHERE study_instance_uid = ? AND file_removed_at IS NULL",
        String.class, studyInstanceUid);
  }

  public void markFileRemoved(String filePath) {
    jdbc.update("UPDATE dicom_instance SET file_removed_at = now() WHERE file_path = ?", filePath);
  }

  public List<String> unsyncedStudies() {
    return jdbc.queryForList("SELECT DISTINCT study_instance_uid FROM dicom_instance WHERE NOT study_synced", String.class);
  }
}
