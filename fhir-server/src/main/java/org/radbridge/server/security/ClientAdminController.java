package org.radbridge.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.network.NetworkProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Registering SMART Backend Services clients through the API (README "Security"), next to
 * {@code radbridge.network.clients}: {@code PUT /admin/clients/{id}} with the organisation, scopes and
 * public keys (a JWK Set or its URL), {@code GET} to list, {@code DELETE} to remove. Needs
 * {@value SmartScopes#ADMIN} (SecurityConfiguration). Clients from the configuration, the bootstrap
 * administrator and the console are the configuration's: they are listed but not changed here.
 * Only with the built-in authorization server; an external issuer registers its own clients.
 */
@RestController
@RequestMapping("/admin/clients")
@ConditionalOnExpression("'${radbridge.security.issuer-uri:}'.isEmpty()")
public class ClientAdminController {
  private static final Logger log = LoggerFactory.getLogger(ClientAdminController.class);
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9\\-._~]{1,100}");
  /** Loopback by its spelling alone: no name lookup for what an administrator typed. */
  private static final Pattern LOOPBACK = Pattern.compile("localhost|127(\\.\\d{1,3}){3}|\\[::1\\]");
  private static final int MAX_SCOPES = 50;
  private static final int MAX_JWKS_CHARS = 64 * 1024;

  private final RegisteredClientRepository repository;
  private final JdbcTemplate jdbc;
  private final NetworkDirectory directory;
  private final NetworkProperties network;
  private final SecurityProperties security;

  public ClientAdminController(RegisteredClientRepository repository, JdbcTemplate jdbc, NetworkDirectory directory,
      NetworkProperties network, SecurityProperties security) {
    this.repository = repository;
    this.jdbc = jdbc;
    this.directory = directory;
    this.network = network;
    this.security = security;
  }

  @GetMapping
  public List<Map<String, Object>> list() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String id : jdbc.queryForList("SELECT client_id FROM oauth2_registered_client ORDER BY client_id", String.class)) {
      RegisteredClient c = repository.findByClientId(id);
      if (c != null) {
        out.add(describe(c));
      }
    }
    return out;
  }

  @GetMapping("/{clientId}")
  public ResponseEntity<?> read(@PathVariable String clientId) {
    RegisteredClient c = repository.findByClientId(clientId);
    return c == null ? notFound(clientId) : ResponseEntity.ok(describe(c));
  }

  /** Registers the client or replaces its organisation, scopes and keys (its tokens already issued stay valid until they expire). */
  @PutMapping("/{clientId}")
  @Transactional
  public ResponseEntity<?> put(@PathVariable String clientId, @RequestBody JsonNode body) {
    if (!CLIENT_ID.matcher(clientId).matches()) {
      return bad("client id must be 1-100 of A-Z a-z 0-9 - . _ ~");
    }
    if (isConfigured(clientId)) {
      return conflict(clientId);
    }
    if (body == null || !body.isObject()) {
      return bad("the body must be a JSON object with organization, scopes and jwks or jwks_uri");
    }
    List<String> scopes = new ArrayList<>();
    JsonNode s = body.path("scopes");
    if (!s.isArray() || s.isEmpty() || s.size() > MAX_SCOPES) {
      return bad("scopes must be a list of 1-" + MAX_SCOPES + " SMART scopes");
    }
    for (JsonNode scope : s) {
      if (!scope.isTextual() || !(SmartScopes.ADMIN.equals(scope.asText()) || SmartScopes.parse(scope.asText()) != null)) {
        return bad("not a scope RadBridge grants: " + scope);
      }
      scopes.add(scope.asText());
    }
    String organization = text(body, "organization");
    if (organization == null && !scopes.contains(SmartScopes.ADMIN)) {
      return bad("organization is required (only a client with the scope " + SmartScopes.ADMIN + " may act for none)");
    }
    if (organization != null && !directory.organizationKeys().contains(organization)) {
      return bad("organization '" + organization + "' is not an organisation of the network");
    }
    String jwks = body.hasNonNull("jwks") ? (body.get("jwks").isTextual() ? body.get("jwks").asText() : body.get("jwks").toString()) : null;
    String jwksUri = text(body, "jwks_uri");
    if ((jwks == null) == (jwksUri == null)) {
      return bad("give the client's public keys as exactly one of jwks (a JWK Set) or jwks_uri");
    }
    String keyProblem = jwks != null ? publicKeysProblem(jwks) : uriProblem(jwksUri);
    if (keyProblem != null) {
      return bad(keyProblem);
    }
    RegisteredClient existing = repository.findByClientId(clientId);
    repository.save(SystemClients.build(existing != null ? existing.getId() : null, clientId, organization, scopes,
        jwks, jwksUri, security));
    log.info("Client '{}' {} through the API: organisation {}, scopes {}", clientId,
        existing == null ? "registered" : "changed", organization, scopes);
    RegisteredClient saved = repository.findByClientId(clientId);
    return ResponseEntity.status(existing == null ? HttpStatus.CREATED : HttpStatus.OK).body(describe(saved));
  }

  @DeleteMapping("/{clientId}")
  @Transactional
  public ResponseEntity<?> delete(@PathVariable String clientId) {
    if (isConfigured(clientId)) {
      return conflict(clientId);
    }
    RegisteredClient c = repository.findByClientId(clientId);
    if (c == null) {
      return notFound(clientId);
    }
    jdbc.update("DELETE FROM oauth2_authorization WHERE registered_client_id = ?", c.getId());
    jdbc.update("DELETE FROM oauth2_registered_client WHERE id = ?", c.getId());
    log.info("Client '{}' removed through the API", clientId);
    return ResponseEntity.noContent().build();
  }

  private boolean isConfigured(String clientId) {
    return ClientRegistrations.ADMIN_CLIENT_ID.equals(clientId) || ClientRegistrations.CONSOLE_CLIENT_ID.equals(clientId)
        || network.getClients().stream().anyMatch(c -> c.getClientId().equals(clientId));
  }

  private Map<String, Object> describe(RegisteredClient c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("client_id", c.getClientId());
    m.put("organization", SystemClients.organizationOf(c));
    m.put("scopes", c.getScopes().stream().sorted().toList());
    m.put("authentication", c.getClientAuthenticationMethods().stream().map(a -> a.getValue()).sorted().toList());
    m.put("grant_types", c.getAuthorizationGrantTypes().stream().map(g -> g.getValue()).sorted().toList());
    if (c.getClientSettings().getJwkSetUrl() != null) {
      m.put("jwks_uri", c.getClientSettings().getJwkSetUrl());
    }
    String jwks = c.getClientSettings().getSetting(ClientAssertionDecoders.JWKS_SETTING);
    if (jwks != null) {
      m.put("jwks", jwks); // public keys only: put refuses private parts
    }
    m.put("source", isConfigured(c.getClientId()) ? "configuration" : "api");
    return m;
  }

  /** A JWK Set of public RSA or EC keys, each with a kid: what a client assertion can be checked against. */
  private static String publicKeysProblem(String jwks) {
    if (jwks.length() > MAX_JWKS_CHARS) {
      return "jwks is longer than " + MAX_JWKS_CHARS + " characters";
    }
    try {
      JWKSet set = JWKSet.parse(jwks);
      if (set.getKeys().isEmpty()) {
        return "jwks holds no key";
      }
      for (JWK key : set.getKeys()) {
        if (key.isPrivate()) {
          return "jwks must hold public keys only: key " + key.getKeyID() + " has its private part";
        }
        if (!(key instanceof com.nimbusds.jose.jwk.RSAKey) && !(key instanceof com.nimbusds.jose.jwk.ECKey)) {
          return "jwks: key " + key.getKeyID() + " is " + key.getKeyType() + "; RS384 needs RSA and ES384 EC keys";
        }
      }
      return null;
    } catch (java.text.ParseException e) {
      return "jwks is not a JWK Set: " + e.getMessage();
    }
  }

  /** https, or http on this machine only (a test or a local key server). */
  private static String uriProblem(String uri) {
    try {
      URI u = URI.create(uri);
      if ("https".equals(u.getScheme()) && u.getHost() != null) {
        return null;
      }
      if ("http".equals(u.getScheme()) && u.getHost() != null && LOOPBACK.matcher(u.getHost()).matches()) {
        return null;
      }
      return "jwks_uri must be an https URL (http only on loopback)";
    } catch (IllegalArgumentException e) {
      return "jwks_uri is not a URL: " + uri;
    }
  }

  private static String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    return n != null && n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
  }

  private static ResponseEntity<?> bad(String why) {
    return ResponseEntity.badRequest().body(Map.of("error", why));
  }

  private static ResponseEntity<?> notFound(String clientId) {
    return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no client " + clientId));
  }

  private static ResponseEntity<?> conflict(String clientId) {
    return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", "client " + clientId
        + " is registered by the configuration (radbridge.network.clients or the built-in clients); change it there"));
  }
}
