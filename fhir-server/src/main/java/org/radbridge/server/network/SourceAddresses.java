package org.radbridge.server.network;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The addresses a DICOM node or an HL7 application may connect from: IP addresses and CIDR ranges,
 * IPv4 ({@code 10.1.2.7}, {@code 10.1.2.0/24}) and IPv6 ({@code 2001:db8::7}, {@code 2001:db8:1::/48}).
 * Pure: entries are read as literals only (a host name is an error, never looked up). Everything is
 * compared as 16 bytes, an IPv4 address as its IPv4-mapped IPv6 form ({@code ::ffff:a.b.c.d}, prefix
 * + 96), so {@code 10.0.0.0/8} and {@code ::ffff:10.0.0.0/104} are the same range and match a peer
 * whether its socket reports it as IPv4 or IPv4-mapped IPv6. Host bits after the prefix are ignored
 * ({@code 10.1.2.5/24} is {@code 10.1.2.0/24}).
 */
public final class SourceAddresses {
  private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

  /** One entry: a network of {@code prefix} leading bits (of 128). */
  private record Range(byte[] network, int prefix, String text) {
    boolean contains(byte[] address) {
      int whole = prefix / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[whole] & mask) == (network[whole] & mask);
    }
  }

  private final List<Range> ranges;

  private SourceAddresses(List<Range> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  /** The entries; an entry that is not an IP address or CIDR range fails, naming it. */
  public static SourceAddresses parse(Collection<String> entries) {
    List<Range> ranges = new ArrayList<>();
    for (String e : entries) {
      ranges.add(range(e));
    }
    return new SourceAddresses(ranges);
  }

  /** Exactly these addresses (a host name's, as resolved). */
  public static SourceAddresses exactly(Collection<InetAddress> addresses) {
    return new SourceAddresses(addresses.stream()
        .map(a -> new Range(sixteen(a.getAddress()), 128, a.getHostAddress())).toList());
  }

  /** What is wrong with an entry, or empty when it is an IP address or CIDR range. */
  public static Optional<String> problemWith(String entry) {
    try {
      range(entry);
      return Optional.empty();
    } catch (IllegalArgumentException bad) {
      return Optional.of(bad.getMessage());
    }
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** Whether the address is within one of the entries. */
  public boolean matches(InetAddress address) {
    if (address == null) {
      return false;
    }
    byte[] a = sixteen(address.getAddress());
    for (Range r : ranges) {
      if (r.contains(a)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return String.join(", ", ranges.stream().map(Range::text).toList());
  }

  private static Range range(String entry) {
    if (entry == null || entry.isBlank()) {
      throw new IllegalArgumentException("an empty source address");
    }
    String text = entry.strip();
    int slash = text.indexOf('/');
    String literal = slash < 0 ? text : text.substring(0, slash);
    byte[] raw = literal(literal, text);
    int bits = raw.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = text.substring(slash + 1);
      if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
        throw new IllegalArgumentException("'" + text + "' has a prefix length that is not 0 to " + bits);
      }
      prefix = Integer.parseInt(p);
    }
    if (raw.length == 4) {
      prefix += 96;
    }
    byte[] network = sixteen(raw);
    for (int i = 0; i < 16; i++) { // clear the host bits
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      network[i] &= (byte) ((0xff << (8 - keep)) & 0xff);
    }
    return new Range(network, prefix, text);
  }

  /** The bytes of an IPv4 (4) or IPv6 (16) literal, read without any name lookup. */
  private static byte[] literal(String s, String entry) {
    if (s.indexOf(':') < 0) {
      return ipv4(s).orElseThrow(() -> new IllegalArgumentException("'" + entry
          + "' is not an IP address or CIDR range (a.b.c.d, a.b.c.d/n, an IPv6 address, or one with /n)"));
    }
    if (!s.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException("'" + entry + "' is not an IPv6 address or range");
    }
    try {
      // with a colon, only hex digits, colons and dots: InetAddress reads it as a literal, no lookup
      InetAddress a = InetAddress.getByName(s);
      byte[] b = a.getAddress();
      // written as ::ffff:a.b.c.d, InetAddress gives the IPv4 address: its range is in 128 bits all the same
      return a instanceof Inet4Address ? sixteen(b) : b;
    } catch (UnknownHostException bad) {
      throw new IllegalArgumentException("'" + entry + "' is not an IPv6 address or range");
    }
  }

  /** A dotted quad of decimal octets 0-255, nothing else (no leading zeros: 010 is octal to some tools). */
  private static Optional<byte[]> ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (!parts[i].matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(parts[i]) > 255) {
        return Optional.empty();
      }
      b[i] = (byte) Integer.parseInt(parts[i]);
    }
    return Optional.of(b);
  }

  /** A 4-byte address as IPv4-mapped IPv6; a 16-byte one as it is. */
  private static byte[] sixteen(byte[] address) {
    if (address.length == 16) {
      return address.clone();
    }
    byte[] out = new byte[16];
    System.arraycopy(MAPPED_PREFIX, 0, out, 0, 12);
    System.arraycopy(address, 0, out, 12, 4);
    return out;
  }
}
