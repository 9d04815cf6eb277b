package org.radbridge.server;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** Settings under {@code radbridge.*}; defaults are the ones a fresh machine runs with. */
@ConfigurationProperties(prefix = "radbridge")
public class RadBridgeProperties {
  /** Address every listener (HTTP, DICOM, MLLP) binds to. */
  private String bindAddress = "127.0.0.1";
  /** Directory for the embedded PostgreSQL data and other local state. */
  private String dataDir = "./data";
  /** Public base URL of the FHIR endpoint; derived from the request when empty. */
  private String baseUrl = "";
  /** Zone in which DICOM and HL7 v2 local date-times (no offset) are read; empty: the system zone. */
  private String timezone = "";
  private final Limits limits = new Limits();
  private final EmbeddedDb embeddedDb = new EmbeddedDb();
  private final Validation validation = new Validation();
  private final Terminology terminology = new Terminology();
  private final Outbox outbox = new Outbox();
  private final Dicom dicom = new Dicom();
  private final Hl7v2 hl7v2 = new Hl7v2();
  private final Subscriptions subscriptions = new Subscriptions();
  private final Workflow workflow = new Workflow();

  public static class Workflow {
    /** Reading SLA per priority, from the study becoming available to the final report. */
    private java.util.Map<String, java.time.Duration> sla = new java.util.LinkedHashMap<>(java.util.Map.of(
        "stat", java.time.Duration.ofMinutes(15), "asap", java.time.Duration.ofMinutes(20),
        "urgent", java.time.Duration.ofMinutes(30), "routine", java.time.Duration.ofMinutes(60)));
    /** Per reading organisation key, SLAs that differ from the defaults (e.g. city-hospital.routine: 45m). */
    private java.util.Map<String, java.util.Map<String, java.time.Duration>> slaByReading = new java.util.LinkedHashMap<>();

    public java.util.Map<String, java.time.Duration> getSla() { return sla; }
    public void setSla(java.util.Map<String, java.time.Duration> v) { sla = v; }
    public java.util.Map<String, java.util.Map<String, java.time.Duration>> getSlaByReading() { return slaByReading; }
    public void setSlaByReading(java.util.Map<String, java.util.Map<String, java.time.Duration>> v) { slaByReading = v; }

    /** The SLA of a priority at a reading organisation (its override, else the default, else routine's). */
    public java.time.Duration slaFor(String priority, String readingKey) {
      String p = priority == null ? "routine" : priority;
      java.util.Map<String, java.time.Duration> own = readingKey == null ? null : slaByReading.get(readingKey);
      if (own != null && own.containsKey(p)) {
        return own.get(p);
      }
      return sla.getOrDefault(p, sla.getOrDefault("routine", java.time.Duration.ofMinutes(60)));
    }
  }

  public Workflow getWorkflow() { return workflow; }

  public static class Subscriptions {
    /** URL prefixes rest-hook endpoints must start with; empty: no rest-hook subscription is accepted. */
    private java.util.List<String> allowedEndpoints = new java.util.ArrayList<>();
    /** A full-resource payload larger than this is sent id-only (backport) or as an empty notification. */
    private DataSize maxPayload = DataSize.ofKilobytes(512);
    /** Notifications per second one subscription may receive; beyond it they wait (kept, in order). */
    private int ratePerSecond = 50;

    public java.util.List<String> getAllowedEndpoints() { return allowedEndpoints; }
    public void setAllowedEndpoints(java.util.List<String> v) { allowedEndpoints = v; }
    public DataSize getMaxPayload() { return maxPayload; }
    public void setMaxPayload(DataSize v) { maxPayload = v; }
    public int getRatePerSecond() { return ratePerSecond; }
    public void setRatePerSecond(int v) { ratePerSecond = v; }
  }

  public Subscriptions getSubscriptions() { return subscriptions; }

