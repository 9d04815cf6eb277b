package org.radbridge.server.subscription;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Subscription;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/**
 * Matches every stored change (any channel: REST, transaction, DICOM, HL7 v2, the workflow's
 * Tasks) against the active subscriptions of its type, inside the writing transaction: a topic's
 * trigger is judged from the previous and stored version; criteria (R4 criteria, or a topic's
 * filters) are decided from the resource's index rows where plain token and reference clauses
 * suffice ({@code InMemoryMatcher}), otherwise by the search engine on the resource just written,
 * all remaining distinct criteria of the type in one statement. Each match gets its event number
 * and outbox row.
 */
@Component
public class SubscriptionMatcher implements WriteHook {
  private final ActiveSubscriptions active;
  private final SearchService search;
  private final SubscriptionEvents events;

  private final org.radbridge.server.search.InMemoryMatcher inMemory;

  public SubscriptionMatcher(ActiveSubscriptions active, SearchService search, SubscriptionEvents events) {
    this.active = active;
    this.search = search;
    this.events = events;
    this.inMemory = new org.radbridge.server.search.InMemoryMatcher(search.registry());
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public void on(WriteEvent change) {
    if ("Subscription".equals(change.type())) {
      handshakeWhenActivated(change);
      // this node sees the change as soon as it commits; other nodes by their poll
      if (org.springframework.transaction.support.TransactionSynchronizationManager.isSynchronizationActive()) {
        org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
            new org.springframework.transaction.support.TransactionSynchronization() {
              @Override
              public void afterCommit() {
                active.reload();
              }
            });
      }
      return;
    }
    if (change.resource() == null) {
      return; // a delete matches no criteria (R4 criteria are evaluated on the resource)
    }
    List<SubscriptionSpec> watching = active.watching(change.type());
    if (watching.isEmpty()) {
      return;
    }
    List<SubscriptionSpec> matched = new ArrayList<>();
    Map<String, Integer> criteriaIndex = new LinkedHashMap<>();
    List<SearchCriteria> distinct = new ArrayList<>();
    List<SubscriptionSpec> needCriteria = new ArrayList<>();
    for (SubscriptionSpec s : watching) {
      if (s.isTopic() && !s.topic().trigger().fires(change.previous(), change.resource())) {
        continue;
      }
      java.util.Optional<Boolean> decided = s.criteria().isEmpty() ? java.util.Optional.of(true)
          : inMemory.matches(change.type(), s.criteria(), change.index());
      if (decided.isPresent()) {
        if (decided.get()) {
          matched.add(s);
        }
      } else {
        criteriaIndex.computeIfAbsent(s.criteria().canonical(), k -> {
          distinct.add(s.criteria());
          return distinct.size() - 1;
        });
        needCriteria.add(s);
      }
    }
    if (!distinct.isEmpty()) {
      Set<Integer> hits = search.matchingAmong(change.type(), distinct, change.resPk());
      for (SubscriptionSpec s : needCriteria) {
        if (hits.contains(criteriaIndex.get(s.criteria().canonical()))) {
          matched.add(s);
        }
      }
    }
    String version = change.resource().getIdElement().getVersionIdPart();
    for (SubscriptionSpec s : matched) {
      // a subscription is told only about what its owner may read
      if (active.ownerMayRead(s.id(), change.readers())) {
        events.record(s.id(), change.type(), change.id(), version);
      }
    }
  }

  /** The backport's handshake, when a topic subscription becomes active. */
  private void handshakeWhenActivated(WriteEvent change) {
    if (!(change.resource() instanceof Subscription now) || now.getStatus() != Subscription.SubscriptionStatus.ACTIVE) {
      return;
    }
    IBaseResource before = change.previous();
    boolean wasActive = before instanceof Subscription b && b.getStatus() == Subscription.SubscriptionStatus.ACTIVE;
    if (!wasActive && now.getCriteria() != null && now.getCriteria().startsWith(NetworkTopics.BASE)
        && now.getChannel().getType() == Subscription.SubscriptionChannelType.RESTHOOK) {
      events.handshake(change.id());
    }
  }
}
