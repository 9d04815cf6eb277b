package org.radbridge.server.outbox;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The outbox's admin API (README "Outbox"): list rows, per-destination counts, replay dead rows,
 * discard a row. Plain JSON, not FHIR: these are operations on delivery, not on resources.
 */
@RestController
@RequestMapping("/admin/outbox")
public class OutboxAdminController {
  private static final List<String> STATES = List.of("pending", "delivered", "dead", "discarded");
  private final OutboxRows rows;
  private final OutboxWorker worker;

  public OutboxAdminController(OutboxRows rows, OutboxWorker worker) {
    this.rows = rows;
    this.worker = worker;
  }

  @GetMapping
  public ResponseEntity<?> list(@RequestParam(required = false) String state,
      @RequestParam(required = false) String destination, @RequestParam(defaultValue = "100") int limit) {
    if (state != null && !STATES.contains(state)) {
      return ResponseEntity.badRequest().body(Map.of("error", "state must be one of " + STATES));
    }
    if (limit < 1 || limit > 1000) {
      return ResponseEntity.badRequest().body(Map.of("error", "limit must be 1..1000"));
    }
    return ResponseEntity.ok(rows.list(state, destination, limit));
  }

  @GetMapping("/summary")
  public List<OutboxRows.DestinationStats> summary() {
    return rows.stats();
  }

  @PostMapping("/{id}/replay")
  public ResponseEntity<?> replay(@PathVariable long id) {
    int n = rows.replay(id, null);
    if (n == 0) {
      return notReplayable(id);
    }
    worker.wake();
    return ResponseEntity.ok(Map.of("replayed", n));
  }

  /** Every dead or discarded row of a destination back to pending. */
  @PostMapping("/replay")
  public ResponseEntity<?> replayDestination(@RequestParam String destination) {
    int n = rows.replay(null, destination);
    worker.wake();
    return ResponseEntity.ok(Map.of("replayed", n));
  }

  @PostMapping("/{id}/discard")
  public ResponseEntity<?> discard(@PathVariable long id) {
    int n = rows.discard(id);
    if (n == 0) {
      return rows.find(id).<ResponseEntity<?>>map(r -> ResponseEntity.status(HttpStatus.CONFLICT)
          .body(Map.of("error", "row " + id + " is " + r.state() + "; only pending or dead rows can be discarded")))
          .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no outbox row " + id)));
    }
    return ResponseEntity.ok(Map.of("discarded", n));
  }

  private ResponseEntity<?> notReplayable(long id) {
    return rows.find(id).<ResponseEntity<?>>map(r -> ResponseEntity.status(HttpStatus.CONFLICT)
        .body(Map.of("error", "row " + id + " is " + r.state() + "; only dead or discarded rows can be replayed")))
        .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no outbox row " + id)));
  }
}
