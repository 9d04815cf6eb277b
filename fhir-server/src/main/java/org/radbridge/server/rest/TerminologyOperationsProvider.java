package org.radbridge.server.rest;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.ConceptValidationOptions;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.LookupCodeRequest;
import ca.uhn.fhir.context.support.TranslateConceptResult;
import ca.uhn.fhir.context.support.TranslateConceptResults;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import ca.uhn.fhir.context.support.ValueSetExpansionOptions;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.instance.model.api.IBaseCoding;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;
import org.hl7.fhir.r4.model.ValueSet;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.terminology.NetworkConformance;

/**
 * The terminology operations, GET and POST, on the type and on an instance: CodeSystem $lookup and
 * $validate-code, ValueSet $validate-code and $expand, ConceptMap $translate. Every answer comes
 * from the one HAPI validation-support chain ({@link NetworkConformance#chain()}), so shipped and
 * stored terminology behave alike and a resource written through REST counts at once.
 */
public class TerminologyOperationsProvider {
  private static final int MAX_EXPANSION = 1000;

  private final NetworkConformance conformance;
  private final ResourceReader reader;

  public TerminologyOperationsProvider(NetworkConformance conformance, ResourceReader reader) {
    this.conformance = conformance;
    this.reader = reader;
  }

  // ---- CodeSystem ---------------------------------------------------------------------------

  @Operation(name = "$lookup", idempotent = true, typeName = "CodeSystem")
  public Parameters lookup(
      @OperationParam(name = "code", max = 1) CodeType code,
      @OperationParam(name = "system", max = 1) UriType system,
      @OperationParam(name = "version", max = 1) StringType version,
      @OperationParam(name = "coding", max = 1) Coding coding,
      @OperationParam(name = "displayLanguage", max = 1) CodeType displayLanguage,
      @OperationParam(name = "property") List<CodeType> properties) {
    String c = code != null ? code.getValue() : coding != null ? coding.getCode() : null;
    String s = system != null ? system.getValue() : coding != null ? coding.getSystem() : null;
    if (isBlank(c) || isBlank(s)) {
      throw new InvalidRequestException("$lookup needs code and system (or coding with both)");
    }
    List<String> names = new ArrayList<>();
    if (properties != null && !properties.isEmpty()) {
      properties.forEach(p -> names.add(p.getValue()));
    } else if (chain().fetchCodeSystem(s) instanceof CodeSystem cs) {
      // none asked for: return every property the code system defines (e.g. modality for LOINC)
      cs.getProperty().forEach(p -> names.add(p.getCode()));
    }
    IValidationSupport.LookupCodeResult result = chain().lookupCode(context(),
        new LookupCodeRequest(s, c, displayLanguage == null ? null : displayLanguage.getValue(), names));
    if (result == null || !result.isFound()) {
      String why = result != null && result.getErrorMessage() != null ? ": " + result.getErrorMessage() : "";
      throw new ResourceNotFoundException("Code " + c + " is not known in code system " + s + why);
    }
    List<IPrimitiveType<String>> wanted = new ArrayList<>();
    names.forEach(n -> wanted.add(new CodeType(n)));
    return (Parameters) result.toParameters(ctx(), wanted);
  }

  @Operation(name = "$validate-code", idempotent = true, typeName = "CodeSystem")
  public Parameters validateCodeInCodeSystem(@IdParam(optional = true) IIdType id,
      @OperationParam(name = "url", max = 1) UriType url,
      @OperationParam(name = "code", max = 1) CodeType code,
      @OperationParam(name = "version", max = 1) StringType version,
      @OperationParam(name = "display", max = 1) StringType display,
      @OperationParam(name = "coding", max = 1) Coding coding,
      @OperationParam(name = "codeableConcept", max = 1) CodeableConcept codeableConcept) {
    String system = id != null ? ((CodeSystem) readStored("CodeSystem", id)).getUrl() : value(url);
    if (isBlank(system)) {
      throw new InvalidRequestException("CodeSystem $validate-code needs url (or an instance id)");
    }
    List<Coding> codings = codings(code, system, coding, codeableConcept, "CodeSystem $validate-code");
    if (chain().fetchCodeSystem(system) == null && !chain().isCodeSystemSupported(context(), system)) {
      throw new ResourceNotFoundException("Code system " + system + " is not known to this server");
    }
    return validate(codings, system, display, null);
  }

