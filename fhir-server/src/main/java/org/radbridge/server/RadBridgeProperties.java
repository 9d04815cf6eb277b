package org.radbridge.server;

import org.springframework.boot.context.properties.ConfigurationProperties;
import java.time.Duration;
import org.springframework.util.unit.DataSize;

/**
 * Settings under {@code radbridge.*} (with {@code radbridge.network.*} in NetworkProperties): every
 * setting, interval and pool of the server, bound and validated at start (a value out of range
 * stops the start with a message naming it). Defaults are the ones a fresh machine runs with; the
 * build writes their documentation to Spring Boot's configuration metadata, and a test checks the
 * README's table against it.
 */
@ConfigurationProperties(prefix = "radbridge")
@org.springframework.validation.annotation.Validated
public class RadBridgeProperties {
  /** Address every listener (HTTP, DICOM, MLLP) binds to. */
  private String bindAddress = "127.0.0.1";
  /** Directory for the embedded PostgreSQL data and other local state. */
  private String dataDir = "./data";
  /** Public base URL of the FHIR endpoint; derived from the request when empty. */
  private String baseUrl = "";
  /** Zone in which DICOM and HL7 v2 local date-times (no offset) are read; empty: the system zone. */
  private String timezone = "";
  @jakarta.validation.Valid
  private final Limits limits = new Limits();
  @jakarta.validation.Valid
  private final EmbeddedDb embeddedDb = new EmbeddedDb();
  @jakarta.validation.Valid
  private final Validation validation = new Validation();
  @jakarta.validation.Valid
  private final Terminology terminology = new Terminology();
  @jakarta.validation.Valid
  private final Outbox outbox = new Outbox();
  @jakarta.validation.Valid
  private final Dicom dicom = new Dicom();
  @jakarta.validation.Valid
  private final Hl7v2 hl7v2 = new Hl7v2();
  @jakarta.validation.Valid
  private final Subscriptions subscriptions = new Subscriptions();
  @jakarta.validation.Valid
  private final Workflow workflow = new Workflow();
  @jakarta.validation.Valid
  private final Validator validator = new Validator();
  @jakarta.validation.Valid
  private final Jobs jobs = new Jobs();
  @jakarta.validation.Valid
  private final SearchParameters searchParameters = new SearchParameters();

  public static class Validator {
    /** Validators kept ready (each holds working copies of the definitions); callers beyond it wait for one. */
    @jakarta.validation.constraints.Min(1)
    private int pool = 4; // ProfileValidator.DEFAULT_POOL_SIZE
    /** A pooled validator is replaced after this many uses (bounds what it accumulates). */
    @jakarta.validation.constraints.Min(1)
    private int reuse = 1000; // ProfileValidator.DEFAULT_REUSE_LIMIT

    public int getPool() { return pool; }
    public void setPool(int v) { pool = v; }
    public int getReuse() { return reuse; }
    public void setReuse(int v) { reuse = v; }
  }

  public Validator getValidator() { return validator; }

  public static class Jobs {
    /** How often a node looks for background jobs (reindexing) to claim. */
    private Duration pollInterval = Duration.ofMillis(500);
    /** Delay after start before the first look. */
    private Duration initialDelay = Duration.ofSeconds(1);

    public Duration getPollInterval() { return pollInterval; }
    public void setPollInterval(Duration v) { pollInterval = v; }
    public Duration getInitialDelay() { return initialDelay; }
    public void setInitialDelay(Duration v) { initialDelay = v; }
  }

  public Jobs getJobs() { return jobs; }

  public static class SearchParameters {
    /** How often a node checks for custom SearchParameters changed on another node. */
    private Duration pollInterval = Duration.ofSeconds(5);

    public Duration getPollInterval() { return pollInterval; }
    public void setPollInterval(Duration v) { pollInterval = v; }
  }

  public SearchParameters getSearchParameters() { return searchParameters; }

  public static class Workflow {
    /**
     * Reading SLA per priority (stat, asap, urgent, routine), from the study becoming available to
     * the final report; by default stat 15m, asap 20m, urgent 30m, routine 60m.
     */
    private java.util.Map<String, Duration> sla = new java.util.LinkedHashMap<>(java.util.Map.of(
        "stat", Duration.ofMinutes(15), "asap", Duration.ofMinutes(20),
        "urgent", Duration.ofMinutes(30), "routine", Duration.ofMinutes(60)));
    /** Per reading organisation key, SLAs that differ from the defaults (e.g. city-hospital.routine: 45m). */
    private java.util.Map<String, java.util.Map<String, Duration>> slaByReading = new java.util.LinkedHashMap<>();
    /** How often orders past their due time are looked for (and flagged). */
    private Duration slaCheckInterval = Duration.ofSeconds(10);
    /** How often the turnaround gauges are recomputed. */
    private Duration metricsInterval = Duration.ofSeconds(30);

