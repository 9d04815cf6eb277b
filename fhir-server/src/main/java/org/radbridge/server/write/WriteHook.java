package org.radbridge.server.write;

import java.util.Set;

/**
 * A feature's part in the write pipeline: a Spring bean that names its phase and the resource types
 * it is for, and is called for each write of those types on every channel (REST, bundles, DICOM,
 * HL7 v2, operations, and the pipeline's own follow-up writes such as an order's Task). Hooks of a
 * phase run in {@link org.springframework.core.annotation.Order} order. A hook that throws refuses
 * the write; in {@link WritePhase#PRE_COMMIT} that rolls back everything the request wrote.
 */
public interface WriteHook {
  WritePhase phase();

  /** The resource types this hook is for; empty means every type. */
  default Set<String> types() {
    return Set.of();
  }

  void on(WriteEvent event);
}
