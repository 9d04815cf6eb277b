package org.radbridge.server.workflow;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.network.NetworkProperties;
import org.radbridge.server.network.NetworkResources;
import org.radbridge.server.network.OrgRef;
import org.radbridge.server.write.Caller;
import org.springframework.stereotype.Component;

/**
 * Owns an order's transitions, whatever channel the change came through (ResourceWriter calls it
 * for every ServiceRequest write): assigns the DICOM identifiers the worklist needs (Study Instance
 * UID, Requested Procedure ID, SPS ID) when the order has none, routes an active order without a
 * reading organisation by the network's rules, and keeps the order's Task in step.
 */
@Component
public class OrderWorkflow {
  public static final String DICOM_UID = "urn:dicom:uid";
  public static final String RP_ID = IdentitySystems.SID_BASE + "requested-procedure-id";
  public static final String SPS_ID = IdentitySystems.SID_BASE + "sps-id";
  public static final String PROFILE = org.radbridge.terminology.NetworkUrls.structureDefinition("rb-service-request");
  private static final String V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";

  private final NetworkProperties network;
  private final IdentitySystems identity;
  private final ImagingOrderRule rule;
  private final AccessionNumbers accessions;
  private final ProcedureCodes codes;

  private org.radbridge.server.RadBridgeProperties.Workflow sla;

  @org.springframework.beans.factory.annotation.Autowired(required = false)
  void setProperties(org.radbridge.server.RadBridgeProperties props) {
    this.sla = props.getWorkflow();
  }

  public OrderWorkflow(NetworkProperties network, IdentitySystems identity, ImagingOrderRule rule,
      AccessionNumbers accessions, ProcedureCodes codes) {
    this.network = network;
    this.identity = identity;
    this.rule = rule;
    this.accessions = accessions;
    this.codes = codes;
  }

  /**
   * Before the order is validated and written, when the workflow takes it up ({@link ImagingOrderRule}):
   * keeps the identifiers of the previous version (a client's update may omit them), assigns the
   * missing ones — the accession number too, as order filler, in the accession system of the
   * organisation the order comes from —, completes the procedure code, and routes it. Any other
   * ServiceRequest is left exactly as sent.
   */
  public void prepare(ServiceRequest sr, ServiceRequest previous, Caller caller) {
    if (!rule.takesUp(sr, previous)) {
      return;
    }
    for (String system : List.of(DICOM_UID, RP_ID, SPS_ID)) {
      if (identifier(sr, system).isEmpty()) {
        Optional<Identifier> kept = previous == null ? Optional.empty() : identifier(previous, system);
        sr.addIdentifier(kept.map(Identifier::copy).orElseGet(() -> newIdentifier(system)));
      }
    }
    if (accession(sr).isEmpty()) {
      Optional<Identifier> kept = previous == null ? Optional.empty() : accession(previous);
      sr.addIdentifier(kept.map(Identifier::copy).orElseGet(() -> newAccession(sr, caller)));
    }
    codes.complete(sr);
    // the worklist's modality: performerType, filled from the procedure code's modality when absent
    if (sr.getPerformerType().getCoding().stream().noneMatch(c -> NetworkResources.DCM.equals(c.getSystem()))) {
      rule.modality(sr).ifPresent(m -> sr.getPerformerType().addCoding(new Coding(NetworkResources.DCM, m, null)));
    }
    if (sr.getStatus() == ServiceRequest.ServiceRequestStatus.ACTIVE && readingOrganization(sr).isEmpty()) {
      route(sr).ifPresent(key -> sr.addPerformer(new Reference(new OrgRef(key).reference())));
    }
  }

  /** Whether the workflow handles this version of the order (see {@link ImagingOrderRule}). */
  public boolean takesUp(ServiceRequest sr, ServiceRequest previous) {
    return rule.takesUp(sr, previous);
  }

  /** The accession number the hub assigns: the caller's organisation, else the one the order names. */
  private Identifier newAccession(ServiceRequest sr, Caller caller) {
    String org = caller != null && caller.organization() != null ? caller.organization()
        : sendingOrganization(sr).orElse(null);
    return new Identifier().setType(new CodeableConcept(new Coding(V2_0203, "ACSN", "Accession ID")))
        .setSystem(identity.accessionSystem(org)).setValue(accessions.next(org));
  }

