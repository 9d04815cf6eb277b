package org.radbridge.server.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.network.NetworkProperties;
import org.radbridge.server.store.OwnerOnlyFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * The clients the built-in authorization server knows at start: every {@code radbridge.network.clients}
 * entry (SMART Backend Services, {@code private_key_jwt}), registered or brought up to date, and the
 * bootstrap administrator ({@value #ADMIN_CLIENT_ID}, {@code client_secret_basic}, every scope),
 * whose id and secret are written to {@code <data-dir>/admin-client.json} (rw-------) by the node that
 * first registers it in the database, or by a node started with
 * {@code radbridge.security.reset-admin-secret=true} (a lost secret).
 */
final class ClientRegistrations {
  private static final Logger log = LoggerFactory.getLogger(ClientRegistrations.class);
  static final String ADMIN_CLIENT_ID = "radbridge-admin";
  static final String ADMIN_FILE = "admin-client.json";
  static final String CONSOLE_CLIENT_ID = "radbridge-console";
  /** The organisation a client acts for, carried into its tokens. */
  static final String ORGANIZATION_SETTING = "radbridge.organization";

  private ClientRegistrations() {}

  static void register(RegisteredClientRepository repository, NetworkProperties network, RadBridgeProperties props,
      SecurityProperties security) {
    TokenSettings tokens = SystemClients.tokenSettings(security);
    for (NetworkProperties.Client c : network.getClients()) {
      if ((c.getOrganization() == null || c.getOrganization().isBlank()) && !c.getScopes().contains(SmartScopes.ADMIN)) {
        throw new IllegalStateException("radbridge.network.clients: client " + c.getClientId()
            + " names no organisation; only a client with the scope " + SmartScopes.ADMIN + " may act for none");
      }
      RegisteredClient existing = repository.findByClientId(c.getClientId());
      repository.save(SystemClients.build(existing != null ? existing.getId() : null, c.getClientId(),
          c.getOrganization(), c.getScopes(), c.getJwks(), c.getJwksUri(), security));
    }
    if (!security.getConsoleRedirectUris().isEmpty()) {
      // the console: a public client (a browser page keeps no secret) with PKCE, for people
      RegisteredClient existing = repository.findByClientId(CONSOLE_CLIENT_ID);
      repository.save(RegisteredClient.withId(existing != null ? existing.getId() : "client-" + CONSOLE_CLIENT_ID)
          .clientId(CONSOLE_CLIENT_ID).clientName("RadBridge console")
          .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
          .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
          .redirectUris(u -> u.addAll(security.getConsoleRedirectUris()))
          .scopes(s -> s.addAll(UserAccounts.CONSOLE_SCOPES))
          .clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
          .tokenSettings(tokens).build());
    }
    Path file = Path.of(props.getDataDir(), ADMIN_FILE).toAbsolutePath();
    RegisteredClient existing = repository.findByClientId(ADMIN_CLIENT_ID);
    // made once per database, its secret written by the node that made it; another node on the same
    // database leaves it alone (its file stays where it was written) unless told to reset it
    if (existing == null || security.isResetAdminSecret()) {
      String secret = randomSecret();
      repository.save(RegisteredClient.withId(existing != null ? existing.getId() : "client-" + ADMIN_CLIENT_ID)
          .clientId(ADMIN_CLIENT_ID).clientName("RadBridge administrator (bootstrap)")
          .clientSecret(PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(secret))
          .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
          .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
          .scopes(s -> s.addAll(SmartScopes.EVERYTHING))
          .clientSettings(ClientSettings.builder().requireAuthorizationConsent(false).build())
          .tokenSettings(tokens).build());
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("client_id", ADMIN_CLIENT_ID);
      json.put("client_secret", secret);
      json.put("token_endpoint", "/oauth2/token");
      json.put("scope", String.join(" ", SmartScopes.EVERYTHING));
      writeOwnerOnly(file, json);
      log.info("Bootstrap administrator client '{}' {}; its secret is in {}", ADMIN_CLIENT_ID,
          existing == null ? "registered" : "given a new secret (radbridge.security.reset-admin-secret)", file);
    } else if (!Files.exists(file)) {
      log.info("Bootstrap administrator client '{}' exists; its secret is in the {} of the node that made it"
          + " (start once with radbridge.security.reset-admin-secret=true to write a new one here)", ADMIN_CLIENT_ID,
          ADMIN_FILE);
    }
  }

  private static String randomSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static void writeOwnerOnly(Path target, Map<String, Object> json) {
    try {
      OwnerOnlyFiles.write(target, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }
}