  // ---- ValueSet -----------------------------------------------------------------------------

  @Operation(name = "$validate-code", idempotent = true, typeName = "ValueSet")
  public Parameters validateCodeInValueSet(@IdParam(optional = true) IIdType id,
      @OperationParam(name = "url", max = 1) UriType url,
      @OperationParam(name = "valueSet", max = 1) ValueSet valueSet,
      @OperationParam(name = "code", max = 1) CodeType code,
      @OperationParam(name = "system", max = 1) UriType system,
      @OperationParam(name = "display", max = 1) StringType display,
      @OperationParam(name = "coding", max = 1) Coding coding,
      @OperationParam(name = "codeableConcept", max = 1) CodeableConcept codeableConcept) {
    ValueSet vs = valueSet(id, url, valueSet, "ValueSet $validate-code");
    List<Coding> codings = codings(code, value(system), coding, codeableConcept, "ValueSet $validate-code");
    return validate(codings, null, display, vs);
  }

  @Operation(name = "$expand", idempotent = true, typeName = "ValueSet")
  public ValueSet expand(@IdParam(optional = true) IIdType id,
      @OperationParam(name = "url", max = 1) UriType url,
      @OperationParam(name = "valueSet", max = 1) ValueSet valueSet,
      @OperationParam(name = "filter", max = 1) StringType filter,
      @OperationParam(name = "count", max = 1) IntegerType count,
      @OperationParam(name = "offset", max = 1) IntegerType offset) {
    ValueSet vs = valueSet(id, url, valueSet, "$expand");
    int c = count == null || count.getValue() == null ? MAX_EXPANSION : count.getValue();
    int o = offset == null || offset.getValue() == null ? 0 : offset.getValue();
    if (c < 0 || o < 0) {
      throw new InvalidRequestException("$expand: count and offset must not be negative");
    }
    // HAPI's in-memory expansion neither counts nor pages; expand whole (bounded) and page here so
    // total and offset are exact
    ValueSetExpansionOptions options = new ValueSetExpansionOptions()
        .setCount(MAX_EXPANSION).setOffset(0).setFailOnMissingCodeSystem(false);
    if (filter != null && !isBlank(filter.getValue())) {
      options.setFilter(filter.getValue());
    }
    IValidationSupport.ValueSetExpansionOutcome outcome = chain().expandValueSet(context(), options, vs);
    if (outcome == null || outcome.getValueSet() == null) {
      throw new InvalidRequestException("ValueSet " + describe(vs) + " could not be expanded"
          + (outcome != null && outcome.getError() != null ? ": " + outcome.getError() : ""));
    }
    // a copy: the chain caches the expansion and the page is cut from it below
    ValueSet expanded = ((ValueSet) outcome.getValueSet()).copy();
    List<ValueSet.ValueSetExpansionContainsComponent> all = new ArrayList<>();
    for (ValueSet.ValueSetExpansionContainsComponent contains : expanded.getExpansion().getContains()) {
      if (filter == null || isBlank(filter.getValue()) || matches(contains, filter.getValue())) {
        all.add(contains);
      }
    }
    int from = Math.min(o, all.size());
    int to = Math.min(all.size(), from + Math.min(c, MAX_EXPANSION));
    expanded.getExpansion().setContains(new ArrayList<>(all.subList(from, to)));
    expanded.getExpansion().setTotal(all.size());
    expanded.getExpansion().setOffset(from);
    expanded.getExpansion().getParameter().clear();
    if (filter != null && !isBlank(filter.getValue())) {
      expanded.getExpansion().addParameter().setName("filter").setValue(new StringType(filter.getValue()));
    }
    expanded.getExpansion().addParameter().setName("count").setValue(new IntegerType(c));
    expanded.getExpansion().addParameter().setName("offset").setValue(new IntegerType(o));
    expanded.setId(vs.getIdElement().toUnqualifiedVersionless());
    expanded.setUrl(vs.getUrl());
    expanded.setVersion(vs.getVersion());
    expanded.setName(vs.getName());
    expanded.setTitle(vs.getTitle());
    expanded.setStatus(vs.getStatus());
    expanded.setCompose(null);
    return expanded;
  }

