package org.radbridge.server.dicom;

import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.PresentationContextSelectionPolicy;
import java.util.LinkedList;
import java.util.List;

/**
 * Which presentation contexts RadBridge accepts: Verification, Modality Worklist find, Study Root find, and every storage SOP class in a
 * transfer syntax it can store as received — explicit VR little endian first, else any recognised
 * encapsulated syntax the peer proposes (JPEG, JPEG-LS, JPEG 2000, RLE, deflate), else implicit VR
 * little endian, else explicit big endian. PixelMed reads the decision from the list it passed
 * in, and DCMTK needs result/reason 0 on each accepted context. Modality Worklist find is accepted
 * in explicit or implicit VR little endian.
 */
final class AcceptedContexts implements PresentationContextSelectionPolicy {
  static final String VERIFICATION = "1.2.840.10008.1.1";

  @Override
  public LinkedList applyPresentationContextSelectionPolicy(LinkedList contexts, int association, int debugLevel) {
    return applyPresentationContextSelectionPolicy(contexts, association);
  }

  @Override
  public LinkedList applyPresentationContextSelectionPolicy(LinkedList contexts, int association) {
    for (Object o : contexts) {
      PresentationContext pc = (PresentationContext) o;
      String abstractSyntax = pc.getAbstractSyntaxUID();
      boolean storage = SOPClass.isStorage(abstractSyntax);
      if (!storage && !VERIFICATION.equals(abstractSyntax) && !WorklistItems.MWL_FIND.equals(abstractSyntax)
          && !StudyRootFind.STUDY_ROOT_FIND.equals(abstractSyntax)) {
        pc.newTransferSyntaxUIDs();
        pc.setResultReason((byte) 3); // abstract syntax not supported
        continue;
      }
      String chosen = choose(pc.getTransferSyntaxUIDs(), storage);
      pc.newTransferSyntaxUIDs();
      if (chosen == null) {
        pc.setResultReason((byte) 4); // transfer syntaxes not supported
        continue;
      }
      pc.addTransferSyntaxUID(chosen);
      pc.setResultReason((byte) 0);
    }
    return contexts;
  }

  static String choose(List<?> offered, boolean storage) {
    if (offered.contains(TransferSyntax.ExplicitVRLittleEndian)) {
      return TransferSyntax.ExplicitVRLittleEndian;
    }
    if (storage) {
      for (Object o : offered) {
        TransferSyntax ts = new TransferSyntax((String) o);
        // PixelMed calls deflate not "recognized", yet reads it (it inflates while parsing)
        if ((ts.isRecognized() && ts.isEncapsulated() || ts.isDeflated()) && ts.isLittleEndian() && ts.isExplicitVR()) {
          return (String) o;
        }
      }
    }
    if (offered.contains(TransferSyntax.ImplicitVRLittleEndian)) {
      return TransferSyntax.ImplicitVRLittleEndian;
    }
    if (storage && offered.contains(TransferSyntax.ExplicitVRBigEndian)) {
      return TransferSyntax.ExplicitVRBigEndian;
    }
    return null;
  }
}
