package org.radbridge.server.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.param.ReferenceAndListParam;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.AuditEvent;

/**
 * The audit trail as FHIR: {@code AuditEvent} read and search, rendered from {@code audit_record}
 * (never stored as resources). There is no create, update, patch or delete: the trail is changed
 * by nobody (HAPI answers those with 405). Search by patient, agent (its name: a client id, a
 * user, an AE title, MSH-3^MSH-4), entity, date, type, subtype and outcome; newest first, at most
 * {@code _count} (default 50, at most 1,000) — narrow by date to go further back.
 */
public class AuditEventProvider implements IResourceProvider {
  static final int DEFAULT_COUNT = 50;
  static final int MAX_COUNT = 1000;
  private final AuditRows rows;

  public AuditEventProvider(AuditRows rows, FhirContext ctx) {
    this.rows = rows;
  }

  @Override
  public Class<? extends IBaseResource> getResourceType() {
    return AuditEvent.class;
  }

  @Read
  public AuditEvent read(@IdParam IIdType id) {
    long pk;
    try {
      pk = Long.parseLong(id.getIdPart());
    } catch (NumberFormatException e) {
      throw new ResourceNotFoundException(id);
    }
    return rows.byId(pk).map(AuditEventRendering::render).orElseThrow(() -> new ResourceNotFoundException(id));
  }

  @Search
  public List<AuditEvent> search(
      @OptionalParam(name = "patient") ReferenceAndListParam patient,
      @OptionalParam(name = "agent") ReferenceAndListParam agent,
      @OptionalParam(name = "entity") ReferenceAndListParam entity,
      @OptionalParam(name = "date") DateRangeParam date,
      @OptionalParam(name = "type") TokenAndListParam type,
      @OptionalParam(name = "subtype") TokenAndListParam subtype,
      @OptionalParam(name = "outcome") TokenAndListParam outcome,
      @Count Integer count) {
    int limit = count == null ? DEFAULT_COUNT : count;
    if (limit < 0 || limit > MAX_COUNT) {
      throw new InvalidRequestException("_count must be 0.." + MAX_COUNT + " for AuditEvent");
    }
    List<Integer> outcomes = new ArrayList<>();
    for (String o : codes(outcome, "outcome")) {
      if (!List.of("0", "4", "8", "12").contains(o)) {
        throw new InvalidRequestException("outcome is one of 0, 4, 8, 12, not " + o);
      }
      outcomes.add(Integer.parseInt(o));
    }
    Instant from = null;
    Instant to = null;
    boolean fromInclusive = true;
    boolean toInclusive = true;
    if (date != null) {
      if (date.getLowerBound() != null) {
        from = date.getLowerBoundAsInstant().toInstant();
        fromInclusive = date.getLowerBound().getPrefix() != ParamPrefixEnum.GREATERTHAN;
      }
      if (date.getUpperBound() != null) {
        to = date.getUpperBoundAsInstant().toInstant();
        toInclusive = date.getUpperBound().getPrefix() != ParamPrefixEnum.LESSTHAN;
      }
    }
    AuditQuery q = new AuditQuery(references(patient, "Patient", true), references(agent, null, true),
        references(entity, null, false), from, fromInclusive, to, toInclusive, codes(type, "type"),
        codes(subtype, "subtype"), outcomes, null, null);
    return rows.find(q, limit).stream().map(AuditEventRendering::render).toList();
  }

  /** One parameter's values, OR'ed; several of the same parameter (AND) are refused rather than guessed. */
  private static List<String> references(ReferenceAndListParam p, String onlyType, boolean idOnly) {
    List<String> out = new ArrayList<>();
    if (p == null) {
      return out;
    }
    if (p.getValuesAsQueryTokens().size() > 1) {
      throw new InvalidRequestException("give each AuditEvent search parameter once (values OR'ed with commas)");
    }
    for (ReferenceOrListParam or : p.getValuesAsQueryTokens()) {
      for (ReferenceParam r : or.getValuesAsQueryTokens()) {
        if (r.getChain() != null) {
          throw new InvalidRequestException("AuditEvent search does not chain");
        }
        String type = r.getResourceType();
        if (onlyType != null && type != null && !onlyType.equals(type)) {
          throw new InvalidRequestException("patient takes Patient references, not " + type);
        }
        if (idOnly) {
          out.add(r.getIdPart());
        } else if (type == null) {
          throw new InvalidRequestException("entity takes Type/id, not " + r.getValue());
        } else {
          out.add(type + "/" + r.getIdPart());
        }
      }
    }
    return out;
  }

  private static List<String> codes(TokenAndListParam p, String name) {
    List<String> out = new ArrayList<>();
    if (p == null) {
      return out;
    }
    if (p.getValuesAsQueryTokens().size() > 1) {
      throw new InvalidRequestException("give " + name + " once (values OR'ed with commas)");
    }
    for (TokenOrListParam or : p.getValuesAsQueryTokens()) {
      for (TokenParam t : or.getValuesAsQueryTokens()) {
        out.add(t.getValue());
      }
    }
    return out;
  }
}
