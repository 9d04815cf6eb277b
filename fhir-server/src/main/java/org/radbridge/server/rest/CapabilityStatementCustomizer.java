package org.radbridge.server.rest;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.Enumerations;
import org.radbridge.server.search.SearchParamRegistry;
import org.radbridge.server.search.SearchSqlBuilder;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;

/**
 * Completes the CapabilityStatement HAPI derives from the providers with what the bindings cannot
 * say: versioning, update-as-create, patch formats, batch.
 */
public class CapabilityStatementCustomizer {
  private static final java.util.Map<String, String> NETWORK_PROFILES = java.util.Map.of(
      "Patient", org.radbridge.profiles.NetworkProfiles.PATIENT,
      "ServiceRequest", org.radbridge.profiles.NetworkProfiles.SERVICE_REQUEST,
      "ImagingStudy", org.radbridge.profiles.NetworkProfiles.IMAGING_STUDY,
      "DiagnosticReport", org.radbridge.profiles.NetworkProfiles.DIAGNOSTIC_REPORT);
  private final SearchParamRegistry registry;

  public CapabilityStatementCustomizer(SearchParamRegistry registry) {
    this.registry = registry;
  }

  @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
  public void customize(IBaseConformance conformance) {
    CapabilityStatement cs = (CapabilityStatement) conformance;
    cs.getSoftware().setName("RadBridge").setVersion(getClass().getPackage().getImplementationVersion());
    cs.setFormat(java.util.List.of(new org.hl7.fhir.r4.model.CodeType("application/fhir+json"),
        new org.hl7.fhir.r4.model.CodeType("application/fhir+xml")));
    cs.setPatchFormat(java.util.List.of(new org.hl7.fhir.r4.model.CodeType("application/json-patch+json"),
        new org.hl7.fhir.r4.model.CodeType("application/fhir+json"),
        new org.hl7.fhir.r4.model.CodeType("application/fhir+xml")));
    for (var rest : cs.getRest()) {
      // HAPI derives "transaction" from the @Transaction method; the same method runs batch Bundles
      if (rest.getInteraction().stream()
          .noneMatch(i -> i.getCode() == CapabilityStatement.SystemRestfulInteraction.BATCH)) {
        rest.addInteraction().setCode(CapabilityStatement.SystemRestfulInteraction.BATCH);
      }
      // subscriptions: the R4 websocket channel's address, and the backport topics this server has
      rest.addExtension("http://hl7.org/fhir/StructureDefinition/capabilitystatement-websocket",
          new org.hl7.fhir.r4.model.UriType(org.radbridge.server.subscription.WebSocketConfiguration.PATH));
      for (var topic : org.radbridge.server.subscription.NetworkTopics.ALL) {
        rest.addExtension(org.radbridge.server.subscription.SubscriptionSpec.BACKPORT + "capabilitystatement-subscriptiontopic-canonical",
            new org.hl7.fhir.r4.model.CanonicalType(topic.url()));
      }
      for (CapabilityStatementRestResourceComponent r : rest.getResource()) {
        r.setVersioning(CapabilityStatement.ResourceVersionPolicy.VERSIONEDUPDATE);
        r.setReadHistory(true);
        r.setUpdateCreate(true);
        r.setConditionalCreate(true);
        r.setConditionalUpdate(true);
        r.setConditionalDelete(CapabilityStatement.ConditionalDeleteStatus.SINGLE);
        r.setConditionalRead(CapabilityStatement.ConditionalReadStatus.NOTSUPPORTED);
        // the network profiles this server validates against (resources claiming them are checked on write)
        String profile = NETWORK_PROFILES.get(r.getType());
        if (profile != null && r.getSupportedProfile().stream().noneMatch(c -> profile.equals(c.getValue()))) {
          r.addSupportedProfile(profile);
        }
        // every search parameter of the type (HAPI cannot see them through the generic method)
        r.getSearchParam().clear();
        for (SearchParamRegistry.IndexedParam p : registry.paramsFor(r.getType()).values()) {
          if (!SearchSqlBuilder.isSearchable(p)) {
            continue;
          }
          r.addSearchParam().setName(p.name())
              .setType(Enumerations.SearchParamType.fromCode(p.param().getParamType().getCode()))
              .setDocumentation(p.param().getDescription());
        }
      }
    }
  }
}
