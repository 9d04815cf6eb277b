--liquibase formatted sql

--changeset radbridge:018-subscription-owner
-- Who a Subscription was written for: it is told only about what that reader may read (an
-- administrator or the exchange: everything; else its organisation's and everyone's resources).
-- A subscription without a row (written before this change) is told about nothing of a patient.
CREATE TABLE subscription_owner (
  subscription_id varchar(64) PRIMARY KEY,
  everything boolean NOT NULL,
  organisations text[] NOT NULL
);
