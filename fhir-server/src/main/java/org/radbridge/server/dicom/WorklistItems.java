package org.radbridge.server.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.ApplicationEntityAttribute;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.network.NetworkResources;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.workflow.OrderWorkflow;
import org.springframework.stereotype.Component;

/**
 * Modality Worklist items (IHE RAD SWF.b RAD-5) from active ServiceRequests, per the network's
 * worklist contract: accession = the ACSN identifier, modality = the DCM coding of performerType,
 * station = the performer Device's {@code urn:dicom:ae} identifier, start = occurrence, Study
 * Instance UID / Requested Procedure ID / SPS ID = the identifiers RadBridge assigned.
 */
@Component
public class WorklistItems {
  static final String MWL_FIND = "1.2.840.10008.5.1.4.31";
  private static final int MAX_CANDIDATES = 1000;
  private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd");
  private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss");

  private final SearchService search;
  private final ResourceReader reader;
  private final RadBridgeProperties props;

  public WorklistItems(SearchService search, ResourceReader reader, RadBridgeProperties props) {
    this.search = search;
    this.reader = reader;
    this.props = props;
  }

  /** Items matching the query that the caller may see, with the query's keys only, in the given character set. */
  public List<AttributeList> find(AttributeList query, String characterSet,
      org.radbridge.server.store.Visibility visibility) throws DicomException {
    List<AttributeList> out = new ArrayList<>();
    SpecificCharacterSet cs = new SpecificCharacterSet(new String[] {characterSet});
    // the calling node's organisation's orders only, as a predicate of the query
    for (SearchService.Match m : search.match("ServiceRequest", SearchCriteria.where().token("status", null, "active").build(),
        MAX_CANDIDATES, visibility)) {
      ServiceRequest sr = (ServiceRequest) reader.read("ServiceRequest", m.resId());
      AttributeList item = item(sr, cs);
      if (QueryMatching.matches(query, item)) {
        AttributeList projected = QueryMatching.project(query, item);
        put(projected, new CodeStringAttribute(TagFromName.SpecificCharacterSet), characterSet);
        out.add(projected);
      }
    }
    return out;
  }

  AttributeList item(ServiceRequest sr, SpecificCharacterSet cs) throws DicomException {
    AttributeList l = new AttributeList();
    Patient patient = read(sr.getSubject(), Patient.class).orElse(null);
    if (patient != null) {
      put(l, new PersonNameAttribute(TagFromName.PatientName, cs), patient.hasName() ? pn(patient.getNameFirstRep()) : null);
      Identifier id = patient.getIdentifierFirstRep();
      put(l, new LongStringAttribute(TagFromName.PatientID, cs), id.getValue());
      put(l, new LongStringAttribute(TagFromName.IssuerOfPatientID, cs), id.getSystem());
      put(l, new DateAttribute(TagFromName.PatientBirthDate),
          patient.hasBirthDate() ? patient.getBirthDateElement().getValueAsString().replace("-", "") : null);
      put(l, new CodeStringAttribute(TagFromName.PatientSex), patient.getGender() == null ? null
          : switch (patient.getGender()) {
            case MALE -> "M";
            case FEMALE -> "F";
            case OTHER -> "O";
            default -> null;
          });
    }
    put(l, new ShortStringAttribute(TagFromName.AccessionNumber, cs), identifier(sr, null));
    put(l, new ShortStringAttribute(TagFromName.RequestedProcedureID, cs), identifier(sr, OrderWorkflow.RP_ID));
    String description = sr.getCode().hasText() ? sr.getCode().getText()
        : sr.getCode().getCoding().stream().filter(Coding::hasDisplay).map(Coding::getDisplay).findFirst().orElse(null);
    put(l, new LongStringAttribute(TagFromName.RequestedProcedureDescription, cs), description);
    String uid = identifier(sr, OrderWorkflow.DICOM_UID);
    put(l, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), uid == null ? null : uid.replaceFirst("^urn:oid:", ""));
    put(l, new PersonNameAttribute(TagFromName.RequestingPhysician, cs),
        read(sr.getRequester(), Practitioner.class).filter(Practitioner::hasName).map(p -> pn(p.getNameFirstRep()))
            .orElse(sr.getRequester().getDisplay()));
    put(l, new CodeStringAttribute(tag(0x0040, 0x1003)), sr.getPriority() == null ? null
        : switch (sr.getPriority()) {
          case STAT -> "STAT";
          case ASAP, URGENT -> "HIGH";
          default -> "ROUTINE";
        });

