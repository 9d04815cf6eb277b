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
  private final java.util.Set<String> ownReaders = new java.util.TreeSet<>();
  private final java.util.Set<String> inheritedReaders = new java.util.TreeSet<>();

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

  /**
   * Organisations that may read the resource because of what it is (who wrote it, whose identifiers
   * it carries, whom an order names); {@code "*"} for every organisation. Set by PREPARE hooks.
   */
  public void addOwnReaders(java.util.Collection<String> orgKeys) {
    ownReaders.addAll(orgKeys);
  }

  /** Organisations that may read it because of what it belongs to (its orders). Set by PREPARE hooks. */
  public void addInheritedReaders(java.util.Collection<String> orgKeys) {
    inheritedReaders.addAll(orgKeys);
  }

  public java.util.Set<String> ownReaders() {
    return java.util.Collections.unmodifiableSet(ownReaders);
  }

  /** Own and inherited readers: what the read SQL joins on. */
  public java.util.Set<String> readers() {
    java.util.Set<String> all = new java.util.TreeSet<>(ownReaders);
    all.addAll(inheritedReaders);
    return all;
  }

  void stored(long resPk, IndexRows index) {
    this.resPk = resPk;
    this.index = index;
  }
}