  /**
   * The $expand filter, as terminology servers commonly read it: every word of the filter starts a
   * word of the display (case-insensitive), or the filter starts the code.
   */
  static boolean matches(ValueSet.ValueSetExpansionContainsComponent c, String filter) {
    String f = filter.trim().toLowerCase(java.util.Locale.ROOT);
    if (c.hasCode() && c.getCode().toLowerCase(java.util.Locale.ROOT).startsWith(f)) {
      return true;
    }
    if (!c.hasDisplay()) {
      return false;
    }
    String[] words = c.getDisplay().toLowerCase(java.util.Locale.ROOT).split("[^\\p{L}\\p{N}]+");
    for (String part : f.split("\\s+")) {
      boolean found = false;
      for (String w : words) {
        if (w.startsWith(part)) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  // ---- ConceptMap ---------------------------------------------------------------------------

  @Operation(name = "$translate", idempotent = true, typeName = "ConceptMap")
  public Parameters translate(@IdParam(optional = true) IIdType id,
      @OperationParam(name = "url", max = 1) UriType url,
      @OperationParam(name = "conceptMapVersion", max = 1) StringType conceptMapVersion,
      @OperationParam(name = "code", max = 1) CodeType code,
      @OperationParam(name = "system", max = 1) UriType system,
      @OperationParam(name = "coding", max = 1) Coding coding,
      @OperationParam(name = "codeableConcept", max = 1) CodeableConcept codeableConcept,
      @OperationParam(name = "source", max = 1) UriType source,
      @OperationParam(name = "target", max = 1) UriType target,
      @OperationParam(name = "targetsystem", max = 1) UriType targetSystem,
      @OperationParam(name = "reverse", max = 1) BooleanType reverse) {
    String mapUrl = id != null ? ((ConceptMap) readStored("ConceptMap", id)).getUrl() : value(url);
    if (mapUrl != null && conformance.conceptMaps().stream().noneMatch(m -> mapUrl.equals(m.getUrl()))) {
      throw new ResourceNotFoundException("ConceptMap " + mapUrl + " is not known to this server");
    }
    List<Coding> codings = codings(code, value(system), coding, codeableConcept, "$translate");
    List<IBaseCoding> in = new ArrayList<>(codings);
    IValidationSupport.TranslateCodeRequest request = new IValidationSupport.TranslateCodeRequest(in,
        value(targetSystem), mapUrl, value(conceptMapVersion), value(source), value(target), null,
        reverse != null && Boolean.TRUE.equals(reverse.getValue()));
    TranslateConceptResults results = chain().translateConcept(request);
    Parameters out = new Parameters();
    boolean matched = results != null && results.getResult();
    out.addParameter().setName("result").setValue(new BooleanType(matched));
    String message = results == null ? null : results.getMessage();
    if (message != null) {
      out.addParameter().setName("message").setValue(new StringType(message));
    }
    if (results != null) {
      for (TranslateConceptResult r : results.getResults()) {
        Parameters.ParametersParameterComponent match = out.addParameter().setName("match");
        if (r.getEquivalence() != null) {
          match.addPart().setName("equivalence").setValue(new CodeType(r.getEquivalence()));
        }
        match.addPart().setName("concept").setValue(new Coding(r.getSystem(), r.getCode(), r.getDisplay()));
        if (r.getConceptMapUrl() != null) {
          match.addPart().setName("source").setValue(new UriType(r.getConceptMapUrl()));
        }
      }
    }
    return out;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private Parameters validate(List<Coding> codings, String codeSystem, StringType display, ValueSet vs) {
    ConceptValidationOptions options = new ConceptValidationOptions().setValidateDisplay(display != null);
    IValidationSupport.CodeValidationResult first = null;
    for (Coding coding : codings) {
      String system = coding.hasSystem() ? coding.getSystem() : codeSystem;
      String shown = display != null ? display.getValue() : coding.getDisplay();
      IValidationSupport.CodeValidationResult r = vs == null
          ? chain().validateCode(context(), options, system, coding.getCode(), shown, null)
          : chain().validateCodeInValueSet(context(), options, system, coding.getCode(), shown, vs);
      if (r != null && r.isOk()) {
        return result(true, r.getMessage(), r.getDisplay(), coding);
      }
      if (first == null) {
        first = r;
      }
    }
    Coding c = codings.get(0);
    String what = (c.hasSystem() ? c.getSystem() + "|" : "") + c.getCode();
    String message = first != null && first.getMessage() != null ? first.getMessage()
        : "Code " + what + " is not valid in " + (vs != null ? "value set " + describe(vs) : "code system " + codeSystem);
    return result(false, message, null, c);
  }

  private static Parameters result(boolean ok, String message, String display, Coding coding) {
    Parameters out = new Parameters();
    out.addParameter().setName("result").setValue(new BooleanType(ok));
    if (message != null && !message.isBlank()) {
      out.addParameter().setName("message").setValue(new StringType(message));
    }
    if (display != null) {
      out.addParameter().setName("display").setValue(new StringType(display));
    }
    out.addParameter().setName("code").setValue(new CodeType(coding.getCode()));
    if (coding.hasSystem()) {
      out.addParameter().setName("system").setValue(new UriType(coding.getSystem()));
    }
    return out;
  }

  private static List<Coding> codings(CodeType code, String system, Coding coding, CodeableConcept cc, String op) {
    List<Coding> out = new ArrayList<>();
    if (code != null && !isBlank(code.getValue())) {
      out.add(new Coding(system, code.getValue(), null));
    }
    if (coding != null && coding.hasCode()) {
      out.add(coding);
    }
    if (cc != null) {
      cc.getCoding().stream().filter(Coding::hasCode).forEach(out::add);
    }
    if (out.isEmpty()) {
      throw new InvalidRequestException(op + " needs a code (code, coding or codeableConcept)");
    }
    return out;
  }

  private ValueSet valueSet(IIdType id, UriType url, ValueSet given, String op) {
    if (id != null) {
      return (ValueSet) readStored("ValueSet", id);
    }
    if (given != null) {
      return given;
    }
    String u = value(url);
    if (isBlank(u)) {
      throw new InvalidRequestException(op + " needs url or valueSet (or an instance id)");
    }
    IBaseResource vs = chain().fetchValueSet(u);
    if (vs == null) {
      throw new ResourceNotFoundException("ValueSet " + u + " is not known to this server");
    }
    return (ValueSet) vs;
  }

  private IBaseResource readStored(String type, IIdType id) {
    Ids.requireValid(id.getIdPart());
    return reader.read(type, id.getIdPart());
  }

  private static String describe(ValueSet vs) {
    return vs.hasUrl() ? vs.getUrl() : vs.getIdElement().getValue();
  }

  private ValidationSupportChain chain() {
    return conformance.chain();
  }

  private ValidationSupportContext context() {
    return new ValidationSupportContext(conformance.chain());
  }

  private FhirContext ctx() {
    return conformance.fhirContext();
  }

  private static String value(IPrimitiveType<String> p) {
    return p == null ? null : p.getValue();
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
