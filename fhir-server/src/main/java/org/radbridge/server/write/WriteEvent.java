package org.radbridge.server.write;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.radbridge.server.store.IndexRows;

/**
 * One write as the hooks see it. {@code resource} is what will be (or was) stored — a PREPARE hook
 * may change it — and null for a delete; {@code previous} is the stored version before (null for a
 * create). {@code resPk} and {@code index} are set once the rows are written (PRE_COMMIT on).
 */
public final class WriteEvent {
  /** What the write does. {@code LOAD} is the server storing its own shipped resources. */
  public enum Operation { CREATE, UPDATE, PATCH, DELETE, LOAD }

  private final String type;
  private final String id;
  private final Operation operation;
  private final IBaseResource previous;
  private final IBaseResource resource;
  private final Caller caller;
  private final List<OperationOutcome.OperationOutcomeIssueComponent> warnings = new ArrayList<>();
  private long resPk;
  private IndexRows index;

  WriteEvent(String type, String id, Operation operation, IBaseResource previous, IBaseResource resource,
      Caller caller) {
    this.caller = caller;
    this.type = type;
    this.id = id;
    this.operation = operation;
    this.previous = previous;
    this.resource = resource;
  }

  public String type() {
    return type;
  }

  public String id() {
    return id;
  }

  public Operation operation() {
    return operation;
  }

  public IBaseResource previous() {
    return previous;
  }

  public IBaseResource resource() {
    return resource;
  }

  /** Who asked for the write (a follow-up write, such as an order's Task, carries its trigger's caller). */
  public Caller caller() {
    return caller;
  }

  public long resPk() {
    return resPk;
  }

  public IndexRows index() {
    return index;
  }

  public List<OperationOutcome.OperationOutcomeIssueComponent> warnings() {
    return warnings;
  }

  void stored(long resPk, IndexRows index) {
    this.resPk = resPk;
    this.index = index;
  }
}
