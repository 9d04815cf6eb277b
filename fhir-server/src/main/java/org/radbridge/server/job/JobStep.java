package org.radbridge.server.job;

/** What one step of a job achieved: the new cursor, how many items it handled, and whether it finished. */
public record JobStep(long cursorPk, long processedDelta, boolean finished) {}
