package org.radbridge.server.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;

/**
 * The CapabilityStatement's {@code rest.security}: SMART on FHIR, the token endpoint (SMART's
 * oauth-uris extension) and which scopes exist. Absent with security off.
 */
public class CapabilityStatementSecurity {
  private static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";
  private final SmartConfiguration smart;
  private final SecurityProperties security;

  public CapabilityStatementSecurity(SmartConfiguration smart, SecurityProperties security) {
    this.smart = smart;
    this.security = security;
  }

  @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
  public void describe(IBaseConformance conformance, RequestDetails request) {
    if (!security.isEnabled()) {
      return;
    }
    String base = request == null ? "" : request.getFhirServerBase();
    String origin = base.endsWith("/fhir") ? base.substring(0, base.length() - "/fhir".length()) : base;
    for (CapabilityStatement.CapabilityStatementRestComponent rest : ((CapabilityStatement) conformance).getRest()) {
      CapabilityStatement.CapabilityStatementRestSecurityComponent s = rest.getSecurity();
      s.setCors(false);
      s.addService(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(
          "http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART-on-FHIR")));
      Extension uris = s.addExtension().setUrl(OAUTH_URIS);
      String token = smart.tokenEndpoint(origin);
      if (token != null) {
        uris.addExtension("token", new UriType(token));
      }
      s.setDescription("Every request but this CapabilityStatement needs an OAuth2 bearer token (SMART Backend"
          + " Services: client_credentials with a private_key_jwt assertion, RS384 or ES384; see"
          + " .well-known/smart-configuration). SMART v2 scopes decide the interactions on each type ("
          + "system/<Type>.cruds, with the v1 .read/.write accepted); the network directory and conformance"
          + " resources, /admin and metrics need " + SmartScopes.ADMIN + ". Scopes: "
          + String.join(", ", SmartConfiguration.SCOPES_SUPPORTED) + ".");
    }
  }
}
