package org.radbridge.server.workflow;

import java.util.Optional;
import org.hl7.fhir.r4.model.Task;

/**
 * The business status of an order's Task ({@code Task.businessStatus.text}), in the order the loop
 * reaches them. A Task never goes back to an earlier stage while its order is active.
 */
public enum TaskStage {
  AWAITING_ROUTING("awaiting routing"),
  ROUTED("routed"),
  STUDY_AVAILABLE("study available"),
  PRELIMINARY_REPORT("preliminary report"),
  FINAL_REPORT("final report");

  private final String text;

  TaskStage(String text) {
    this.text = text;
  }

  /** The text stored in the Task (what people and clients read). */
  public String text() {
    return text;
  }

  public static Optional<TaskStage> of(String text) {
    for (TaskStage s : values()) {
      if (s.text.equals(text)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The Task's stage, if its business status is one of these. */
  public static Optional<TaskStage> of(Task task) {
    return of(task.getBusinessStatus().getText());
  }

  /** Whether this stage is {@code other} or later. */
  public boolean reached(TaskStage other) {
    return ordinal() >= other.ordinal();
  }

  public void setOn(Task task) {
    task.getBusinessStatus().setText(text);
  }
}