    AttributeList sps = new AttributeList();
    put(sps, new CodeStringAttribute(TagFromName.Modality), sr.getPerformerType().getCoding().stream()
        .filter(c -> NetworkResources.DCM.equals(c.getSystem())).map(Coding::getCode).findFirst().orElse(null));
    put(sps, new ApplicationEntityAttribute(TagFromName.ScheduledStationAETitle), station(sr));
    ZoneId zone = props.zone();
    ZonedDateTime start = sr.hasOccurrenceDateTimeType() ? sr.getOccurrenceDateTimeType().getValue().toInstant().atZone(zone)
        : sr.hasOccurrencePeriod() && sr.getOccurrencePeriod().hasStart()
            ? sr.getOccurrencePeriod().getStart().toInstant().atZone(zone) : null;
    put(sps, new DateAttribute(TagFromName.ScheduledProcedureStepStartDate), start == null ? null : start.format(DA));
    put(sps, new TimeAttribute(TagFromName.ScheduledProcedureStepStartTime), start == null ? null : start.format(TM));
    put(sps, new ShortStringAttribute(tag(0x0040, 0x0009), cs), identifier(sr, OrderWorkflow.SPS_ID));
    put(sps, new LongStringAttribute(TagFromName.ScheduledProcedureStepDescription, cs), description);
    SequenceAttribute seq = new SequenceAttribute(tag(0x0040, 0x0100));
    seq.addItem(sps);
    l.put(seq);
    return l;
  }

  private String station(ServiceRequest sr) {
    for (Reference r : sr.getPerformer()) {
      if (r.getReference() != null && r.getReference().startsWith("Device/")) {
        Optional<Device> d = read(r, Device.class);
        if (d.isPresent()) {
          return d.get().getIdentifier().stream().filter(i -> NetworkResources.AE_SYSTEM.equals(i.getSystem()))
              .map(Identifier::getValue).findFirst().orElse(null);
        }
      }
    }
    return null;
  }

  private static String identifier(ServiceRequest sr, String system) {
    for (Identifier i : sr.getIdentifier()) {
      boolean accession = system == null && i.getType().getCoding().stream().anyMatch(c -> "ACSN".equals(c.getCode()));
      if (accession || (system != null && system.equals(i.getSystem()))) {
        return i.getValue();
      }
    }
    return null;
  }

  private <T extends IBaseResource> Optional<T> read(Reference ref, Class<T> type) {
    String r = ref == null ? null : ref.getReference();
    String typeName = type.getSimpleName();
    if (r == null || !r.startsWith(typeName + "/")) {
      return Optional.empty();
    }
    try {
      return Optional.of(type.cast(reader.read(typeName, r.substring(typeName.length() + 1))));
    } catch (RuntimeException notThere) {
      return Optional.empty();
    }
  }

  /** FHIR HumanName → DICOM PN (Family^Given^Middle^Prefix^Suffix). */
  static String pn(HumanName n) {
    String given = n.getGiven().isEmpty() ? "" : n.getGiven().get(0).getValue();
    String middle = n.getGiven().size() > 1 ? n.getGiven().get(1).getValue() : "";
    String prefix = n.getPrefix().isEmpty() ? "" : n.getPrefix().get(0).getValue();
    String pn = String.join("^", n.hasFamily() ? n.getFamily() : "", given, middle, prefix);
    return pn.replaceAll("\\^+$", "");
  }

  private static void put(AttributeList l, Attribute a, String value) throws DicomException {
    if (value != null && !value.isBlank()) {
      a.addValue(value);
    }
    l.put(a);
  }

  static AttributeTag tag(int group, int element) {
    return new AttributeTag(group, element);
  }
}
