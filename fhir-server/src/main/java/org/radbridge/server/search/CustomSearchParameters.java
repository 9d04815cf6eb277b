package org.radbridge.server.search;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.SearchParameter;
import org.radbridge.server.job.Job;
import org.radbridge.server.job.JobQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * SearchParameter resources stored in the server, turned into search parameters: checked when
 * written, loaded into the registry (at start, after a local write, and by polling for writes on
 * other nodes), and usable in search once their reindex job is done.
 */
@Component
public class CustomSearchParameters implements org.springframework.scheduling.annotation.SchedulingConfigurer {
  private final org.radbridge.server.RadBridgeProperties settings;

  /** Runs {@link #refreshIfChanged} at the interval radbridge.* gives (one configuration tree). */
  @Override
  public void configureTasks(org.springframework.scheduling.config.ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new org.springframework.scheduling.config.FixedDelayTask(this::refreshIfChanged,
        settings.getSearchParameters().getPollInterval(), java.time.Duration.ZERO));
  }

  private static final Logger log = LoggerFactory.getLogger(CustomSearchParameters.class);
  public static final String REINDEX = "reindex";

  private final FhirContext ctx;
  private final JdbcTemplate jdbc;
  private final SearchParamRegistry registry;
  private final JobQueue jobs;
  private final Set<String> ready = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile String signature = "";

  private final FhirPathEngine fhirPath;

  public CustomSearchParameters(FhirContext ctx, JdbcTemplate jdbc, SearchParamRegistry registry, JobQueue jobs,
      FhirPathEngine fhirPath, org.radbridge.server.RadBridgeProperties settings) {
    this.settings = settings;
    this.ctx = ctx;
    this.fhirPath = fhirPath;
    this.jdbc = jdbc;
    this.registry = registry;
    this.jobs = jobs;
  }

  /** Refuses a SearchParameter this server cannot use, with the reason (422). */
  public void check(SearchParameter sp) {
    if (sp.getStatus() != Enumerations.PublicationStatus.ACTIVE) {
      return; // drafts and retired parameters are stored but not used
    }
    if (!sp.hasCode() || !sp.getCode().matches("[a-z_][a-z0-9\\-_]*")) {
      throw new UnprocessableEntityException("SearchParameter.code '" + sp.getCode() + "' is missing or not a valid parameter name");
    }
    if (!sp.hasExpression()) {
      throw new UnprocessableEntityException("SearchParameter " + sp.getCode() + " has no expression");
    }
    RestSearchParameterTypeEnum type = sp.hasType() ? RestSearchParameterTypeEnum.forCode(sp.getType().toCode()) : null;
    if (type == null || type == RestSearchParameterTypeEnum.COMPOSITE || type == RestSearchParameterTypeEnum.SPECIAL) {
      throw new UnprocessableEntityException("SearchParameter " + sp.getCode() + " has type '"
          + (sp.hasType() ? sp.getType().toCode() : "") + "'; supported are string, token, reference, date, number, quantity, uri");
    }
    if (!sp.hasBase()) {
      throw new UnprocessableEntityException("SearchParameter " + sp.getCode() + " has no base resource type");
    }
    for (CodeType base : sp.getBase()) {
      if (!registry.isResourceType(base.getValue())) {
        throw new UnprocessableEntityException("SearchParameter base '" + base.getValue() + "' is not a resource type");
      }
      if (registry.isBuiltIn(base.getValue(), sp.getCode())) {
        throw new UnprocessableEntityException("SearchParameter code '" + sp.getCode() + "' is already an R4 parameter of "
            + base.getValue());
      }
    }
    try {
      for (String part : SearchParamRegistry.splitUnion(sp.getExpression())) {
        fhirPath.get().parse(part);
      }
    } catch (Exception e) {
      throw new UnprocessableEntityException("SearchParameter " + sp.getCode() + " expression '" + sp.getExpression()
          + "' is not valid FHIRPath: " + e.getMessage());
    }
  }

  /** Queues the reindex that makes a new or changed parameter searchable (in the writer's transaction). */
  public void queueReindex(String subject, SearchParameter sp) {
    ready.remove(subject);
    List<String> bases = sp.getBase().stream().map(CodeType::getValue).toList();
    Long total = jdbc.queryForObject("SELECT count(*) FROM resource WHERE res_type = ANY (?) AND NOT deleted",
        Long.class, (Object) bases.toArray(new String[0]));
    jobs.enqueue(REINDEX, subject, String.join(",", bases), total);
  }

  /** Reloads the custom parameters from the database into the registry. */
  public synchronized void reload() {
    Map<String, RuntimeSearchParam> bySubject = new LinkedHashMap<>();
    List<String[]> rows = jdbc.query("SELECT res_id, content FROM resource WHERE res_type = 'SearchParameter' AND NOT deleted",
        (rs, n) -> new String[] {rs.getString(1), rs.getString(2)});
    for (String[] row : rows) {
      try {
        SearchParameter sp = (SearchParameter) ctx.newJsonParser().parseResource(row[1]);
        if (sp.getStatus() != Enumerations.PublicationStatus.ACTIVE) {
          continue;
        }
        bySubject.put("SearchParameter/" + row[0], toRuntime(sp));
      } catch (Exception e) {
        log.warn("Stored SearchParameter/{} is not usable: {}", row[0], e.getMessage());
      }
    }
    registry.setCustom(bySubject);
    signature = currentSignature();
  }

  /** Notices SearchParameter writes made on other nodes. */
  public void refreshIfChanged() {
    if (!currentSignature().equals(signature)) {
      reload();
    }
  }

  private String currentSignature() {
    return jdbc.queryForObject("SELECT count(*) || '/' || coalesce(max(last_updated)::text, '') FROM resource"
        + " WHERE res_type = 'SearchParameter'", String.class);
  }

  /** Whether search may use a custom parameter: its latest reindex job is done. */
  public boolean isReady(String subject) {
    if (ready.contains(subject)) {
      return true;
    }
    boolean done = jobs.latestFor(REINDEX, subject).map(Job::isDone).orElse(false);
    if (done) {
      ready.add(subject);
    }
    return done;
  }

  public java.util.Optional<Job> reindexJob(String subject) {
    return jobs.latestFor(REINDEX, subject);
  }

  private static RuntimeSearchParam toRuntime(SearchParameter sp) {
    Set<String> targets = new HashSet<>();
    sp.getTarget().forEach(t -> targets.add(t.getValue()));
    List<String> bases = new ArrayList<>();
    sp.getBase().forEach(b -> bases.add(b.getValue()));
    return new RuntimeSearchParam(new IdType(sp.getIdElement().getValue()), sp.getUrl(), sp.getCode(),
        sp.getDescription(), sp.getExpression(), RestSearchParameterTypeEnum.forCode(sp.getType().toCode()), Set.of(),
        targets, RuntimeSearchParam.RuntimeSearchParamStatusEnum.ACTIVE, bases);
  }
}
