package org.radbridge.server.search;

import java.util.List;

/** A SQL text and its positional parameters. */
public record SqlQuery(String sql, List<Object> params) {}
