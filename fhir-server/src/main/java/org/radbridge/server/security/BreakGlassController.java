package org.radbridge.server.security;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.radbridge.server.write.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Breaking the glass (README "Break-glass"): a person whose token holds
 * {@value SmartScopes#BREAK_GLASS} posts the reason ({@code reason}, form or query parameter) and,
 * for the rest of that token's life, reads and writes beyond their organisation; everything they
 * touch is listed for review ({@link BreakGlassTrail}, {@code /admin/break-glass}). {@code GET}
 * says whether the caller's token is in a session.
 */
@RestController
@RequestMapping("/break-glass")
public class BreakGlassController {
  private static final Logger log = LoggerFactory.getLogger(BreakGlassController.class);
  static final int MIN_REASON = 10;
  static final int MAX_REASON = 1000;

  private final RestCallers callers;
  private final BreakGlassSessions sessions;

  public BreakGlassController(RestCallers callers, BreakGlassSessions sessions) {
    this.callers = callers;
    this.sessions = sessions;
  }

  @PostMapping
  public ResponseEntity<?> start(@RequestParam(required = false) String reason) {
    Caller caller = callers.current();
    if (caller.kind() != Caller.Kind.USER) {
      return refuse(HttpStatus.FORBIDDEN, "break-glass is for a person logged in (a user token), not for " + caller.kind());
    }
    if (!caller.scopes().contains(SmartScopes.BREAK_GLASS)) {
      return refuse(HttpStatus.FORBIDDEN, "the token does not hold the scope " + SmartScopes.BREAK_GLASS);
    }
    String why = reason == null ? "" : reason.strip();
    if (why.length() < MIN_REASON || why.length() > MAX_REASON) {
      return refuse(HttpStatus.BAD_REQUEST, "a reason of " + MIN_REASON + " to " + MAX_REASON
          + " characters is required (the parameter reason)");
    }
    if (why.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\t')) {
      return refuse(HttpStatus.BAD_REQUEST, "the reason holds control characters");
    }
    JwtAuthenticationToken token = (JwtAuthenticationToken) SecurityContextHolder.getContext().getAuthentication();
    Instant expires = token.getToken().getExpiresAt();
    if (expires == null) {
      return refuse(HttpStatus.BAD_REQUEST, "the token has no expiry; a break-glass session lasts as long as its token");
    }
    long id = sessions.start(token.getToken().getTokenValue(), caller.name(), caller.organization(), why, expires);
    log.warn("Break-glass session {} started by {} of {} until {}: {}", id, caller.name(), caller.organization(),
        expires, why);
    // the audit trail records this request (audit/RestAuditFilter) and takes the reason from here
    org.springframework.web.context.request.RequestContextHolder.currentRequestAttributes().setAttribute(
        "radbridge.audit.detail", "break-glass session " + id + " until " + expires + ": " + why,
        org.springframework.web.context.request.RequestAttributes.SCOPE_REQUEST);
    return ResponseEntity.status(HttpStatus.CREATED).body(describe(id, why, expires));
  }

  @GetMapping
  public ResponseEntity<?> current() {
    Caller caller = callers.current();
    if (caller.breakGlass() == null) {
      return refuse(HttpStatus.NOT_FOUND, "this token is in no break-glass session");
    }
    return sessions.get(caller.breakGlass()).<ResponseEntity<?>>map(s -> ResponseEntity.ok(describe(s.id(), s.reason(),
        s.expiresAt()))).orElseGet(() -> refuse(HttpStatus.NOT_FOUND, "this token is in no break-glass session"));
  }

  private static Map<String, Object> describe(long id, String reason, Instant expires) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("session", id);
    m.put("reason", reason);
    m.put("expires_at", expires.toString());
    return m;
  }

  private static ResponseEntity<?> refuse(HttpStatus status, String why) {
    return ResponseEntity.status(status).body(Map.of("error", why));
  }
}
