package org.radbridge.server.workflow;

import java.sql.Timestamp;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.write.ResourceWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Flags orders past their reading SLA: a {@code Flag/sla-<order id>} (code {@code sla-breached},
 * subject the patient, period from the due time, flag-detail extensions naming the order and its
 * Task), active until the final report arrives, then inactive with the period's end. Clients
 * search ({@code Flag?code=…|sla-breached&status=active}) and subscribe to them. Each order is
 * claimed in the database, so with several nodes one of them writes the Flag.
 */
@Component
public class SlaWatch implements org.springframework.scheduling.annotation.SchedulingConfigurer {
  private final org.radbridge.server.RadBridgeProperties settings;

  /** Runs {@link #check} at the interval radbridge.* gives (one configuration tree). */
  @Override
  public void configureTasks(org.springframework.scheduling.config.ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new org.springframework.scheduling.config.FixedDelayTask(this::check,
        settings.getWorkflow().getSlaCheckInterval(), java.time.Duration.ofSeconds(1)));
  }

  private static final org.radbridge.server.write.Caller SLA_WATCH = org.radbridge.server.write.Caller.system("sla-watch");
  public static final String FLAG_CODES = "https://radbridge.org/fhir/CodeSystem/workflow-flag";
  public static final String FLAG_DETAIL = "http://hl7.org/fhir/StructureDefinition/flag-detail";
  private static final Logger log = LoggerFactory.getLogger(SlaWatch.class);

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final ResourceWriter writer;
  private final ResourceReader reader;

  public SlaWatch(JdbcTemplate jdbc, TransactionTemplate tx, ResourceWriter writer, ResourceReader reader, org.radbridge.server.RadBridgeProperties settings) {
    this.settings = settings;
    this.jdbc = jdbc;
    this.tx = tx;
    this.writer = writer;
    this.reader = reader;
  }

  /** Every {@code radbridge.workflow.sla-check-interval} milliseconds (10 s). */
  public void check() {
    try {
      tx.executeWithoutResult(s -> flagOverdue());
      tx.executeWithoutResult(s -> resolveFinished());
    } catch (RuntimeException e) {
      log.warn("SLA check failed: {}", e.getMessage());
    }
  }

  private record Overdue(String orderId, Timestamp due, String reading) {}

  void flagOverdue() {
    List<Overdue> due = jdbc.query("UPDATE order_turnaround SET flagged_at = now() WHERE order_id IN (SELECT order_id"
        + " FROM order_turnaround WHERE due_at < now() AND final_at IS NULL AND flagged_at IS NULL AND status = 'active'"
        + " ORDER BY due_at LIMIT 100 FOR UPDATE SKIP LOCKED) RETURNING order_id, due_at, reading_org",
        (rs, n) -> new Overdue(rs.getString(1), rs.getTimestamp(2), rs.getString(3)));
    for (Overdue o : due) {
      ServiceRequest sr = (ServiceRequest) reader.read("ServiceRequest", o.orderId());
      Flag flag = new Flag();
      flag.setId("sla-" + o.orderId());
      flag.setStatus(Flag.FlagStatus.ACTIVE);
      flag.addCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/flag-category", "admin",
          "Administrative")));
      flag.setCode(new CodeableConcept(new Coding(FLAG_CODES, "sla-breached", "Reading SLA breached"))
          .setText("The study has waited past its reading SLA"));
      flag.setSubject(sr.getSubject().copy());
      flag.getPeriod().setStart(new Date(o.due().getTime()));
      if (o.reading() != null) {
        flag.setAuthor(new Reference(o.reading()));
      }
      flag.addExtension(FLAG_DETAIL, new Reference(new OrderRef(o.orderId()).reference()));
      flag.addExtension(FLAG_DETAIL, new Reference("Task/order-" + o.orderId()));
      writer.write(org.radbridge.server.write.WriteRequest.update("Flag", flag.getIdElement().getIdPart(), flag, null,
          SLA_WATCH));
      log.info("ServiceRequest/{} is past its reading SLA (due {}): Flag/sla-{}", o.orderId(), o.due(), o.orderId());
    }
  }

  void resolveFinished() {
    List<String> done = jdbc.query("UPDATE order_turnaround SET flagged_at = flagged_at WHERE order_id IN (SELECT"
        + " order_id FROM order_turnaround WHERE flagged_at IS NOT NULL AND final_at IS NOT NULL LIMIT 100"
        + " FOR UPDATE SKIP LOCKED) RETURNING order_id", (rs, n) -> rs.getString(1));
    for (String orderId : done) {
      Flag flag;
      try {
        flag = (Flag) reader.read("Flag", "sla-" + orderId);
      } catch (ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException gone) {
        continue;
      }
      if (flag.getStatus() == Flag.FlagStatus.INACTIVE) {
        continue;
      }
      Timestamp fin = jdbc.queryForObject("SELECT final_at FROM order_turnaround WHERE order_id = ?", Timestamp.class, orderId);
      flag.setStatus(Flag.FlagStatus.INACTIVE);
      flag.getPeriod().setEnd(new Date(fin.getTime()));
      flag.setMeta(null);
      writer.write(org.radbridge.server.write.WriteRequest.update("Flag", flag.getIdElement().getIdPart(), flag, null,
          SLA_WATCH));
    }
  }
}
