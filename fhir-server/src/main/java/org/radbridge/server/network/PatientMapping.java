package org.radbridge.server.network;

import org.hl7.fhir.r4.model.Patient;
import org.radbridge.mappers.dicom.DicomInstance;
import org.radbridge.mappers.hl7v2.OrmMapper;
import org.radbridge.mappers.patient.PatientMapper;
import org.radbridge.server.RadBridgeProperties;
import org.springframework.stereotype.Component;

/** {@code PatientMapper} with the mapping context of a sending organisation: its issuers' systems, the zone. */
@Component
public class PatientMapping {
  private final IdentitySystems identity;
  private final RadBridgeProperties props;

  public PatientMapping(IdentitySystems identity, RadBridgeProperties props) {
    this.identity = identity;
    this.props = props;
  }

  public Patient fromHl7(OrmMapper.PatientData data, String senderOrgKey) {
    return PatientMapper.fromHl7(data, identity.mappingContext(senderOrgKey, props.zone()));
  }

  public Patient fromDicom(DicomInstance instance, String senderOrgKey) {
    return PatientMapper.fromDicom(instance, identity.mappingContext(senderOrgKey, props.zone()));
  }
}
