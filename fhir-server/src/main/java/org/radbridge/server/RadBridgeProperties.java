package org.radbridge.server;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings under {@code radbridge.*} (with {@code radbridge.network.*} in NetworkProperties): every
 * setting, interval and pool of the server, bound once at start through the constructors
 * (immutable afterwards) and validated (a value out of range stops the start with a message naming
 * it). Defaults are the ones a fresh machine runs with; the build writes their documentation to
 * Spring Boot's configuration metadata, and a test checks the README's table against it.
 */
@ConfigurationProperties(prefix = "radbridge")
@Validated
public class RadBridgeProperties {
  /** Address every listener (HTTP, DICOM, MLLP) binds to. */
  private final String bindAddress;
  /** Directory for the embedded PostgreSQL data and other local state. */
  private final String dataDir;
  /** Public base URL of the FHIR endpoint; derived from the request when empty. */
  private final String baseUrl;
  /** Zone in which DICOM and HL7 v2 local date-times (no offset) are read; empty: the system zone. */
  private final String timezone;
  @Valid private final Limits limits;
  @Valid private final EmbeddedDb embeddedDb;
  @Valid private final Validation validation;
  @Valid private final Terminology terminology;
  @Valid private final Outbox outbox;
  @Valid private final Dicom dicom;
  @Valid private final Hl7v2 hl7v2;
  @Valid private final Subscriptions subscriptions;
  @Valid private final Workflow workflow;
  @Valid private final Validator validator;
  @Valid private final Jobs jobs;
  @Valid private final SearchParameters searchParameters;

  public RadBridgeProperties(@DefaultValue("127.0.0.1") String bindAddress,
      @DefaultValue("./data") String dataDir,
      @DefaultValue("") String baseUrl,
      @DefaultValue("") String timezone,
      @DefaultValue Limits limits,
      @DefaultValue EmbeddedDb embeddedDb,
      @DefaultValue Validation validation,
      @DefaultValue Terminology terminology,
      @DefaultValue Outbox outbox,
      @DefaultValue Dicom dicom,
      @DefaultValue Hl7v2 hl7v2,
      @DefaultValue Subscriptions subscriptions,
      @DefaultValue Workflow workflow,
      @DefaultValue Validator validator,
      @DefaultValue Jobs jobs,
      @DefaultValue SearchParameters searchParameters) {
    this.bindAddress = bindAddress;
    this.dataDir = dataDir;
    this.baseUrl = baseUrl;
    this.timezone = timezone;
    this.limits = limits;
    this.embeddedDb = embeddedDb;
    this.validation = validation;
    this.terminology = terminology;
    this.outbox = outbox;
    this.dicom = dicom;
    this.hl7v2 = hl7v2;
    this.subscriptions = subscriptions;
    this.workflow = workflow;
    this.validator = validator;
    this.jobs = jobs;
    this.searchParameters = searchParameters;
  }

  public String getBindAddress() { return bindAddress; }
  public String getDataDir() { return dataDir; }
  public String getBaseUrl() { return baseUrl; }
  public String getTimezone() { return timezone; }
  public Limits getLimits() { return limits; }
  public EmbeddedDb getEmbeddedDb() { return embeddedDb; }
  public Validation getValidation() { return validation; }
  public Terminology getTerminology() { return terminology; }
  public Outbox getOutbox() { return outbox; }
  public Dicom getDicom() { return dicom; }
  public Hl7v2 getHl7v2() { return hl7v2; }
  public Subscriptions getSubscriptions() { return subscriptions; }
  public Workflow getWorkflow() { return workflow; }
  public Validator getValidator() { return validator; }
  public Jobs getJobs() { return jobs; }
  public SearchParameters getSearchParameters() { return searchParameters; }

  /** The defaults, as a start without any setting binds them (for unit tests). */
  public static RadBridgeProperties defaults() {
    return org.springframework.boot.context.properties.bind.Binder.get(new org.springframework.core.env.StandardEnvironment())
        .bindOrCreate("radbridge", RadBridgeProperties.class);
  }

