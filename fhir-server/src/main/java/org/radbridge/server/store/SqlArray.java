package org.radbridge.server.store;

/** A statement parameter bound as a PostgreSQL array (for unnest-based multi-row inserts). */
public record SqlArray(String elementType, Object[] values) {}
