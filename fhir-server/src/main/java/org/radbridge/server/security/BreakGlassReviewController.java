package org.radbridge.server.security;

import java.util.LinkedHashMap;
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
 * The reviewer's side of break-glass ({@code /admin}, so {@value SmartScopes#ADMIN}): the sessions
 * (unreviewed first), one session with everything it touched, and marking it reviewed.
 */
@RestController
@RequestMapping("/admin/break-glass")
public class BreakGlassReviewController {
  private final BreakGlassSessions sessions;
  private final RestCallers callers;

  public BreakGlassReviewController(BreakGlassSessions sessions, RestCallers callers) {
    this.sessions = sessions;
    this.callers = callers;
  }

  @GetMapping
  public ResponseEntity<?> list(@RequestParam(defaultValue = "false") boolean unreviewed,
      @RequestParam(defaultValue = "100") int limit) {
    if (limit < 1 || limit > 1000) {
      return ResponseEntity.badRequest().body(Map.of("error", "limit must be 1..1000"));
    }
    return ResponseEntity.ok(sessions.list(unreviewed, limit));
  }

  @GetMapping("/{id}")
  public ResponseEntity<?> read(@PathVariable long id, @RequestParam(defaultValue = "1000") int limit) {
    if (limit < 1 || limit > 10_000) {
      return ResponseEntity.badRequest().body(Map.of("error", "limit must be 1..10000"));
    }
    return sessions.get(id).<ResponseEntity<?>>map(s -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("session", s);
      List<Map<String, Object>> touched = sessions.accesses(id, limit);
      m.put("touched", touched);
      return ResponseEntity.ok(m);
    }).orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no break-glass session " + id)));
  }

  @PostMapping("/{id}/reviewed")
  public ResponseEntity<?> reviewed(@PathVariable long id) {
    if (sessions.get(id).isEmpty()) {
      return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no break-glass session " + id));
    }
    if (!sessions.markReviewed(id, callers.current().name())) {
      return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", "session " + id + " was reviewed already"));
    }
    return ResponseEntity.ok(sessions.get(id).orElseThrow());
  }
}
