package org.radbridge.server.subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Subscription;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The active subscriptions, by the resource type they watch, held in memory so matching a write
 * costs no lookup. Reloaded after a Subscription write commits on this node, and when a cheap
 * fingerprint (count and latest update of Subscription rows) shows another node changed one.
 */
@Component
public class ActiveSubscriptions implements org.springframework.scheduling.annotation.SchedulingConfigurer {
  private final org.radbridge.server.RadBridgeProperties settings;

  /** Runs {@link #pollOtherNodes} at the interval radbridge.* gives (one configuration tree). */
  @Override
  public void configureTasks(org.springframework.scheduling.config.ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new org.springframework.scheduling.config.FixedDelayTask(this::pollOtherNodes,
        settings.getSubscriptions().getPollInterval(), java.time.Duration.ZERO));
  }

  private static final Logger log = LoggerFactory.getLogger(ActiveSubscriptions.class);
  private static final int MAX = 10_000;

  private final SearchService search;
  private final ResourceReader reader;
  private final JdbcTemplate jdbc;
  private volatile Map<String, List<SubscriptionSpec>> byType = Map.of();
  private volatile String fingerprint = "";

  private final SubscriptionOwners ownerRows;

  public ActiveSubscriptions(SearchService search, ResourceReader reader, JdbcTemplate jdbc,
      org.radbridge.server.RadBridgeProperties settings, SubscriptionOwners ownerRows) {
    this.ownerRows = ownerRows;
    this.settings = settings;
    this.search = search;
    this.reader = reader;
    this.jdbc = jdbc;
  }

  private volatile Map<String, org.radbridge.server.store.Visibility> owners = Map.of();

  /**
   * Whether the subscription's owner may read a resource with these readers (a subscription of no
   * known owner — written before owners were kept — only what every organisation may read).
   */
  public boolean ownerMayRead(String subscriptionId, Set<String> readers) {
    org.radbridge.server.store.Visibility owner = owners.getOrDefault(subscriptionId,
        org.radbridge.server.store.Visibility.of(null));
    return owner.everything() || readers.stream().anyMatch(owner.organisations()::contains);
  }

  public List<SubscriptionSpec> watching(String resourceType) {
    return byType.getOrDefault(resourceType, List.of());
  }

  public int count() {
    return byType.values().stream().mapToInt(List::size).sum();
  }

  /** Reads every active subscription again. */
  public synchronized void reload() {
    String now = currentFingerprint();
    owners = ownerRows.all();
    List<SubscriptionSpec> specs = new ArrayList<>();
    for (SearchService.Match m : search.match("Subscription", SearchCriteria.where().token("status", null, "active").build(), MAX)) {
      try {
        specs.add(SubscriptionSpec.of((Subscription) reader.read("Subscription", m.resId())));
      } catch (RuntimeException unusable) {
        log.warn("Subscription/{} is active but cannot be served: {}", m.resId(), unusable.getMessage());
      }
    }
    byType = specs.stream().collect(Collectors.groupingBy(SubscriptionSpec::resourceType));
    fingerprint = now;
  }

  private String currentFingerprint() {
    return jdbc.queryForObject("SELECT count(*) || '/' || coalesce(max(last_updated)::text, '') FROM resource"
        + " WHERE res_type = 'Subscription'", String.class);
  }

  void pollOtherNodes() {
    try {
      if (!currentFingerprint().equals(fingerprint)) {
        reload();
      }
    } catch (RuntimeException e) {
      log.debug("subscription reload failed (database not ready?): {}", e.getMessage());
    }
  }
}
