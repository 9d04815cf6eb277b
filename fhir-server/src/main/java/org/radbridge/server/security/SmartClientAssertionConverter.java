package org.radbridge.server.security;

import com.nimbusds.jwt.SignedJWT;
import jakarta.servlet.http.HttpServletRequest;
import java.text.ParseException;
import java.util.HashMap;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * A SMART Backend Services token request carries no {@code client_id} (RFC 7523 makes it optional;
 * the assertion's {@code sub} names the client), where Spring Authorization Server's own converter
 * requires one. This reads the client id from the (not yet verified) assertion; the assertion is then
 * verified like any other against that client's keys ({@link ClientAssertionDecoders}). Requests
 * with a {@code client_id} go to Spring's converter unchanged.
 */
final class SmartClientAssertionConverter implements AuthenticationConverter {
  private static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  @Override
  public Authentication convert(HttpServletRequest request) {
    String type = request.getParameter("client_assertion_type");
    String assertion = request.getParameter("client_assertion");
    if (!JWT_BEARER.equals(type) || assertion == null || request.getParameter("client_id") != null) {
      return null;
    }
    String clientId;
    try {
      clientId = SignedJWT.parse(assertion).getJWTClaimsSet().getSubject();
    } catch (ParseException e) {
      throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT,
          "client_assertion is not a signed JWT", null));
    }
    if (clientId == null || clientId.isBlank()) {
      throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT,
          "client_assertion has no sub naming the client", null));
    }
    Map<String, Object> additional = new HashMap<>();
    request.getParameterMap().forEach((name, values) -> {
      if (!name.equals("client_assertion_type") && !name.equals("client_assertion") && values.length > 0) {
        additional.put(name, values.length == 1 ? values[0] : values);
      }
    });
    // the method Spring's own converter names (the assertion type); its provider then requires private_key_jwt
    return new OAuth2ClientAuthenticationToken(clientId, new ClientAuthenticationMethod(JWT_BEARER), assertion,
        additional);
  }
}
