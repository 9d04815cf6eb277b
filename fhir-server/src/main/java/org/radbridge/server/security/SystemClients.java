package org.radbridge.server.security;

import java.util.Collection;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * A SMART Backend Services client as the built-in authorization server stores it: client
 * credentials with a {@code private_key_jwt} assertion checked against its JWK Set (by value or
 * URL), acting for one organisation. Both ways of registering one (configuration and
 * {@code /admin/clients}) build it here.
 */
final class SystemClients {
  private SystemClients() {}

  static TokenSettings tokenSettings(SecurityProperties security) {
    return TokenSettings.builder().accessTokenTimeToLive(security.getTokenLifetime())
        .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED).build();
  }

  /** {@code existingId}: the stored row's id when the client is already registered (its id stays). */
  static RegisteredClient build(String existingId, String clientId, String organization, Collection<String> scopes,
      String jwks, String jwksUri, SecurityProperties security) {
    ClientSettings.Builder settings = ClientSettings.builder().requireAuthorizationConsent(false);
    if (organization != null && !organization.isBlank()) {
      settings.setting(ClientRegistrations.ORGANIZATION_SETTING, organization);
    }
    if (jwks != null && !jwks.isBlank()) {
      settings.setting(ClientAssertionDecoders.JWKS_SETTING, jwks);
    }
    if (jwksUri != null && !jwksUri.isBlank()) {
      settings.jwkSetUrl(jwksUri);
    }
    return RegisteredClient.withId(existingId != null ? existingId : "client-" + clientId)
        .clientId(clientId).clientName(clientId)
        .clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
        .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
        .scopes(s -> s.addAll(scopes))
        .clientSettings(settings.build()).tokenSettings(tokenSettings(security)).build();
  }

  static String organizationOf(RegisteredClient client) {
    return client.getClientSettings().getSetting(ClientRegistrations.ORGANIZATION_SETTING);
  }
}
