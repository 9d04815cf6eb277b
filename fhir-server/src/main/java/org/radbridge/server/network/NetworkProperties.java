package org.radbridge.server.network;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code radbridge.network}: who is who in the network (README "Network"). Seeded into FHIR
 * Organization, Endpoint and Device resources at start; identity systems and routing rules are
 * read from here.
 */
@ConfigurationProperties(prefix = "radbridge.network")
public class NetworkProperties {
  /** The network's organisations: key, name, kind, region (stored as Organization resources). */
  private List<Org> organizations = new ArrayList<>();
  /** DICOM nodes: AE title, host, port, organisation, role (modality or pacs), modality, character set (stored as Endpoints). */
  private List<DicomNode> dicomNodes = new ArrayList<>();
  /** HL7 v2 applications: sending application and facility, organisation, outbound host:port (stored as Devices and Endpoints). */
  private List<Hl7Application> hl7Applications = new ArrayList<>();
  /** Issuer of Patient ID (DICOM) / PID-3.4 assigning authority → identifier system. */
  private Map<String, String> issuers = new LinkedHashMap<>();
  /** Which reading organisation an order goes to. */
  private Routing routing = new Routing();

  public static class Org {
    private String key;
    private String name;
    /** community-centre, reading-hospital or exchange. */
    private String kind;
    private String region;
    /** Overrides of the default identifier systems (…/sid/<key>/mrn, …/sid/<key>/accession). */
    private String patientIdSystem;
    private String accessionSystem;

    public String getKey() { return key; }
    public void setKey(String v) { key = v; }
    public String getName() { return name; }
    public void setName(String v) { name = v; }
    public String getKind() { return kind; }
    public void setKind(String v) { kind = v; }
    public String getRegion() { return region; }
    public void setRegion(String v) { region = v; }
    public String getPatientIdSystem() { return patientIdSystem; }
    public void setPatientIdSystem(String v) { patientIdSystem = v; }
    public String getAccessionSystem() { return accessionSystem; }
    public void setAccessionSystem(String v) { accessionSystem = v; }
  }

  public static class DicomNode {
    private String aeTitle;
    private String host;
    private int port = 104;
    private String organization;
    /** modality or pacs. */
    private String role;
    /** DCM modality code of a modality station (CT, MR, ...). */
    private String modality;
    /** Specific Character Set for worklist answers to this node (default ISO_IR 192, UTF-8). */
    private String characterSet = "ISO_IR 192";

    public String getAeTitle() { return aeTitle; }
    public void setAeTitle(String v) { aeTitle = v; }
    public String getHost() { return host; }
    public void setHost(String v) { host = v; }
    public int getPort() { return port; }
    public void setPort(int v) { port = v; }
    public String getOrganization() { return organization; }
    public void setOrganization(String v) { organization = v; }
    public String getRole() { return role; }
    public void setRole(String v) { role = v; }
    public String getModality() { return modality; }
    public void setModality(String v) { modality = v; }
    public String getCharacterSet() { return characterSet; }
    public void setCharacterSet(String v) { characterSet = v; }
  }

  public static class Hl7Application {
    /** MSH-3. */
    private String sendingApplication;
    /** MSH-4. */
    private String sendingFacility;
    private String organization;
    /** host:port of the application's own MLLP listener, for messages RadBridge sends it. */
    private String outbound;

    public String getSendingApplication() { return sendingApplication; }
    public void setSendingApplication(String v) { sendingApplication = v; }
    public String getSendingFacility() { return sendingFacility; }
    public void setSendingFacility(String v) { sendingFacility = v; }
    public String getOrganization() { return organization; }
    public void setOrganization(String v) { organization = v; }
    public String getOutbound() { return outbound; }
    public void setOutbound(String v) { outbound = v; }
  }

  public static class Routing {
    /** Rules (from, modality, priority → reading), the first that matches wins. */
    private List<Rule> rules = new ArrayList<>();
    /** Reading organisation when no rule matches. */
    private String defaultReading;

    public List<Rule> getRules() { return rules; }
    public void setRules(List<Rule> v) { rules = v; }
    public String getDefaultReading() { return defaultReading; }
    public void setDefaultReading(String v) { defaultReading = v; }
  }

  /** A routing rule: every given criterion must match; the first matching rule wins. */
  public static class Rule {
    private String from;
    private String modality;
    private String priority;
    private String reading;

    public String getFrom() { return from; }
    public void setFrom(String v) { from = v; }
    public String getModality() { return modality; }
    public void setModality(String v) { modality = v; }
    public String getPriority() { return priority; }
    public void setPriority(String v) { priority = v; }
    public String getReading() { return reading; }
    public void setReading(String v) { reading = v; }
  }

  public List<Org> getOrganizations() { return organizations; }
  public void setOrganizations(List<Org> v) { organizations = v; }
  public List<DicomNode> getDicomNodes() { return dicomNodes; }
  public void setDicomNodes(List<DicomNode> v) { dicomNodes = v; }
  public List<Hl7Application> getHl7Applications() { return hl7Applications; }
  public void setHl7Applications(List<Hl7Application> v) { hl7Applications = v; }
  public Map<String, String> getIssuers() { return issuers; }
  public void setIssuers(Map<String, String> v) { issuers = v; }
  public Routing getRouting() { return routing; }
  public void setRouting(Routing v) { routing = v; }
}
