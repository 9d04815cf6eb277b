package org.radbridge.server.store;

import java.time.Instant;

/** One stored version of a resource as it comes out of the database. */
public record StoredVersion(
    long resPk, String resType, String resId, int versionId, Instant lastUpdated,
    String method, boolean deleted, String content) {}
