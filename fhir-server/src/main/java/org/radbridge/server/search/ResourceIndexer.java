package org.radbridge.server.search;

import org.radbridge.server.store.IndexRows;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.fhirpath.IFhirPath;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Enumeration;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Money;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Timing;
import org.hl7.fhir.r4.model.UriType;
import org.radbridge.server.search.SearchParamRegistry.IndexedParam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Turns a resource into its search index rows: every search parameter of its type is evaluated
 * with HAPI's FHIRPath engine and each value converted by the parameter's kind.
 */
@Component
public class ResourceIndexer {
  private static final Logger log = LoggerFactory.getLogger(ResourceIndexer.class);

  private final FhirContext ctx;
  private final SearchParamRegistry registry;
  private final FhirPathEngine fhirPath;
  private final java.util.Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final String ownBase;

  public ResourceIndexer(FhirContext ctx, SearchParamRegistry registry, org.radbridge.server.RadBridgeProperties props,
      FhirPathEngine fhirPath) {
    this.ctx = ctx;
    this.registry = registry;
    this.ownBase = SearchValues.ownBase(props.getBaseUrl());
    this.fhirPath = fhirPath;
  }

  public IndexRows index(IBaseResource resource) {
    String type = ctx.getResourceType(resource);
    IndexRows rows = new IndexRows();
    for (IndexedParam p : registry.indexedParamsFor(type)) {
      if (SearchParamRegistry.RESOURCE_TABLE_PARAMS.contains(p.name()) || p.expressions().isEmpty()) {
        continue;
      }
      List<IBase> values = new java.util.ArrayList<>();
      try {
        for (IFhirPath.IParsedExpression e : p.expressions()) {
          values.addAll(fhirPath.get().evaluate(resource, e, IBase.class));
        }
      } catch (Exception e) {
        // an expression that fails on this resource leaves that parameter unindexed; say so once
        if (warned.add(type + "." + p.name())) {
          log.warn("Search parameter {}.{} could not be evaluated ({}); it is not indexed for such resources",
              type, p.name(), e.getMessage());
        }
        continue;
      }
      for (IBase value : values) {
        add(rows, p, value);
      }
    }
    return rows.deduplicated();
  }

  private void add(IndexRows rows, IndexedParam p, IBase value) {
    String name = p.name();
    switch (p.param().getParamType()) {
      case STRING -> addString(rows, name, value);
      case TOKEN -> addToken(rows, name, value);
      case REFERENCE -> addReference(rows, name, value);
      case DATE -> addDate(rows, name, value);
      case NUMBER -> addNumber(rows, name, value);
      case QUANTITY -> addQuantity(rows, name, value);
      case URI -> addUri(rows, name, value);
      default -> { /* composite and special parameters are evaluated at query time */ }
    }
  }

  private static void addString(IndexRows rows, String name, IBase value) {
    if (value instanceof HumanName n) {
      n.getGiven().forEach(g -> string(rows, name, g.getValue()));
      string(rows, name, n.getFamily());
      n.getPrefix().forEach(g -> string(rows, name, g.getValue()));
      n.getSuffix().forEach(g -> string(rows, name, g.getValue()));
      string(rows, name, n.getText());
    } else if (value instanceof Address a) {
      a.getLine().forEach(l -> string(rows, name, l.getValue()));
      string(rows, name, a.getCity());
      string(rows, name, a.getDistrict());
      string(rows, name, a.getState());
      string(rows, name, a.getPostalCode());
      string(rows, name, a.getCountry());
      string(rows, name, a.getText());
    } else if (value instanceof PrimitiveType<?> prim) {
      string(rows, name, prim.getValueAsString());
    }
  }

  private static void string(IndexRows rows, String name, String v) {
    if (v != null && !v.isBlank()) {
      rows.strings.add(new IndexRows.StringRow(name, SearchValues.normalise(v), v));
    }
  }

  private static void addToken(IndexRows rows, String name, IBase value) {
    if (value instanceof Identifier id) {
      token(rows, name, id.getSystem(), id.getValue(), id.getType().hasText() ? SearchValues.normalise(id.getType().getText()) : null);
      // identifier:of-type matches type coding + value; kept as its own rows
      if (id.hasValue()) {
        for (Coding t : id.getType().getCoding()) {
          token(rows, name + ":of-type", t.getSystem(), t.getCode() + "|" + id.getValue(), null);
        }
      }
    } else if (value instanceof CodeableConcept cc) {
      String text = cc.hasText() ? SearchValues.normalise(cc.getText()) : null;
      for (Coding c : cc.getCoding()) {
        token(rows, name, c.getSystem(), c.getCode(), c.hasDisplay() ? SearchValues.normalise(c.getDisplay()) : text);
      }
      // :text searches CodeableConcept.text as well as each display: the text gets a row of its own
      boolean textCovered = cc.getCoding().stream().anyMatch(c -> !c.hasDisplay());
      if (text != null && !textCovered) {
        rows.tokens.add(new IndexRows.TokenRow(name, null, null, text));
      }
    } else if (value instanceof Coding c) {
      token(rows, name, c.getSystem(), c.getCode(), c.hasDisplay() ? SearchValues.normalise(c.getDisplay()) : null);
    } else if (value instanceof ContactPoint cp) {
      token(rows, name, null, cp.getValue(), null);
    } else if (value instanceof Enumeration<?> e) {
      if (e.getValue() != null) {
        token(rows, name, e.getSystem(), e.getValueAsString(), null);
      }
    } else if (value instanceof BooleanType b) {
      token(rows, name, null, b.getValueAsString(), null);
    } else if (value instanceof PrimitiveType<?> prim) {
      token(rows, name, null, prim.getValueAsString(), null);
    }
  }

