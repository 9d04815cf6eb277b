package org.radbridge.server.dicom;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Raw DICOM upper-layer PDUs (PS3.8 9.3), for tests that must send what no toolkit would. */
final class TestPdus {
  static final String VERIFICATION = "1.2.840.10008.1.1";
  static final String IMPLICIT_LE = "1.2.840.10008.1.2";

  private TestPdus() {}

  /** An A-ASSOCIATE-RQ proposing Verification in implicit VR little endian (presentation context 1). */
  static byte[] associateRq(String calling, String called) throws IOException {
    return associateRq(calling, called, ' ');
  }

  /** The same, the AE titles padded with {@code pad} (a space as the standard says, or a NUL as some senders do). */
  static byte[] associateRq(String calling, String called, char pad) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(body);
    d.writeShort(1); // protocol version
    d.writeShort(0);
    d.write(ae(called, pad));
    d.write(ae(calling, pad));
    d.write(new byte[32]);
    item(d, 0x10, uid("1.2.840.10008.3.1.1.1"));
    ByteArrayOutputStream pc = new ByteArrayOutputStream();
    DataOutputStream p = new DataOutputStream(pc);
    p.write(new byte[] {1, 0, 0, 0});
    item(p, 0x30, uid(VERIFICATION));
    item(p, 0x40, uid(IMPLICIT_LE));
    item(d, 0x20, pc.toByteArray());
    ByteArrayOutputStream ui = new ByteArrayOutputStream();
    DataOutputStream u = new DataOutputStream(ui);
    u.write(new byte[] {0x51, 0, 0, 4});
    u.writeInt(16384);
    item(u, 0x52, uid("1.2.826.0.1.3680043.9.7433.1.1"));
    item(d, 0x50, ui.toByteArray());
    return pdu(0x01, body.toByteArray());
  }

  /** A P-DATA-TF with one PDV: a whole C-ECHO-RQ command on presentation context 1. */
  static byte[] echoRq(int messageId) throws IOException {
    ByteArrayOutputStream elements = new ByteArrayOutputStream();
    element(elements, 0x0002, uid(VERIFICATION));
    element(elements, 0x0100, us(0x0030));
    element(elements, 0x0110, us(messageId));
    element(elements, 0x0800, us(0x0101));
    ByteArrayOutputStream command = new ByteArrayOutputStream();
    element(command, 0x0000, ul(elements.size()));
    command.write(elements.toByteArray());
    ByteArrayOutputStream pdv = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(pdv);
    d.writeInt(command.size() + 2);
    d.write(1); // presentation context
    d.write(0x03); // command, last fragment
    d.write(command.toByteArray());
    return pdu(0x04, pdv.toByteArray());
  }

  /** Whether the PDU is a P-DATA-TF carrying a command with Status (0000,0900) Success. */
  static boolean successStatus(byte[] pdu) {
    byte[] status = {0, 0, 0x00, 0x09, 2, 0, 0, 0, 0, 0};
    if (pdu == null || pdu[0] != 0x04) {
      return false;
    }
    for (int i = 6; i + status.length <= pdu.length; i++) {
      if (java.util.Arrays.equals(pdu, i, i + status.length, status, 0, status.length)) {
        return true;
      }
    }
    return false;
  }

  /** A PDU header announcing {@code length} bytes, with none of them. */
  static byte[] header(int type, long length) {
    return new byte[] {(byte) type, 0, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
  }

  static byte[] pdu(int type, byte[] body) {
    byte[] all = new byte[6 + body.length];
    System.arraycopy(header(type, body.length), 0, all, 0, 6);
    System.arraycopy(body, 0, all, 6, body.length);
    return all;
  }

  /** The next whole PDU from {@code in}, or null at the end of the stream. */
  static byte[] read(InputStream in) throws IOException {
    byte[] h = in.readNBytes(6);
    if (h.length < 6) {
      return null;
    }
    long length = ((h[2] & 0xffL) << 24) | ((h[3] & 0xffL) << 16) | ((h[4] & 0xffL) << 8) | (h[5] & 0xffL);
    byte[] body = in.readNBytes((int) length);
    byte[] all = new byte[6 + body.length];
    System.arraycopy(h, 0, all, 0, 6);
    System.arraycopy(body, 0, all, 6, body.length);
    return all;
  }

  private static void item(DataOutputStream d, int type, byte[] value) throws IOException {
    d.write(type);
    d.write(0);
    d.writeShort(value.length);
    d.write(value);
  }

  /** An implicit VR little endian element of group 0000. */
  private static void element(ByteArrayOutputStream out, int element, byte[] value) {
    out.write(0);
    out.write(0);
    out.write(element & 0xff);
    out.write(element >>> 8);
    byte[] length = ul(value.length);
    out.write(length, 0, 4);
    out.write(value, 0, value.length);
  }

  private static byte[] us(int v) {
    return new byte[] {(byte) v, (byte) (v >>> 8)};
  }

  private static byte[] ul(int v) {
    return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
  }

  private static byte[] uid(String uid) {
    byte[] b = uid.getBytes(StandardCharsets.US_ASCII);
    if (b.length % 2 == 0) {
      return b;
    }
    byte[] padded = new byte[b.length + 1]; // UIDs are padded with NUL to an even length
    System.arraycopy(b, 0, padded, 0, b.length);
    return padded;
  }

  private static byte[] ae(String title, char pad) {
    return String.format("%-16s", title).replace(' ', pad).getBytes(StandardCharsets.US_ASCII);
  }
}