  /** The zone of {@code radbridge.timezone}, or the system's. */
  public java.time.ZoneId zone() {
    return timezone == null || timezone.isBlank() ? java.time.ZoneId.systemDefault() : java.time.ZoneId.of(timezone);
  }

  /** What happens when a written resource does not satisfy a profile. */
  public enum ValidationMode { OFF, WARN, ENFORCE }


  public static class Validator {
    /** Validators kept ready (each holds working copies of the definitions); callers beyond it wait for one. */
    @Min(1) private final int pool;
    /** A pooled validator is replaced after this many uses (bounds what it accumulates). */
    @Min(1) private final int reuse;

    public Validator(@DefaultValue("4") int pool,
        @DefaultValue("1000") int reuse) {
      this.pool = pool;
      this.reuse = reuse;
    }

    public int getPool() { return pool; }
    public int getReuse() { return reuse; }
  }

  public static class Jobs {
    /** How often a node looks for background jobs (reindexing) to claim. */
    @NotNull private final Duration pollInterval;
    /** Delay after start before the first look. */
    @NotNull private final Duration initialDelay;

    public Jobs(@DefaultValue("500ms") Duration pollInterval,
        @DefaultValue("1s") Duration initialDelay) {
      this.pollInterval = pollInterval;
      this.initialDelay = initialDelay;
    }

    public Duration getPollInterval() { return pollInterval; }
    public Duration getInitialDelay() { return initialDelay; }
  }

  public static class SearchParameters {
    /** How often a node checks for custom SearchParameters changed on another node. */
    @NotNull private final Duration pollInterval;

    public SearchParameters(@DefaultValue("5s") Duration pollInterval) {
      this.pollInterval = pollInterval;
    }

    public Duration getPollInterval() { return pollInterval; }
  }

  public static class Workflow {
    /** Reading SLA per priority (stat, asap, urgent, routine), from the study becoming available to the final report; by default stat 15m, asap 20m, urgent 30m, routine 60m. A priority given here replaces its default; the others keep theirs. */
    private final Map<String, Duration> sla;
    /** Per reading organisation key, SLAs that differ from the defaults (e.g. city-hospital.routine: 45m). */
    private final Map<String, Map<String, Duration>> slaByReading;
    /** How often orders past their due time are looked for (and flagged). */
    @NotNull private final Duration slaCheckInterval;
    /** How often the turnaround gauges are recomputed. */
    @NotNull private final Duration metricsInterval;

    public Workflow(Map<String, Duration> sla,
        Map<String, Map<String, Duration>> slaByReading,
        @DefaultValue("10s") Duration slaCheckInterval,
        @DefaultValue("30s") Duration metricsInterval) {
      this.sla = withDefaults(sla);
      this.slaByReading = slaByReading == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(slaByReading));
      this.slaCheckInterval = slaCheckInterval;
      this.metricsInterval = metricsInterval;
    }

    public Map<String, Duration> getSla() { return sla; }
    public Map<String, Map<String, Duration>> getSlaByReading() { return slaByReading; }
    public Duration getSlaCheckInterval() { return slaCheckInterval; }
    public Duration getMetricsInterval() { return metricsInterval; }

    private static final Map<String, Duration> DEFAULT_SLA = Map.of("stat", Duration.ofMinutes(15),
        "asap", Duration.ofMinutes(20), "urgent", Duration.ofMinutes(30), "routine", Duration.ofMinutes(60));

    private static Map<String, Duration> withDefaults(Map<String, Duration> given) {
      Map<String, Duration> all = new LinkedHashMap<>(DEFAULT_SLA);
      if (given != null) {
        all.putAll(given);
      }
      return Collections.unmodifiableMap(all);
    }