    public Duration getSlaCheckInterval() { return slaCheckInterval; }
    public void setSlaCheckInterval(Duration v) { slaCheckInterval = v; }
    public Duration getMetricsInterval() { return metricsInterval; }
    public void setMetricsInterval(Duration v) { metricsInterval = v; }

    public java.util.Map<String, Duration> getSla() { return sla; }
    public void setSla(java.util.Map<String, Duration> v) { sla = v; }
    public java.util.Map<String, java.util.Map<String, Duration>> getSlaByReading() { return slaByReading; }
    public void setSlaByReading(java.util.Map<String, java.util.Map<String, Duration>> v) { slaByReading = v; }

    /** The SLA of a priority at a reading organisation (its override, else the default, else routine's). */
    public Duration slaFor(String priority, String readingKey) {
      String p = priority == null ? "routine" : priority;
      java.util.Map<String, Duration> own = readingKey == null ? null : slaByReading.get(readingKey);
      if (own != null && own.containsKey(p)) {
        return own.get(p);
      }
      return sla.getOrDefault(p, sla.getOrDefault("routine", Duration.ofMinutes(60)));
    }
  }

  public Workflow getWorkflow() { return workflow; }

  public static class Subscriptions {
    /** URL prefixes rest-hook endpoints must start with; empty: no rest-hook subscription is accepted. */
    private java.util.List<String> allowedEndpoints = new java.util.ArrayList<>();
    /** A full-resource payload larger than this is sent id-only (backport) or as an empty notification. */
    private DataSize maxPayload = DataSize.ofKilobytes(512);
    /** Notifications per second one subscription may receive; beyond it they wait (kept, in order). */
    @jakarta.validation.constraints.Min(1)
    private int ratePerSecond = 50;
    /** How often a node checks for subscriptions changed on another node. */
    private Duration pollInterval = Duration.ofSeconds(2);

    public Duration getPollInterval() { return pollInterval; }
    public void setPollInterval(Duration v) { pollInterval = v; }

    public java.util.List<String> getAllowedEndpoints() { return allowedEndpoints; }
    public void setAllowedEndpoints(java.util.List<String> v) { allowedEndpoints = v; }
    public DataSize getMaxPayload() { return maxPayload; }
    public void setMaxPayload(DataSize v) { maxPayload = v; }
    public int getRatePerSecond() { return ratePerSecond; }
    public void setRatePerSecond(int v) { ratePerSecond = v; }
  }

  public Subscriptions getSubscriptions() { return subscriptions; }

  public static class Hl7v2 {
    /** Whether the MLLP listener runs. */
    private boolean enabled = true;
    /** MLLP port (on radbridge.bind-address); 0 picks a free one (tests). */
    @jakarta.validation.constraints.Min(0)
    @jakarta.validation.constraints.Max(65535)
    private int port = 2575;
    /** MSH-3 of the messages RadBridge sends. */
    private String application = "RADBRIDGE";
    /** MSH-4 of the messages RadBridge sends. */
    private String facility = "NETWORK";
    /** How long an outbound message waits for its ACK before the attempt counts as failed. */
    private Duration ackTimeout = Duration.ofSeconds(10);

    @jakarta.validation.Valid
    private final Tls tls = new Tls();

    public static class Tls {
      /** Whether the MLLP listener speaks TLS (needs the bundle). */
      private boolean enabled;
      /** The Spring Boot SSL bundle (spring.ssl.bundle.jks|pem.NAME) for the listener and mllps:// receivers. */
      private String bundle;

      public boolean isEnabled() { return enabled; }
      public void setEnabled(boolean v) { enabled = v; }
      public String getBundle() { return bundle; }
      public void setBundle(String v) { bundle = v; }
    }