  private static void token(IndexRows rows, String name, String system, String code, String textNorm) {
    if ((code == null || code.isEmpty()) && (system == null || system.isEmpty())) {
      return;
    }
    rows.tokens.add(new IndexRows.TokenRow(name, SearchValues.clip(emptyToNull(system), SearchValues.MAX_TOKEN_LENGTH),
        SearchValues.clip(emptyToNull(code), SearchValues.MAX_TOKEN_LENGTH), textNorm));
  }

  private void addReference(IndexRows rows, String name, IBase value) {
    String ref = null;
    if (value instanceof Reference r) {
      ref = r.getReference();
      // reference:identifier matches the logical identifier written in the reference
      if (r.hasIdentifier()) {
        token(rows, name + ":identifier", r.getIdentifier().getSystem(), r.getIdentifier().getValue(), null);
      }
      if (ref == null && r.getResource() != null && r.getResource().getIdElement().hasIdPart()) {
        ref = r.getResource().getIdElement().getValue();
      }
    } else if (value instanceof UriType u) {
      ref = u.getValue();
    }
    if (ref == null || ref.isEmpty() || ref.startsWith("#")) {
      return;
    }
    if (ref.startsWith("urn:") || (!ref.contains("/"))) {
      rows.references.add(new IndexRows.ReferenceRow(name, null, null, SearchValues.clip(ref, SearchValues.MAX_URI_LENGTH)));
      return;
    }
    if (ownBase != null && ref.startsWith(ownBase)) {
      ref = ref.substring(ownBase.length()); // a reference to this server written in full is local
    }
    IdType id = new IdType(ref);
    if (id.getIdPart() == null || id.getIdPart().length() > 64) {
      return; // not a valid literal reference: nothing to match it by
    }
    if (id.hasBaseUrl()) {
      // a resource on another server: matched by its URL only, never as a local Type/id
      rows.references.add(new IndexRows.ReferenceRow(name, null, null,
          SearchValues.clip(id.toVersionless().getValue(), SearchValues.MAX_URI_LENGTH)));
      return;
    }
    rows.references.add(new IndexRows.ReferenceRow(name, id.getResourceType(), id.getIdPart(), null));
  }

  private static void addDate(IndexRows rows, String name, IBase value) {
    if (value instanceof BaseDateTimeType dt) {
      Instant[] r = SearchValues.range(dt);
      if (r != null) {
        rows.dates.add(new IndexRows.DateRow(name, SearchValues.clamp(r[0]), SearchValues.clamp(r[1])));
      }
    } else if (value instanceof Period p) {
      Instant[] start = p.hasStart() ? SearchValues.range(p.getStartElement()) : null;
      Instant[] end = p.hasEnd() ? SearchValues.range(p.getEndElement()) : null;
      if (start != null || end != null) {
        rows.dates.add(new IndexRows.DateRow(name,
            start != null ? SearchValues.clamp(start[0]) : SearchValues.MIN_INSTANT,
            end != null ? SearchValues.clamp(end[1]) : SearchValues.MAX_INSTANT));
      }
    } else if (value instanceof Timing t) {
      for (var event : t.getEvent()) {
        addDate(rows, name, event);
      }
      if (t.hasRepeat() && t.getRepeat().hasBoundsPeriod()) {
        addDate(rows, name, t.getRepeat().getBoundsPeriod());
      }
    }
  }

  private static void addNumber(IndexRows rows, String name, IBase value) {
    if (value instanceof DecimalType d && d.getValue() != null) {
      rows.numbers.add(new IndexRows.NumberRow(name, SearchValues.storable(name, d.getValue())));
    } else if (value instanceof IntegerType i && i.getValue() != null) {
      rows.numbers.add(new IndexRows.NumberRow(name, BigDecimal.valueOf(i.getValue())));
    }
  }

  private static void addQuantity(IndexRows rows, String name, IBase value) {
    if (value instanceof Quantity q && q.hasValue()) {
      rows.quantities.add(new IndexRows.QuantityRow(name, SearchValues.storable(name, q.getValue()),
          SearchValues.clip(emptyToNull(q.getSystem()), SearchValues.MAX_TOKEN_LENGTH),
          SearchValues.clip(emptyToNull(q.getCode()), SearchValues.MAX_UNIT_LENGTH),
          SearchValues.clip(emptyToNull(q.getUnit()), SearchValues.MAX_UNIT_LENGTH)));
    } else if (value instanceof Money m && m.hasValue()) {
      rows.quantities.add(new IndexRows.QuantityRow(name, SearchValues.storable(name, m.getValue()), "urn:iso:std:iso:4217",
          SearchValues.clip(emptyToNull(m.getCurrency()), SearchValues.MAX_UNIT_LENGTH),
          SearchValues.clip(emptyToNull(m.getCurrency()), SearchValues.MAX_UNIT_LENGTH)));
    } else if (value instanceof Range r) {
      if (r.hasLow()) addQuantity(rows, name, r.getLow());
      if (r.hasHigh()) addQuantity(rows, name, r.getHigh());
    }
  }

  private static void addUri(IndexRows rows, String name, IBase value) {
    if (value instanceof PrimitiveType<?> p && p.getValueAsString() != null && !p.getValueAsString().isEmpty()) {
      rows.uris.add(new IndexRows.UriRow(name, SearchValues.clip(p.getValueAsString(), SearchValues.MAX_URI_LENGTH)));
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
