package org.radbridge.server.rest;

import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.r4.model.Bundle;
import org.radbridge.server.bundle.BundleProcessor;

/** {@code POST /fhir} with a transaction or batch Bundle. */
public class TransactionProvider {
  private final BundleProcessor bundles;

  public TransactionProvider(BundleProcessor bundles) {
    this.bundles = bundles;
  }

  @Transaction
  public Bundle transaction(@TransactionParam Bundle bundle, RequestDetails request) {
    return bundles.process(bundle, request);
  }
}
