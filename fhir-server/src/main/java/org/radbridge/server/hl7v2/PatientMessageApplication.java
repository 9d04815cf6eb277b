package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ADT_A01;
import ca.uhn.hl7v2.model.v251.message.ADT_A05;
import ca.uhn.hl7v2.model.v251.segment.PID;
import java.util.List;
import org.hl7.fhir.r4.model.Patient;
import org.radbridge.mappers.hl7v2.OrmMapper;
import org.radbridge.server.readiness.ReadinessGate;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.network.PatientIdentity;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.write.WriteRequest;
import org.radbridge.server.terminology.NetworkConformance;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * ADT^A08 / ADT^A31 (update patient information): the Patient found through the identity table
 * (PID-3 and its assigning authority) gets the name, birth date and sex the message carries — a
 * new version, other elements kept; one not known yet is created. Another organisation's patient
 * is not the sender's to change ({@link SenderOwnership}: AE 207 at PID-3, nothing written).
 */
@Component
public class PatientMessageApplication extends LoggedMessageApplication {
  private final PatientIdentity patients;
  private final org.radbridge.server.network.PatientMapping mapping;
  private final SenderOwnership ownership;
  private final ResourceReader reader;
  private final ResourceWriter writer;

  public PatientMessageApplication(NetworkDirectory directory, PatientIdentity patients, ResourceReader reader,
      ResourceWriter writer, NetworkConformance conformance, MessageLog messages, TransactionTemplate tx, ReadinessGate ready,
      org.radbridge.server.network.PatientMapping mapping, SenderOwnership ownership) {
    super(messages, tx, ready, directory, conformance);
    this.mapping = mapping;
    this.ownership = ownership;
    this.patients = patients;
    this.reader = reader;
    this.writer = writer;
  }

  @Override
  public boolean canProcess(Message message) {
    return message instanceof ADT_A01 || message instanceof ADT_A05;
  }


  @Override
  Message process(Message message, Caller caller) throws HL7Exception {
    String orgKey = caller.organization();
    PID pid = message instanceof ADT_A01 a01 ? a01.getPID() : ((ADT_A05) message).getPID();
    OrmMapper.PatientData data = OrmMapper.patient(pid);
    Patient update = mapping.fromHl7(data, orgKey);
    ownership.checkPatient(update, orgKey);
    String id = patients.resolve(update, caller);
    Patient current = (Patient) reader.read("Patient", id);
    boolean changed = false;
    if (update.hasName() && !update.getNameFirstRep().equalsDeep(current.getNameFirstRep())) {
      current.setName(List.of(update.getNameFirstRep()));
      changed = true;
    }
    if (update.hasBirthDate() && !update.getBirthDateElement().equalsDeep(current.getBirthDateElement())) {
      current.setBirthDateElement(update.getBirthDateElement());
      changed = true;
    }
    if (update.hasGender() && update.getGender() != current.getGender()) {
      current.setGender(update.getGender());
      changed = true;
    }
    if (changed) {
      current.setMeta(null);
      writer.write(WriteRequest.update("Patient", id, current, null, caller));
    }
    return ack(message, AcknowledgmentCode.AA, null);
  }


}