  private static Optional<Identifier> accession(ServiceRequest sr) {
    return sr.getIdentifier().stream()
        .filter(i -> i.hasValue() && i.getType().hasCoding(V2_0203, "ACSN")).findFirst();
  }

  /** The reading organisation by the first matching rule, else the default; empty when neither. */
  public Optional<String> route(ServiceRequest sr) {
    return route(sendingOrganization(sr).orElse(null), rule.modality(sr).orElse(null),
        sr.hasPriority() ? sr.getPriority().toCode() : null);
  }

  /**
   * The reading organisation for what comes from {@code from} (organisation key) of a modality (DCM
   * code) and priority, any of them null: by the first matching rule, else the default. A study
   * without an order is routed this way, by its sender and modality.
   */
  public Optional<String> route(String from, String modality, String priority) {
    for (NetworkProperties.Rule rule : network.getRouting().getRules()) {
      if (matches(rule.getFrom(), from) && matches(rule.getModality(), modality) && matches(rule.getPriority(), priority)) {
        return Optional.of(rule.getReading());
      }
    }
    String dflt = network.getRouting().getDefaultReading();
    return dflt == null || dflt.isBlank() ? Optional.empty() : Optional.of(dflt);
  }

  /**
   * The order's Task after the order changed: built from the order, keeping the progress the study
   * and the report have made ({@code previous} is the stored Task, or null).
   */
  public Task taskFor(ServiceRequest sr, Task previous) {
    Task task = taskFor(sr);
    if (previous != null && previous.hasRestriction()) {
      task.setRestriction(previous.getRestriction().copy()); // the due time set when the study arrived
    }
    if (previous != null && sr.getStatus() == ServiceRequest.ServiceRequestStatus.ACTIVE) {
      Optional<TaskStage> stage = TaskStage.of(previous);
      TaskStage now = TaskStage.of(task).orElse(TaskStage.AWAITING_ROUTING);
      if (stage.isPresent() && stage.get().ordinal() > now.ordinal()) {
        task.setStatus(previous.getStatus());
        stage.get().setOn(task);
      }
    }
    return task;
  }

  /**
   * The Task once a study for the order is stored: in progress, "study available" (never
   * backwards), due by the reading SLA of its priority at its reading organisation
   * ({@code restriction.period}: from now to the due time).
   */
  public Task afterStudy(Task task) {
    boolean first = TaskStage.of(task).map(s -> !s.reached(TaskStage.STUDY_AVAILABLE)).orElse(true);
    Task t = advance(task, TaskStage.STUDY_AVAILABLE, Task.TaskStatus.INPROGRESS);
    if (first && !t.getRestriction().hasPeriod() && sla != null) {
      java.time.Instant now = java.time.Instant.now();
      String key = OrgRef.parse(t.getOwner().getReference()).map(OrgRef::key).orElse(null);
      java.time.Duration d = sla.slaFor(t.hasPriority() ? t.getPriority().toCode() : null, key);
      t.getRestriction().getPeriod().setStart(java.util.Date.from(now)).setEnd(java.util.Date.from(now.plus(d)));
    }
    return t;
  }

  /** The Task once a report for the order is stored: preliminary (in progress) or final (completed). */
  public Task afterReport(Task task, org.hl7.fhir.r4.model.DiagnosticReport report) {
    if (report.getStatus() == null) {
      return task;
    }
    return switch (report.getStatus()) {
      case PRELIMINARY, PARTIAL -> advance(task, TaskStage.PRELIMINARY_REPORT, Task.TaskStatus.INPROGRESS);
      case FINAL, AMENDED, CORRECTED, APPENDED -> advance(task, TaskStage.FINAL_REPORT, Task.TaskStatus.COMPLETED);
      default -> task;
    };
  }

  private static Task advance(Task task, TaskStage stage, Task.TaskStatus status) {
    if (task.getStatus() == Task.TaskStatus.CANCELLED || task.getStatus() == Task.TaskStatus.ENTEREDINERROR
        || TaskStage.of(task).map(s -> s.reached(stage)).orElse(false)) {
      return task;
    }
    task.setStatus(status);
    stage.setOn(task);
    return task;
  }

