--liquibase formatted sql

--changeset radbridge:009-subscription
-- Per subscription, the number of events it has had since it started: the backport's
-- eventsSinceSubscriptionStart and each notification's event number. Incremented in the
-- transaction of the write that matched, so numbers follow commit order per subscription and a
-- rolled-back write leaves no gap; receivers detect lost notifications from gaps.
CREATE TABLE subscription_state (
  subscription_id   varchar(64) PRIMARY KEY,
  events_since_start bigint     NOT NULL DEFAULT 0,
  started_at        timestamptz NOT NULL DEFAULT now()
);