  public static class Hl7v2 {
    private boolean enabled = true;
    /** MLLP port (on radbridge.bind-address); 0 picks a free one (tests). */
    private int port = 2575;
    /** MSH-3 / MSH-4 of the messages RadBridge sends. */
    private String application = "RADBRIDGE";
    private String facility = "NETWORK";
    /** How long an outbound message waits for its ACK before the attempt counts as failed. */
    private java.time.Duration ackTimeout = java.time.Duration.ofSeconds(10);

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
    public java.time.Duration getAckTimeout() { return ackTimeout; }
    public void setAckTimeout(java.time.Duration v) { ackTimeout = v; }
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
    private int port = 11112;
    private String aeTitle = "RADBRIDGE";
    /** Accept associations from calling AE titles that are not DICOM nodes of the network (test set-ups only). */
    private boolean acceptUnknownPeers = false;
    /** Instance files are removed this long after the study was forwarded and its report became final. */
    private java.time.Duration retention = java.time.Duration.ofDays(30);

    public DataSize getMinFreeSpace() { return minFreeSpace; }
    public void setMinFreeSpace(DataSize v) { minFreeSpace = v; }
    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean v) { enabled = v; }
    public int getPort() { return port; }
    public void setPort(int v) { port = v; }
    public String getAeTitle() { return aeTitle; }
    public void setAeTitle(String v) { aeTitle = v; }
    public boolean isAcceptUnknownPeers() { return acceptUnknownPeers; }
    public java.time.Duration getRetention() { return retention; }
    public void setRetention(java.time.Duration v) { retention = v; }
    public void setAcceptUnknownPeers(boolean v) { acceptUnknownPeers = v; }
  }

  public static class Outbox {
    /** Delivery threads per node. */
    private int workers = 2;
    /** How often an idle worker looks for due rows (a commit on this node wakes it at once). */
    private java.time.Duration pollInterval = java.time.Duration.ofMillis(200);
    /** First retry delay; doubled per attempt up to maxBackoff. */
    private java.time.Duration initialBackoff = java.time.Duration.ofSeconds(1);
    private java.time.Duration maxBackoff = java.time.Duration.ofMinutes(5);
    /** A row still undelivered this long after it was written is dead-lettered. */
    private java.time.Duration horizon = java.time.Duration.ofHours(24);
    /** Delivered rows are purged after this long. */
    private java.time.Duration keepDelivered = java.time.Duration.ofDays(7);
    /** Rows of one key delivered in one transaction. */
    private int batchSize = 200;

    public int getWorkers() { return workers; }
    public void setWorkers(int v) { workers = v; }
    public java.time.Duration getPollInterval() { return pollInterval; }
    public void setPollInterval(java.time.Duration v) { pollInterval = v; }
    public java.time.Duration getInitialBackoff() { return initialBackoff; }
    public void setInitialBackoff(java.time.Duration v) { initialBackoff = v; }
    public java.time.Duration getMaxBackoff() { return maxBackoff; }
    public void setMaxBackoff(java.time.Duration v) { maxBackoff = v; }
    public java.time.Duration getHorizon() { return horizon; }
    public void setHorizon(java.time.Duration v) { horizon = v; }
    public java.time.Duration getKeepDelivered() { return keepDelivered; }
    public void setKeepDelivered(java.time.Duration v) { keepDelivered = v; }
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

    public String getConceptMapDir() { return conceptMapDir; }
    public void setConceptMapDir(String v) { conceptMapDir = v; }
  }

  public static class Limits {
    /** Largest body accepted for a single resource (create, update, patch). */
    private DataSize maxResourceBody = DataSize.ofMegabytes(16);
    /** Largest body accepted for a Bundle posted to the base URL. */
    private DataSize maxBundleBody = DataSize.ofMegabytes(64);
    /** Most entries accepted in one batch or transaction bundle. */
    private int maxBundleEntries = 10_000;
    /** Page size when the client gives no _count. */
    private int defaultPageSize = 20;
    /** Largest _count honoured. */
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
