package org.radbridge.server.store;

import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Told of every resource version the write path stores (REST, transaction, DICOM, HL7 v2, and the
 * Tasks the workflow keeps), inside the writing transaction: what it enqueues or writes commits or
 * rolls back with the change. Outbound HL7 v2 messages and subscription notifications start here.
 */
public interface WriteListener {
  /**
   * One stored change.
   *
   * @param previous the version before (null for a create or when the resource was deleted)
   * @param current the version stored (null for a delete)
   * @param resPk the resource's key (its index rows are written and visible in the transaction)
   * @param index the index rows written for {@code current} (null for a delete)
   */
  record Change(String type, String id, IBaseResource previous, IBaseResource current, long resPk,
      org.radbridge.server.search.IndexRows index) {}

  void written(Change change);
}