    public Tls getTls() { return tls; }
    public String getApplication() { return application; }
    public void setApplication(String v) { application = v; }
    public String getFacility() { return facility; }
    public void setFacility(String v) { facility = v; }
    public Duration getAckTimeout() { return ackTimeout; }
    public void setAckTimeout(Duration v) { ackTimeout = v; }
    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean v) { enabled = v; }
    public int getPort() { return port; }
    public void setPort(int v) { port = v; }
  }

  public static class Dicom {
    /** C-STORE answers 0xA700 (out of resources) when storing would leave less free space than this. */
    private DataSize minFreeSpace = DataSize.ofMegabytes(512);
    /** Whether the DICOM listener runs. */
    private boolean enabled = true;
    /** Port of the DICOM listener (on radbridge.bind-address); 0 picks a free one (tests). */
    @jakarta.validation.constraints.Min(0)
    @jakarta.validation.constraints.Max(65535)
    private int port = 11112;
    /** AE title of RadBridge's DICOM listener (the called AE title peers use). */
    private String aeTitle = "RADBRIDGE";
    /** Accept associations from calling AE titles that are not DICOM nodes of the network (test set-ups only). */
    private boolean acceptUnknownPeers = false;
    /** Instance files are removed this long after the study was forwarded and its report became final. */
    private Duration retention = Duration.ofDays(30);
    /** How often retention looks for files it may remove. */
    private Duration retentionCheckInterval = Duration.ofMinutes(10);
    /** How often the stored-files figure of the health check is recomputed. */
    private Duration healthInterval = Duration.ofSeconds(30);

    public Duration getRetentionCheckInterval() { return retentionCheckInterval; }
    public void setRetentionCheckInterval(Duration v) { retentionCheckInterval = v; }
    public Duration getHealthInterval() { return healthInterval; }
    public void setHealthInterval(Duration v) { healthInterval = v; }

    public DataSize getMinFreeSpace() { return minFreeSpace; }
    public void setMinFreeSpace(DataSize v) { minFreeSpace = v; }
    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean v) { enabled = v; }
    public int getPort() { return port; }
    public void setPort(int v) { port = v; }
    public String getAeTitle() { return aeTitle; }
    public void setAeTitle(String v) { aeTitle = v; }
    public boolean isAcceptUnknownPeers() { return acceptUnknownPeers; }
    public Duration getRetention() { return retention; }
    public void setRetention(Duration v) { retention = v; }
    public void setAcceptUnknownPeers(boolean v) { acceptUnknownPeers = v; }
  }

  public static class Outbox {
    /** Delivery threads per node. */
    @jakarta.validation.constraints.Min(1)
    private int workers = 2;
    /** How often an idle worker looks for due rows (a commit on this node wakes it at once). */
    private Duration pollInterval = Duration.ofMillis(200);
    /** First retry delay; doubled per attempt up to maxBackoff. */
    private Duration initialBackoff = Duration.ofSeconds(1);
    /** Longest retry delay. */
    private Duration maxBackoff = Duration.ofMinutes(5);
    /** A row still undelivered this long after it was written is dead-lettered. */
    private Duration horizon = Duration.ofHours(24);
    /** Delivered rows are purged after this long. */
    private Duration keepDelivered = Duration.ofDays(7);
    /** Rows of one key delivered in one transaction. */
    @jakarta.validation.constraints.Min(1)
    private int batchSize = 200;
    /** How often the outbox gauges (rows by destination and state) are recomputed. */
    private Duration metricsInterval = Duration.ofSeconds(10);

    public Duration getMetricsInterval() { return metricsInterval; }
    public void setMetricsInterval(Duration v) { metricsInterval = v; }

    public int getWorkers() { return workers; }
    public void setWorkers(int v) { workers = v; }
    public Duration getPollInterval() { return pollInterval; }
    public void setPollInterval(Duration v) { pollInterval = v; }
    public Duration getInitialBackoff() { return initialBackoff; }
    public void setInitialBackoff(Duration v) { initialBackoff = v; }
    public Duration getMaxBackoff() { return maxBackoff; }
    public void setMaxBackoff(Duration v) { maxBackoff = v; }
    public Duration getHorizon() { return horizon; }
    public void setHorizon(Duration v) { horizon = v; }
    public Duration getKeepDelivered() { return keepDelivered; }
    public void setKeepDelivered(Duration v) { keepDelivered = v; }
    public int getBatchSize() { return batchSize; }
    public void setBatchSize(int v) { batchSize = v; }
  }

  /** What happens when a written resource does not satisfy a profile. */
  public enum ValidationMode { OFF, WARN, ENFORCE }

  public static class Validation {
    /** off: nothing is validated; warn: failures are reported but written; enforce: failures are refused (422). */
    private ValidationMode mode = ValidationMode.ENFORCE;
    /**
     * Resource type to the profile every resource of that type must satisfy, claimed or not, e.g.
     * {@code ServiceRequest: https://radbridge.org/fhir/StructureDefinition/rb-service-request}. Empty
     * by default: general EHR data shares these types.
     */
    private java.util.Map<String, String> requiredProfiles = new java.util.LinkedHashMap<>();
    /** Also validate resources that claim no known profile against the base specification (costs ~10 ms a write). */
    private boolean baseSpec = false;

    public ValidationMode getMode() { return mode; }
    public void setMode(ValidationMode v) { mode = v; }
    public java.util.Map<String, String> getRequiredProfiles() { return requiredProfiles; }
    public void setRequiredProfiles(java.util.Map<String, String> v) { requiredProfiles = v; }
    public boolean isBaseSpec() { return baseSpec; }
    public void setBaseSpec(boolean v) { baseSpec = v; }
  }

  public static class Terminology {
    /** Directory of ConceptMap CSV files (one per sending organisation) loaded at start; optional. */
    private String conceptMapDir = "";
    /** How often a node checks for conformance resources changed on another node. */
    private Duration pollInterval = Duration.ofSeconds(5);

    public Duration getPollInterval() { return pollInterval; }
    public void setPollInterval(Duration v) { pollInterval = v; }

    public String getConceptMapDir() { return conceptMapDir; }
    public void setConceptMapDir(String v) { conceptMapDir = v; }
  }

  public static class Limits {
    /** Largest body accepted for a single resource (create, update, patch). */
    private DataSize maxResourceBody = DataSize.ofMegabytes(16);
    /** Largest body accepted for a Bundle posted to the base URL. */
    private DataSize maxBundleBody = DataSize.ofMegabytes(64);
    /** Most entries accepted in one batch or transaction bundle. */
    @jakarta.validation.constraints.Min(1)
    private int maxBundleEntries = 10_000;
    /** Page size when the client gives no _count. */
    @jakarta.validation.constraints.Min(1)
    private int defaultPageSize = 20;
    /** Largest _count honoured. */
    @jakarta.validation.constraints.Min(1)
    private int maxPageSize = 1000;

    public DataSize getMaxResourceBody() { return maxResourceBody; }
    public void setMaxResourceBody(DataSize v) { maxResourceBody = v; }
    public DataSize getMaxBundleBody() { return maxBundleBody; }
    public void setMaxBundleBody(DataSize v) { maxBundleBody = v; }
    public int getMaxBundleEntries() { return maxBundleEntries; }
    public void setMaxBundleEntries(int v) { maxBundleEntries = v; }
    public int getDefaultPageSize() { return defaultPageSize; }
    public void setDefaultPageSize(int v) { defaultPageSize = v; }
    public int getMaxPageSize() { return maxPageSize; }
    public void setMaxPageSize(int v) { maxPageSize = v; }
  }

  public static class EmbeddedDb {
    /** Port of the embedded PostgreSQL; 0 picks a free one. */
    private int port = 0;
    /** Throw the data directory away on shutdown (tests). */
    private boolean ephemeral = false;

    public int getPort() { return port; }
    public void setPort(int v) { port = v; }
    public boolean isEphemeral() { return ephemeral; }
    public void setEphemeral(boolean v) { ephemeral = v; }
  }

  public String getBindAddress() { return bindAddress; }
  public void setBindAddress(String v) { bindAddress = v; }
  public String getDataDir() { return dataDir; }
  public void setDataDir(String v) { dataDir = v; }
  public String getBaseUrl() { return baseUrl; }
  public void setBaseUrl(String v) { baseUrl = v; }
  public Limits getLimits() { return limits; }
  public String getTimezone() { return timezone; }
  public void setTimezone(String v) { timezone = v; }

  /** The zone of {@code radbridge.timezone}, or the system's. */
  public java.time.ZoneId zone() {
    return timezone == null || timezone.isBlank() ? java.time.ZoneId.systemDefault() : java.time.ZoneId.of(timezone);
  }
  public EmbeddedDb getEmbeddedDb() { return embeddedDb; }
  public Validation getValidation() { return validation; }
  public Terminology getTerminology() { return terminology; }
  public Outbox getOutbox() { return outbox; }
  public Dicom getDicom() { return dicom; }
  public Hl7v2 getHl7v2() { return hl7v2; }
}
