package org.radbridge.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radbridge.server.RadBridgeProperties;
import org.springframework.stereotype.Component;

/**
 * What a client needs to know to get a token — the SMART configuration
 * ({@code [base]/.well-known/smart-configuration}, SMART App Launch 2.x) and the CapabilityStatement's
 * security element: the token endpoint, how clients authenticate, the scopes there are. For the
 * built-in authorization server its endpoints under the server's origin; for an external issuer
 * the endpoints its own OpenID configuration names (read once, when first asked).
 */
@Component
public class SmartConfiguration {
  /** Scopes worth listing; any SMART v2 resource scope of any type works the same way. */
  public static final List<String> SCOPES_SUPPORTED = List.of("system/*.cruds", "system/*.rs", "system/*.read",
      "system/*.write", "system/Patient.cruds", "system/ServiceRequest.cruds", "system/ImagingStudy.rs",
      "system/DiagnosticReport.cruds", "system/Observation.cruds", "system/Task.cruds", "system/Subscription.cruds",
      SmartScopes.ADMIN, SmartScopes.BREAK_GLASS, SmartScopes.AUDIT);

  private final SecurityProperties security;
  private final RadBridgeProperties props;
  private volatile JsonNode external;

  public SmartConfiguration(SecurityProperties security, RadBridgeProperties props) {
    this.security = security;
    this.props = props;
  }

  /** The server's public origin: from radbridge.base-url, else the request's. */
  public String origin(String requestOrigin) {
    if (!props.getBaseUrl().isBlank()) {
      URI base = URI.create(props.getBaseUrl());
      return base.getScheme() + "://" + base.getAuthority();
    }
    return requestOrigin;
  }

  public String tokenEndpoint(String requestOrigin) {
    return security.isBuiltInIssuer() ? origin(requestOrigin) + "/oauth2/token"
        : externalConfiguration().path("token_endpoint").asText(null);
  }

  public Map<String, Object> document(String requestOrigin) {
    Map<String, Object> d = new LinkedHashMap<>();
    if (security.isBuiltInIssuer()) {
      String origin = origin(requestOrigin);
      d.put("issuer", origin);
      d.put("jwks_uri", origin + "/oauth2/jwks");
      d.put("token_endpoint", origin + "/oauth2/token");
    } else {
      JsonNode issuer = externalConfiguration();
      d.put("issuer", security.getIssuerUri());
      d.put("jwks_uri", issuer.path("jwks_uri").asText(null));
      d.put("token_endpoint", issuer.path("token_endpoint").asText(null));
    }
    d.put("token_endpoint_auth_methods_supported", List.of("private_key_jwt", "client_secret_basic"));
    d.put("token_endpoint_auth_signing_alg_values_supported", List.of("RS384", "ES384"));
    d.put("grant_types_supported", List.of("client_credentials"));
    d.put("scopes_supported", SCOPES_SUPPORTED);
    d.put("capabilities", List.of("client-confidential-asymmetric", "client-confidential-symmetric",
        "permission-v1", "permission-v2"));
    return d;
  }

  private JsonNode externalConfiguration() {
    JsonNode known = external;
    if (known != null) {
      return known;
    }
    String url = security.getIssuerUri().replaceAll("/+$", "") + "/.well-known/openid-configuration";
    try {
      HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
          .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("the issuer's OpenID configuration answered " + r.statusCode());
      }
      known = new ObjectMapper().readTree(r.body());
      external = known;
      return known;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the issuer's OpenID configuration cannot be read: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the issuer's OpenID configuration");
    }
  }
}