  /** The order's Task built from the order alone (id {@code order-<order id>}). */
  public Task taskFor(ServiceRequest sr) {
    Task task = new Task();
    OrderRef order = new OrderRef(sr.getIdElement().getIdPart());
    task.setId(OrderRef.taskId(order.id()));
    task.setStatus(taskStatus(sr));
    task.setIntent(Task.TaskIntent.ORDER);
    task.getCode().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", "Fulfill the focal request"));
    task.setFocus(new Reference(order.reference()));
    task.addBasedOn(new Reference(order.reference()));
    if (sr.hasSubject()) {
      task.setFor(sr.getSubject().copy());
    }
    if (sr.hasRequester()) {
      task.setRequester(sr.getRequester().copy());
    }
    readingOrganization(sr).ifPresent(ref -> task.setOwner(new Reference(ref)));
    (readingOrganization(sr).isPresent() ? TaskStage.ROUTED : TaskStage.AWAITING_ROUTING).setOn(task);
    if (sr.hasAuthoredOn()) {
      task.setAuthoredOnElement(sr.getAuthoredOnElement().copy());
    }
    if (sr.hasPriority()) {
      task.setPriority(Task.TaskPriority.fromCode(sr.getPriority().toCode()));
    }
    return task;
  }

  private static Task.TaskStatus taskStatus(ServiceRequest sr) {
    if (sr.getStatus() == null) {
      return Task.TaskStatus.DRAFT;
    }
    return switch (sr.getStatus()) {
      case DRAFT -> Task.TaskStatus.DRAFT;
      case ACTIVE -> Task.TaskStatus.REQUESTED;
      case ONHOLD -> Task.TaskStatus.ONHOLD;
      case REVOKED -> Task.TaskStatus.CANCELLED;
      case COMPLETED -> Task.TaskStatus.COMPLETED;
      case ENTEREDINERROR -> Task.TaskStatus.ENTEREDINERROR;
      default -> Task.TaskStatus.REQUESTED;
    };
  }

  /** The performer that is an Organization (the reading hospital), as a reference string. */
  public static Optional<String> readingOrganization(ServiceRequest sr) {
    return sr.getPerformer().stream().filter(Reference::hasReference).map(Reference::getReference)
        .filter(r -> r.startsWith("Organization/") || r.contains("/Organization/")).findFirst();
  }

  /** The key of the organisation that placed the order (by its accession number's system, else its requester). */
  public Optional<String> sendingOrganization(ServiceRequest sr) {
    for (Identifier id : sr.getIdentifier()) {
      if (id.getType().getCoding().stream().anyMatch(c -> V2_0203.equals(c.getSystem()) && "ACSN".equals(c.getCode()))) {
        Optional<String> org = identity.orgOfAccessionSystem(id.getSystem());
        if (org.isPresent()) {
          return org;
        }
      }
    }
    String requester = sr.getRequester().getReference();
    return OrgRef.parse(requester).map(OrgRef::key);
  }

  private static boolean matches(String criterion, String value) {
    return criterion == null || criterion.isBlank() || criterion.equalsIgnoreCase(value);
  }

  private static Optional<Identifier> identifier(ServiceRequest sr, String system) {
    return sr.getIdentifier().stream().filter(i -> system.equals(i.getSystem()) && i.hasValue()).findFirst();
  }

  private static Identifier newIdentifier(String system) {
    UUID u = UUID.randomUUID();
    if (DICOM_UID.equals(system)) {
      // a UUID-derived UID under the 2.25 arc (PS3.5 B.2)
      ByteBuffer b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
      return new Identifier().setSystem(system).setValue("urn:oid:2.25." + new BigInteger(1, b.array()));
    }
    // Requested Procedure ID and SPS ID are SH (16 characters at most)
    String hex = Long.toHexString(u.getMostSignificantBits() ^ u.getLeastSignificantBits()).toUpperCase();
    return new Identifier().setSystem(system).setValue((RP_ID.equals(system) ? "RP" : "SP") + hex.substring(0, Math.min(14, hex.length())));
  }
}
