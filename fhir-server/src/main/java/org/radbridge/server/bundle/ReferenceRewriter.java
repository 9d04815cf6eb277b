package org.radbridge.server.bundle;

import ca.uhn.fhir.context.FhirContext;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Reference;

/**
 * Replaces the fullUrls of a transaction's entries ({@code urn:uuid:...}, {@code urn:oid:...}) by
 * the ids the server gave them: in every Reference, wherever it is nested, and in the narrative's
 * {@code a href} and {@code img src}, as R4's transaction rules require.
 */
final class ReferenceRewriter {
  private final FhirContext ctx;

  ReferenceRewriter(FhirContext ctx) {
    this.ctx = ctx;
  }

  void rewrite(IBaseResource resource, Map<String, String> fullUrlToId) {
    for (Reference ref : ctx.newTerser().getAllPopulatedChildElementsOfType(resource, Reference.class)) {
      String target = ref.getReference();
      if (target != null && fullUrlToId.containsKey(target)) {
        ref.setReference(fullUrlToId.get(target));
      }
    }
    if (resource instanceof DomainResource dr && dr.hasText() && dr.getText().hasDiv()) {
      String div = dr.getText().getDivAsString();
      String updated = div;
      for (var e : fullUrlToId.entrySet()) {
        if (updated.contains(e.getKey())) {
          updated = updated.replace("href=\"" + e.getKey() + "\"", "href=\"" + e.getValue() + "\"")
              .replace("src=\"" + e.getKey() + "\"", "src=\"" + e.getValue() + "\"");
        }
      }
      if (!updated.equals(div)) {
        dr.getText().setDivAsString(updated);
      }
    }
  }
}
