package org.radbridge.server.rest;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.ETagSupportEnum;
import ca.uhn.fhir.rest.server.HardcodedServerAddressStrategy;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ServerCapabilityStatementProvider;
import java.util.ArrayList;
import java.util.List;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.terminology.NetworkConformance;
import org.radbridge.server.validation.WriteValidation;

/** HAPI's plain RestfulServer at /fhir, with one generic provider per R4 resource type. */
public class FhirRestServlet extends RestfulServer {
  private final transient ResourceWriter writer;
  private final transient ResourceReader reader;
  private final transient HistoryPages history;
  private final transient SearchPages search;
  private final transient org.radbridge.server.bundle.BundleProcessor bundles;
  private final transient RadBridgeProperties props;
  private final transient WriteValidation validation;
  private final transient NetworkConformance conformance;
  private final transient LinkSigner signer;
  private final transient org.radbridge.server.security.RestCallers callers;
  private final transient org.radbridge.server.security.RestScopeCheck scopeCheck;

  public FhirRestServlet(FhirContext ctx, ResourceWriter writer, ResourceReader reader, HistoryPages history,
      SearchPages search, org.radbridge.server.bundle.BundleProcessor bundles, RadBridgeProperties props,
      WriteValidation validation, NetworkConformance conformance,
      org.radbridge.server.subscription.EventNumbers subscriptionEvents,
      org.radbridge.server.workflow.WorklistProvider worklist, org.radbridge.server.workflow.TurnaroundProvider turnaround,
      LinkSigner signer, org.radbridge.server.security.RestCallers callers,
      org.radbridge.server.security.RestScopeCheck scopeCheck) {
    super(ctx);
    this.callers = callers;
    this.scopeCheck = scopeCheck;
    this.signer = signer;
    this.worklist = worklist;
    this.turnaround = turnaround;
    this.subscriptionEvents = subscriptionEvents;
    this.validation = validation;
    this.conformance = conformance;
    this.writer = writer;
    this.reader = reader;
    this.history = history;
    this.search = search;
    this.bundles = bundles;
    this.props = props;
  }

  /** Providers of types the generic provider does not serve (AuditEvent), added before the servlet starts. */
  private final transient List<IResourceProvider> ownProviders = new ArrayList<>();

  public void addResourceProvider(IResourceProvider provider) {
    ownProviders.add(provider);
  }

  private final org.radbridge.server.subscription.EventNumbers subscriptionEvents;
  private final org.radbridge.server.workflow.WorklistProvider worklist;
  private final org.radbridge.server.workflow.TurnaroundProvider turnaround;

  @Override
  protected void initialize() {
    setServerName("RadBridge");
    setImplementationDescription("RadBridge FHIR R4 server");
    setDefaultResponseEncoding(EncodingEnum.JSON);
    setDefaultPrettyPrint(false);
    setETagSupport(ETagSupportEnum.ENABLED);
    if (!props.getBaseUrl().isBlank()) {
      setServerAddressStrategy(new HardcodedServerAddressStrategy(props.getBaseUrl()));
    }
    setPagingProvider(new StatelessPagingProvider(props, history, search, signer, scopeCheck));
    // HAPI's per-type list of every possible _revinclude walks all types' parameters for each of the
    // 146 types on every CapabilityStatement; _revinclude works on any reference parameter anyway
    ServerCapabilityStatementProvider capabilities = new ServerCapabilityStatementProvider(this);
    capabilities.setRestResourceRevIncludesEnabled(false);
    setServerConformanceProvider(capabilities);

    List<IResourceProvider> providers = new ArrayList<>();
    FhirContext ctx = getFhirContext();
    for (String type : ctx.getResourceTypes()) {
      if ("AuditEvent".equals(type)) {
        continue; // the audit trail's own provider: read and search, never written (audit/AuditEventProvider)
      }
      RuntimeResourceDefinition def = ctx.getResourceDefinition(type);
      providers.add(new GenericResourceProvider(def.getImplementingClass(), type, writer, reader, history, search,
          validation, callers));
    }
    providers.addAll(ownProviders);
    setResourceProviders(providers);
    registerProvider(new SystemProvider(history, search, search.registry()));
    registerProvider(new EverythingProvider(search, reader, callers));
    registerProvider(new ReindexStatusProvider(search.customSearchParameters()));
    String ownBase = props.getBaseUrl().isBlank() ? "" : (props.getBaseUrl().endsWith("/") ? props.getBaseUrl()
        : props.getBaseUrl() + "/");
    registerProvider(new org.radbridge.server.subscription.SubscriptionStatusProvider(reader, subscriptionEvents, ownBase));
    registerProvider(worklist);
    registerProvider(turnaround);
    registerProvider(new TerminologyOperationsProvider(conformance, reader));
    registerProvider(new TransactionProvider(bundles));
    registerInterceptor(scopeCheck);
    registerInterceptor(new CapabilityStatementCustomizer(search.registry()));
    registerInterceptor(new KeysetLinkRewriter());
    registerInterceptor(new TextSummaryInterceptor(ctx));
    // after the summary: it changes the instance HAPI handed it, the masking answers with a copy
    registerInterceptor(new org.radbridge.server.subscription.ChannelHeaderMasking());
    registerInterceptor(new ErrorAnswers());
  }
}
