package com.pixelmed.network;

import com.pixelmed.dicom.VersionAndConstants;
import com.pixelmed.utils.ByteArray;
import java.io.IOException;
import java.net.Socket;
import java.util.LinkedList;

/**
 * RadBridge's addition to PixelMed's package: an association initiated over a socket that is
 * already connected — a TLS socket from RadBridge's SSL bundle (org.radbridge.server.dicom.DicomTls).
 * PixelMed's own initiator opens its socket itself, and its TLS is TLSv1 with RSA key exchange from
 * the JVM's default context, which neither a current JDK nor DCMTK's BCP 195 profile will speak. It
 * lives in this package because the PDU classes it negotiates with are package-private; from the
 * A-ASSOCIATE-AC on, the association is PixelMed's as any other.
 */
public final class SocketAssociationInitiator extends Association {
  private SocketAssociationInitiator(Socket connected, String calledAETitle, String callingAETitle,
      LinkedList<?> presentationContexts, int ourMaximumLengthReceived) throws DicomNetworkException, IOException {
    this.calledAETitle = calledAETitle;
    this.callingAETitle = callingAETitle;
    this.presentationContexts = presentationContexts;
    this.scuSCPRoleSelections = null;
    this.socket = connected;
    AssociateRequestPDU request = new AssociateRequestPDU(calledAETitle, callingAETitle,
        VersionAndConstants.implementationClassUID, VersionAndConstants.implementationVersionName,
        ourMaximumLengthReceived, presentationContexts, null);
    try {
      in = connected.getInputStream();
      out = connected.getOutputStream();
      out.write(request.getBytes());
      out.flush();
      byte[] start = new byte[6];
      readInsistently(in, start, 0, 6, "type and length of PDU");
      int type = start[0] & 0xff;
      int length = ByteArray.bigEndianToUnsignedInt(start, 2, 4);
      if (length < 0 || length > 1024 * 1024) {
        throw new DicomNetworkException("A-P-ABORT indication - an answer of " + length + " bytes to A-ASSOCIATE-RQ");
      }
      if (type == 0x02) {
        AssociateAcceptPDU accept = new AssociateAcceptPDU(getRestOfPDU(in, start, length));
        this.presentationContexts = accept.getAcceptedPresentationContextsWithAbstractSyntaxIncludedFromRequest(
            this.presentationContexts);
        this.maximumLengthReceived = accept.getMaximumLengthReceived();
      } else if (type == 0x03) {
        AssociateRejectPDU reject = new AssociateRejectPDU(getRestOfPDU(in, start, length));
        throw new DicomNetworkException("A-ASSOCIATE-RJ indication - " + reject.getInfo());
      } else if (type == 0x07) {
        AAbortPDU abort = new AAbortPDU(getRestOfPDU(in, start, length));
        throw new DicomNetworkException("A-ABORT indication - " + abort.getInfo());
      } else {
        out.write(new AAbortPDU(2, 2).getBytes()); // service provider, unexpected PDU
        out.flush();
        throw new DicomNetworkException("A-P-ABORT indication - PDU type 0x" + Integer.toHexString(type)
            + " in answer to A-ASSOCIATE-RQ");
      }
    } catch (IOException e) {
      connected.close();
      throw new DicomNetworkException("A-P-ABORT indication - " + e);
    } catch (DicomNetworkException | RuntimeException e) {
      connected.close();
      throw e;
    }
  }

  /**
   * Requests an association over {@code connected} (already connected, TLS handshake done) and
   * returns it in Data Transfer, or throws: rejected, aborted, or the connection failed (closed then).
   */
  public static Association initiate(Socket connected, String calledAETitle, String callingAETitle,
      LinkedList<?> presentationContexts) throws DicomNetworkException, IOException {
    return new SocketAssociationInitiator(connected, calledAETitle, callingAETitle, presentationContexts,
        AssociationFactory.getDefaultMaximumLengthReceived());
  }

  @Override
  public String getCallingAEHostName() {
    return getLocalHostName();
  }

  @Override
  public String getCalledAEHostName() {
    return getRemoteHostName();
  }

  @Override
  public int getCallingAEPort() {
    return getLocalPort();
  }

  @Override
  public int getCalledAEPort() {
    return getRemotePort();
  }
}
