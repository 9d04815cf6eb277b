--liquibase formatted sql

--changeset radbridge:016-security
-- The built-in authorization server's state (Spring Authorization Server's JDBC schema, with
-- PostgreSQL's text and timestamptz as its notes ask): registered clients and issued
-- authorizations. Kept in the database so every node knows every client and token.
CREATE TABLE oauth2_registered_client (
  id varchar(100) NOT NULL PRIMARY KEY,
  client_id varchar(100) NOT NULL UNIQUE,
  client_id_issued_at timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL,
  client_secret varchar(200) DEFAULT NULL,
  client_secret_expires_at timestamptz DEFAULT NULL,
  client_name varchar(200) NOT NULL,
  client_authentication_methods varchar(1000) NOT NULL,
  authorization_grant_types varchar(1000) NOT NULL,
  redirect_uris varchar(1000) DEFAULT NULL,
  post_logout_redirect_uris varchar(1000) DEFAULT NULL,
  scopes varchar(1000) NOT NULL,
  client_settings varchar(8000) NOT NULL,
  token_settings varchar(2000) NOT NULL
);

CREATE TABLE oauth2_authorization (
  id varchar(100) NOT NULL PRIMARY KEY,
  registered_client_id varchar(100) NOT NULL,
  principal_name varchar(200) NOT NULL,
  authorization_grant_type varchar(100) NOT NULL,
  authorized_scopes varchar(1000) DEFAULT NULL,
  attributes text DEFAULT NULL,
  state varchar(500) DEFAULT NULL,
  authorization_code_value text DEFAULT NULL,
  authorization_code_issued_at timestamptz DEFAULT NULL,
  authorization_code_expires_at timestamptz DEFAULT NULL,
  authorization_code_metadata text DEFAULT NULL,
  access_token_value text DEFAULT NULL,
  access_token_issued_at timestamptz DEFAULT NULL,
  access_token_expires_at timestamptz DEFAULT NULL,
  access_token_metadata text DEFAULT NULL,
  access_token_type varchar(100) DEFAULT NULL,
  access_token_scopes varchar(1000) DEFAULT NULL,
  oidc_id_token_value text DEFAULT NULL,
  oidc_id_token_issued_at timestamptz DEFAULT NULL,
  oidc_id_token_expires_at timestamptz DEFAULT NULL,
  oidc_id_token_metadata text DEFAULT NULL,
  refresh_token_value text DEFAULT NULL,
  refresh_token_issued_at timestamptz DEFAULT NULL,
  refresh_token_expires_at timestamptz DEFAULT NULL,
  refresh_token_metadata text DEFAULT NULL,
  user_code_value text DEFAULT NULL,
  user_code_issued_at timestamptz DEFAULT NULL,
  user_code_expires_at timestamptz DEFAULT NULL,
  user_code_metadata text DEFAULT NULL,
  device_code_value text DEFAULT NULL,
  device_code_issued_at timestamptz DEFAULT NULL,
  device_code_expires_at timestamptz DEFAULT NULL,
  device_code_metadata text DEFAULT NULL
);
CREATE INDEX oauth2_authorization_expiry ON oauth2_authorization (access_token_expires_at);

-- The key pair that signs the access tokens, one per key id, made by the first node that starts
-- (a JWK with its private part); every node signs and verifies with the newest.
CREATE TABLE signing_key (
  kid varchar(64) PRIMARY KEY,
  jwk text NOT NULL,
  created timestamptz NOT NULL DEFAULT now()
);

-- SMART Backend Services: a client assertion's jti may be used once (until it expires).
CREATE TABLE client_assertion_jti (
  client_id varchar(100) NOT NULL,
  jti varchar(255) NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX client_assertion_jti_expiry ON client_assertion_jti (expires_at);
