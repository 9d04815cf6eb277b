package org.radbridge.server.hl7v2;

import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** SQL of hl7_message: the ACK already given to a message (MSH-3 + MSH-4 + MSH-10), and recording one. */
@Repository
public class MessageLog {
  private final JdbcTemplate jdbc;

  public MessageLog(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public Optional<String> ackOf(String application, String facility, String controlId) {
    return jdbc.query("SELECT ack FROM hl7_message WHERE sending_application = ? AND sending_facility = ?"
        + " AND control_id = ?", (rs, n) -> rs.getString(1), application, facility, controlId).stream().findFirst();
  }

  /** Records the message in the caller's transaction; false when it is already recorded. */
  public boolean record(String application, String facility, String controlId, String type, String ack) {
    return jdbc.update("INSERT INTO hl7_message (sending_application, sending_facility, control_id, message_type, ack)"
        + " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", application, facility, controlId, type, ack) == 1;
  }
}
