package org.radbridge.server.job;

/** Does one bounded step of jobs of one kind, inside the transaction that holds the job's row lock. */
public interface JobHandler {
  String kind();

  JobStep step(Job job);
}