    /** The SLA of a priority at a reading organisation (its override, else the default, else routine's). */
    public Duration slaFor(String priority, String readingKey) {
      String p = priority == null ? "routine" : priority;
      Map<String, Duration> own = readingKey == null ? null : slaByReading.get(readingKey);
      if (own != null && own.containsKey(p)) {
        return own.get(p);
      }
      return sla.getOrDefault(p, sla.getOrDefault("routine", Duration.ofMinutes(60)));
    }
  }

  public static class Subscriptions {
    /** URL prefixes rest-hook endpoints must start with; empty: no rest-hook subscription is accepted. */
    private final List<String> allowedEndpoints;
    /** A full-resource payload larger than this is sent id-only (backport) or as an empty notification. */
    @NotNull private final DataSize maxPayload;
    /** Notifications per second one subscription may receive; beyond it they wait (kept, in order). */
    @Min(1) private final int ratePerSecond;
    /** How often a node checks for subscriptions changed on another node. */
    @NotNull private final Duration pollInterval;

    public Subscriptions(List<String> allowedEndpoints,
        @DefaultValue("512KB") DataSize maxPayload,
        @DefaultValue("50") int ratePerSecond,
        @DefaultValue("2s") Duration pollInterval) {
      this.allowedEndpoints = allowedEndpoints == null ? List.of() : List.copyOf(allowedEndpoints);
      this.maxPayload = maxPayload;
      this.ratePerSecond = ratePerSecond;
      this.pollInterval = pollInterval;
    }

    public List<String> getAllowedEndpoints() { return allowedEndpoints; }
    public DataSize getMaxPayload() { return maxPayload; }
    public int getRatePerSecond() { return ratePerSecond; }
    public Duration getPollInterval() { return pollInterval; }
  }

  public static class Hl7v2 {
    /** Whether the MLLP listener runs. */
    private final boolean enabled;
    /** MLLP port (on radbridge.bind-address); 0 picks a free one (tests). */
    @Min(0) @Max(65535) private final int port;
    /** MSH-3 of the messages RadBridge sends. */
    private final String application;
    /** MSH-4 of the messages RadBridge sends. */
    private final String facility;
    /** How long an outbound message may take to be sent and acknowledged (a receiver that stops reading included) before the attempt counts as failed. */
    @NotNull private final Duration ackTimeout;
    @Valid private final Tls tls;
    @Valid private final Listener listener;

    public Hl7v2(@DefaultValue("true") boolean enabled,
        @DefaultValue("2575") int port,
        @DefaultValue("RADBRIDGE") String application,
        @DefaultValue("NETWORK") String facility,
        @DefaultValue("10s") Duration ackTimeout,
        @DefaultValue Tls tls,
        @DefaultValue Listener listener) {
      this.enabled = enabled;
      this.port = port;
      this.application = application;
      this.facility = facility;
      this.ackTimeout = ackTimeout;
      this.tls = tls;
      this.listener = listener;
    }

    public boolean isEnabled() { return enabled; }
    public int getPort() { return port; }
    public String getApplication() { return application; }
    public String getFacility() { return facility; }
    public Duration getAckTimeout() { return ackTimeout; }
    public Tls getTls() { return tls; }
    public Listener getListener() { return listener; }

    /** What the MLLP listener lets a sender hold: bounds that no sender, however broken or hostile, goes past. */
    public static class Listener {
      /** Largest MLLP frame (one message) taken; a larger one is read to its end, dropped and answered AR. */
      @NotNull private final DataSize maxFrameSize;
      /** Longest a frame may take from its start block to its end block; a slower one (a stalled or trickling sender) closes the connection. */
      @NotNull private final Duration frameTimeout;
      /** A connection that sends nothing for this long is closed (senders reconnect); 0 keeps idle connections open. */
      @NotNull private final Duration idleTimeout;
      /** Longest writing an ACK may go without progress (a sender that does not read its ACKs); then the connection is closed. */
      @NotNull @DurationMin(millis = 1) private final Duration writeTimeout;
      /** Most MLLP connections open at once (one thread each); more are closed as soon as they are accepted. */
      @Min(1) private final int maxConnections;
      /** Most MLLP connections open at once from one peer address. */
      @Min(1) private final int maxConnectionsPerPeer;

      public Listener(@DefaultValue("4MB") DataSize maxFrameSize,
          @DefaultValue("30s") Duration frameTimeout,
          @DefaultValue("10m") Duration idleTimeout,
          @DefaultValue("30s") Duration writeTimeout,
          @DefaultValue("128") int maxConnections,
          @DefaultValue("32") int maxConnectionsPerPeer) {
        this.maxFrameSize = maxFrameSize;
        this.frameTimeout = frameTimeout;
        this.idleTimeout = idleTimeout;
        this.writeTimeout = writeTimeout;
        this.maxConnections = maxConnections;
        this.maxConnectionsPerPeer = maxConnectionsPerPeer;
      }

      public DataSize getMaxFrameSize() { return maxFrameSize; }
      public Duration getFrameTimeout() { return frameTimeout; }
      public Duration getIdleTimeout() { return idleTimeout; }
      public Duration getWriteTimeout() { return writeTimeout; }
      public int getMaxConnections() { return maxConnections; }
      public int getMaxConnectionsPerPeer() { return maxConnectionsPerPeer; }
    }

  }

  public static class Dicom {
    /** C-STORE answers 0xA700 (out of resources) when storing would leave less free space than this. */
    @NotNull private final DataSize minFreeSpace;
    /** Whether the DICOM listener runs. */
    private final boolean enabled;
    /** Port of the DICOM listener (on radbridge.bind-address); 0 picks a free one (tests). */
    @Min(0) @Max(65535) private final int port;
    /** AE title of RadBridge's DICOM listener (the called AE title peers use). */
    private final String aeTitle;
    /** Accept associations from calling AE titles that are not DICOM nodes of the network (test set-ups only). */
    private final boolean acceptUnknownPeers;
    /** Instance files are removed this long after the study was forwarded and its report became final. */
    @NotNull private final Duration retention;
    /** How often retention looks for files it may remove. */
    @NotNull private final Duration retentionCheckInterval;
    /** How often the stored-files figure of the health check is recomputed. */
    @NotNull private final Duration healthInterval;
    /** How long a study's association must be quiet before its ImagingStudy is updated (one update per burst of instances). */
    @NotNull private final Duration studyQuietPeriod;
    /** Longest a forwarding C-STORE waits on the receiving node, for a write to make progress or for its answer; then the attempt fails and is retried. */
    @NotNull @DurationMin(millis = 1) private final Duration forwardTimeout;
    @Valid private final Listener listener;
    @Valid private final Tls tls;

    public Dicom(@DefaultValue("512MB") DataSize minFreeSpace,
        @DefaultValue("true") boolean enabled,
        @DefaultValue("11112") int port,
        @DefaultValue("RADBRIDGE") String aeTitle,
        @DefaultValue("false") boolean acceptUnknownPeers,
        @DefaultValue("30d") Duration retention,
        @DefaultValue("10m") Duration retentionCheckInterval,
        @DefaultValue("30s") Duration healthInterval,
        @DefaultValue("250ms") Duration studyQuietPeriod,
        @DefaultValue("60s") Duration forwardTimeout,
        @DefaultValue Listener listener,
        @DefaultValue Tls tls) {
      this.tls = tls;
      this.minFreeSpace = minFreeSpace;
      this.enabled = enabled;
      this.port = port;
      this.aeTitle = aeTitle;
      this.acceptUnknownPeers = acceptUnknownPeers;
      this.retention = retention;
      this.retentionCheckInterval = retentionCheckInterval;
      this.healthInterval = healthInterval;
      this.studyQuietPeriod = studyQuietPeriod;
      this.forwardTimeout = forwardTimeout;
      this.listener = listener;
    }

    public DataSize getMinFreeSpace() { return minFreeSpace; }
    public boolean isEnabled() { return enabled; }
    public int getPort() { return port; }
    public String getAeTitle() { return aeTitle; }
    public boolean isAcceptUnknownPeers() { return acceptUnknownPeers; }
    public Duration getRetention() { return retention; }
    public Duration getRetentionCheckInterval() { return retentionCheckInterval; }
    public Duration getHealthInterval() { return healthInterval; }
    public Duration getStudyQuietPeriod() { return studyQuietPeriod; }
    public Duration getForwardTimeout() { return forwardTimeout; }
    public Listener getListener() { return listener; }
    public Tls getTls() { return tls; }


    /** What the DICOM listener lets a peer hold: bounds that no peer, however broken or hostile, goes past. */
    public static class Listener {
      /** Most associations open at once (one thread each); more are rejected (A-ASSOCIATE-RJ transient, local limit exceeded). */
      @Min(1) private final int maxAssociations;
      /** Most associations open at once from one peer address. */
      @Min(1) private final int maxAssociationsPerPeer;
      /** Largest data set a C-STORE may send, checked while it streams in; a larger one is read off the network, not kept, and answered 0xA700. */
      @NotNull private final DataSize maxDataSetSize;
      /** Longest wait for the next PDU of an association, and the longest one PDU may take to arrive; then the association ends. */
      @NotNull private final Duration readTimeout;
      /** Longest one write to a peer may go without progress (a peer that stops reading, e.g. the answers to a C-FIND); then the association is closed. */
      @NotNull @DurationMin(millis = 1) private final Duration writeTimeout;
      /** Largest PDU RadBridge offers to receive (its maximum length in the A-ASSOCIATE-AC); a peer sending a larger one is aborted. */
      @NotNull private final DataSize maxPduLength;

      public Listener(@DefaultValue("128") int maxAssociations,
          @DefaultValue("32") int maxAssociationsPerPeer,
          @DefaultValue("2GB") DataSize maxDataSetSize,
          @DefaultValue("60s") Duration readTimeout,
          @DefaultValue("60s") Duration writeTimeout,
          @DefaultValue("16KB") DataSize maxPduLength) {
        this.maxAssociations = maxAssociations;
        this.maxAssociationsPerPeer = maxAssociationsPerPeer;
        this.maxDataSetSize = maxDataSetSize;
        this.readTimeout = readTimeout;
        this.writeTimeout = writeTimeout;
        this.maxPduLength = maxPduLength;
      }

      public int getMaxAssociations() { return maxAssociations; }
      public int getMaxAssociationsPerPeer() { return maxAssociationsPerPeer; }
      public DataSize getMaxDataSetSize() { return maxDataSetSize; }
      public Duration getReadTimeout() { return readTimeout; }
      public Duration getWriteTimeout() { return writeTimeout; }
      public DataSize getMaxPduLength() { return maxPduLength; }
    }
  }

  public static class Outbox {
    /** Delivery threads per node. */
    @Min(1) private final int workers;
    /** How often an idle worker looks for due rows (a commit on this node wakes it at once). */
    @NotNull private final Duration pollInterval;
    /** First retry delay; doubled per attempt up to maxBackoff. */
    @NotNull private final Duration initialBackoff;
    /** Longest retry delay. */
    @NotNull private final Duration maxBackoff;
    /** A row still undelivered this long after it was written is dead-lettered. */
    @NotNull private final Duration horizon;
    /** Delivered rows are purged after this long. */
    @NotNull private final Duration keepDelivered;
    /** Rows of one key delivered in one transaction. */
    @Min(1) private final int batchSize;
    /** How often the outbox gauges (rows by destination and state) are recomputed. */
    @NotNull private final Duration metricsInterval;

    public Outbox(@DefaultValue("2") int workers,
        @DefaultValue("200ms") Duration pollInterval,
        @DefaultValue("1s") Duration initialBackoff,
        @DefaultValue("5m") Duration maxBackoff,
        @DefaultValue("24h") Duration horizon,
        @DefaultValue("7d") Duration keepDelivered,
        @DefaultValue("200") int batchSize,
        @DefaultValue("10s") Duration metricsInterval) {
      this.workers = workers;
      this.pollInterval = pollInterval;
      this.initialBackoff = initialBackoff;
      this.maxBackoff = maxBackoff;
      this.horizon = horizon;
      this.keepDelivered = keepDelivered;
      this.batchSize = batchSize;
      this.metricsInterval = metricsInterval;
    }

    public int getWorkers() { return workers; }
    public Duration getPollInterval() { return pollInterval; }
    public Duration getInitialBackoff() { return initialBackoff; }
    public Duration getMaxBackoff() { return maxBackoff; }
    public Duration getHorizon() { return horizon; }
    public Duration getKeepDelivered() { return keepDelivered; }
    public int getBatchSize() { return batchSize; }
    public Duration getMetricsInterval() { return metricsInterval; }
  }

  public static class Validation {
    /** off: nothing is validated; warn: failures are reported but written; enforce: failures are refused (422). */
    @NotNull private final ValidationMode mode;
    /** Resource type to the profile every resource of that type must satisfy, claimed or not, e.g. ServiceRequest: https://radbridge.org/fhir/StructureDefinition/rb-service-request. Empty by default: general EHR data shares these types. */
    private final Map<String, String> requiredProfiles;
    /** Also validate resources that claim no known profile against the base specification (costs ~10 ms a write). */
    private final boolean baseSpec;

    public Validation(@DefaultValue("enforce") ValidationMode mode,
        Map<String, String> requiredProfiles,
        @DefaultValue("false") boolean baseSpec) {
      this.mode = mode;
      this.requiredProfiles = requiredProfiles == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(requiredProfiles));
      this.baseSpec = baseSpec;
    }

    public ValidationMode getMode() { return mode; }
    public Map<String, String> getRequiredProfiles() { return requiredProfiles; }
    public boolean isBaseSpec() { return baseSpec; }
  }

  public static class Terminology {
    /** Directory of ConceptMap CSV files (one per sending organisation) loaded at start; optional. */
    private final String conceptMapDir;
    /** How often a node checks for conformance resources changed on another node. */
    @NotNull private final Duration pollInterval;

    public Terminology(@DefaultValue("") String conceptMapDir,
        @DefaultValue("5s") Duration pollInterval) {
      this.conceptMapDir = conceptMapDir;
      this.pollInterval = pollInterval;
    }

    public String getConceptMapDir() { return conceptMapDir; }
    public Duration getPollInterval() { return pollInterval; }
  }

  public static class Limits {
    /** Largest body accepted for a single resource (create, update, patch). */
    @NotNull private final DataSize maxResourceBody;
    /** Largest body accepted for a Bundle posted to the base URL. */
    @NotNull private final DataSize maxBundleBody;
    /** Most entries accepted in one batch or transaction bundle. */
    @Min(1) private final int maxBundleEntries;
    /** Page size when the client gives no _count. */
    @Min(1) private final int defaultPageSize;
    /** Largest _count honoured, on the first page and on every page a paging link asks for. */
    @Min(1) private final int maxPageSize;
    /** Deepest nesting of objects and arrays (JSON) or elements (XML) accepted in a request body (400 beyond). */
    @Min(8) private final int maxNestingDepth;
    /** Longest number (in characters, or as an exponent) accepted in a JSON body (400 beyond). */
    @Min(20) private final int maxNumberDigits;
    /** Most parameters (name=value pairs, in the query string and a form body together) one request may carry (400 beyond). */
    @Min(10) private final int maxQueryParameters;
    /** Most references one search parameter may follow through chains and _has together (400 beyond). */
    @Min(1) private final int maxChainDepth;
    /** Most resources _include and _revinclude (with :iterate) add to one page; beyond, the page says it was cut short. */
    @Min(1) private final int maxIncludes;

    public Limits(@DefaultValue("16MB") DataSize maxResourceBody,
        @DefaultValue("64MB") DataSize maxBundleBody,
        @DefaultValue("10000") int maxBundleEntries,
        @DefaultValue("20") int defaultPageSize,
        @DefaultValue("1000") int maxPageSize,
        @DefaultValue("100") int maxNestingDepth,
        @DefaultValue("1000") int maxNumberDigits,
        @DefaultValue("100") int maxQueryParameters,
        @DefaultValue("4") int maxChainDepth,
        @DefaultValue("1000") int maxIncludes) {
      this.maxResourceBody = maxResourceBody;
      this.maxBundleBody = maxBundleBody;
      this.maxBundleEntries = maxBundleEntries;
      this.defaultPageSize = defaultPageSize;
      this.maxPageSize = maxPageSize;
      this.maxNestingDepth = maxNestingDepth;
      this.maxNumberDigits = maxNumberDigits;
      this.maxQueryParameters = maxQueryParameters;
      this.maxChainDepth = maxChainDepth;
      this.maxIncludes = maxIncludes;
    }

    public DataSize getMaxResourceBody() { return maxResourceBody; }
    public DataSize getMaxBundleBody() { return maxBundleBody; }
    public int getMaxBundleEntries() { return maxBundleEntries; }
    public int getDefaultPageSize() { return defaultPageSize; }
    public int getMaxPageSize() { return maxPageSize; }
    public int getMaxNestingDepth() { return maxNestingDepth; }
    public int getMaxNumberDigits() { return maxNumberDigits; }
    public int getMaxQueryParameters() { return maxQueryParameters; }
    public int getMaxChainDepth() { return maxChainDepth; }
    public int getMaxIncludes() { return maxIncludes; }
  }

  public static class EmbeddedDb {
    /** Port of the embedded PostgreSQL; 0 picks a free one. */
    @Min(0) @Max(65535) private final int port;
    /** Throw the data directory away on shutdown (tests). */
    private final boolean ephemeral;
    /** Connections to the embedded PostgreSQL (an external one takes spring.datasource.hikari.*). */
    @Min(1) private final int poolSize;

    public EmbeddedDb(@DefaultValue("0") int port,
        @DefaultValue("false") boolean ephemeral,
        @DefaultValue("12") int poolSize) {
      this.port = port;
      this.ephemeral = ephemeral;
      this.poolSize = poolSize;
    }

    public int getPort() { return port; }
    public boolean isEphemeral() { return ephemeral; }
    public int getPoolSize() { return poolSize; }
  }

  /** A listener over TLS, from a Spring Boot SSL bundle (README "DICOM TLS", "HL7 v2": Mutual TLS). */
  public static class Tls {
    /** Whether the listener speaks TLS (needs the bundle); plain connections are then refused. */
    private final boolean enabled;
    /**
     * The Spring Boot SSL bundle (spring.ssl.bundle.jks|pem.NAME): its key is the listener's and the
     * client certificate RadBridge shows the peers it connects to over TLS (dicoms://, mllps://); its
     * trust store checks the peers on both sides.
     */
    private final String bundle;
    /**
     * Whether the TLS listener asks peers for a certificate: none, want (checked when sent; a peer
     * without one is recognised by its address unless its entry names certificates) or need (no
     * certificate, no connection). A peer whose entry names certificates must show one of them.
     */
    @NotNull private final ClientAuth clientAuth;

    public Tls(@DefaultValue("false") boolean enabled,
        String bundle,
        @DefaultValue("none") ClientAuth clientAuth) {
      this.enabled = enabled;
      this.bundle = bundle;
      this.clientAuth = clientAuth;
    }

    public boolean isEnabled() { return enabled; }
    public String getBundle() { return bundle; }
    public ClientAuth getClientAuth() { return clientAuth; }
  }

  /** Whether a TLS listener asks a peer for its certificate. */
  public enum ClientAuth { NONE, WANT, NEED }
}
