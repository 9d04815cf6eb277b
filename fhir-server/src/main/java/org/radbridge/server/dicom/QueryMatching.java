package org.radbridge.server.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.ValueRepresentation;
import java.util.Locale;

/**
 * C-FIND matching and return keys per DICOM PS3.4 C.2.2.2: an empty key matches anything
 * (universal) and asks for the value; single-value matching; wildcards {@code *} and {@code ?}
 * (person names case-insensitive; matched without regular expressions, see {@link #wildcard}); date and time ranges ({@code a-b}, {@code -b}, {@code a-});
 * UID lists; sequence matching on the first item of a sequence key. Only the keys asked for are
 * returned.
 */
final class QueryMatching {
  private QueryMatching() {}

  /** Whether the candidate matches every non-empty key of the query. */
  static boolean matches(AttributeList query, AttributeList candidate) {
    for (Object o : query.values()) {
      Attribute key = (Attribute) o;
      AttributeTag tag = key.getTag();
      if (tag.getGroup() == 0x0008 && (tag.getElement() == 0x0005 || tag.getElement() == 0x0052)) {
        continue; // Specific Character Set and Query/Retrieve Level are not matching keys
      }
      if (key instanceof SequenceAttribute seq) {
        if (seq.getNumberOfItems() == 0) {
          continue;
        }
        AttributeList itemQuery = seq.getItem(0).getAttributeList();
        Attribute c = candidate.get(tag);
        if (!(c instanceof SequenceAttribute cs) || cs.getNumberOfItems() == 0) {
          if (hasValues(itemQuery)) {
            return false;
          }
          continue;
        }
        boolean any = false;
        for (int i = 0; i < cs.getNumberOfItems() && !any; i++) {
          any = matches(itemQuery, cs.getItem(i).getAttributeList());
        }
        if (!any) {
          return false;
        }
        continue;
      }
      String wanted = value(key);
      if (wanted == null || wanted.isEmpty()) {
        continue; // universal matching
      }
      String have = value(candidate.get(tag));
      if (!matchesValue(key.getVR(), wanted, have)) {
        return false;
      }
    }
    return true;
  }

  static boolean matchesValue(byte[] vr, String wanted, String have) {
    if (have == null) {
      return false;
    }
    if (ValueRepresentation.isDateVR(vr) || ValueRepresentation.isTimeVR(vr) || ValueRepresentation.isDateTimeVR(vr)) {
      int dash = wanted.indexOf('-');
      if (dash >= 0) {
        String from = wanted.substring(0, dash).trim();
        String to = wanted.substring(dash + 1).trim();
        return (from.isEmpty() || have.compareTo(from) >= 0) && (to.isEmpty() || have.compareTo(pad(to)) <= 0);
      }
      return have.startsWith(wanted);
    }
    if (ValueRepresentation.isUniqueIdentifierVR(vr)) {
      for (String uid : wanted.split("\\\\")) {
        if (uid.trim().equals(have)) {
          return true;
        }
      }
      return false;
    }
    boolean personName = ValueRepresentation.isPersonNameVR(vr);
    if (wanted.contains("*") || wanted.contains("?")) {
      return wildcard(wanted, have, personName);
    }
    return personName ? wanted.toLowerCase(Locale.ROOT).equals(have.toLowerCase(Locale.ROOT)) : wanted.equals(have);
  }

  /**
   * Whether {@code value} matches {@code pattern}, where {@code *} is any run of characters and
   * {@code ?} any one. No regular expression (a crafted pattern such as {@code *a*a*a*a*b} would
   * backtrack exponentially): the text between stars must match at the start, at the end, and in
   * between at its leftmost place in order — each place tried once, so the work is at most the
   * value's length times the pattern's.
   */
  static boolean wildcard(String pattern, String value, boolean ignoreCase) {
    int[] v = fold(value, ignoreCase);
    java.util.List<int[]> parts = new java.util.ArrayList<>();
    for (String part : pattern.split("\\*", -1)) {
      parts.add(fold(part, ignoreCase));
    }
    if (parts.size() == 1) {
      return v.length == parts.get(0).length && matchesAt(parts.get(0), v, 0);
    }
    int[] first = parts.get(0);
    int[] last = parts.get(parts.size() - 1);
    int tail = v.length - last.length;
    if (tail < first.length || !matchesAt(first, v, 0) || !matchesAt(last, v, tail)) {
      return false;
    }
    int at = first.length;
    for (int[] middle : parts.subList(1, parts.size() - 1)) {
      int found = -1;
      for (int i = at; i + middle.length <= tail && found < 0; i++) {
        if (matchesAt(middle, v, i)) {
          found = i;
        }
      }
      if (found < 0) {
        return false;
      }
      at = found + middle.length;
    }
    return true;
  }

  /** Whether the star-free {@code part} ({@code ?} any one character) matches {@code v} from {@code at}. */
  private static boolean matchesAt(int[] part, int[] v, int at) {
    if (at < 0 || at + part.length > v.length) {
      return false;
    }
    for (int i = 0; i < part.length; i++) {
      if (part[i] != '?' && part[i] != v[at + i]) {
        return false;
      }
    }
    return true;
  }

  /** Code points (so {@code ?} is one character, not one UTF-16 unit), case-folded for person names. */
  private static int[] fold(String s, boolean ignoreCase) {
    return s.codePoints().map(c -> ignoreCase ? Character.toLowerCase(Character.toUpperCase(c)) : c).toArray();
  }

  /** The candidate's values for exactly the keys of the query (empty when the candidate has none). */
  static AttributeList project(AttributeList query, AttributeList candidate) throws DicomException {
    AttributeList out = new AttributeList();
    for (Object o : query.values()) {
      Attribute key = (Attribute) o;
      AttributeTag tag = key.getTag();
      Attribute c = candidate.get(tag);
      if (key instanceof SequenceAttribute seq) {
        SequenceAttribute result = new SequenceAttribute(tag);
        if (c instanceof SequenceAttribute cs) {
          AttributeList itemQuery = seq.getNumberOfItems() > 0 ? seq.getItem(0).getAttributeList() : new AttributeList();
          for (int i = 0; i < cs.getNumberOfItems(); i++) {
            AttributeList item = cs.getItem(i).getAttributeList();
            if (itemQuery.isEmpty() || matches(itemQuery, item)) {
              result.addItem(itemQuery.isEmpty() ? item : project(itemQuery, item));
            }
          }
        }
        out.put(result);
      } else if (c != null) {
        out.put(c);
      } else {
        out.put(com.pixelmed.dicom.AttributeFactory.newAttribute(tag, key.getVR())); // asked for, no value
      }
    }
    return out;
  }

  private static boolean hasValues(AttributeList list) {
    for (Object o : list.values()) {
      String v = value((Attribute) o);
      if (v != null && !v.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private static String value(Attribute a) {
    if (a == null) {
      return null;
    }
    try {
      String[] values = a.getStringValues();
      if (values == null || values.length == 0) {
        return null;
      }
      return String.join("\\", values).trim();
    } catch (DicomException e) {
      return null;
    }
  }

  /** An upper bound of a range compared as text: a date stays, a shorter time covers its whole unit. */
  private static String pad(String to) {
    return to + "\uffff";
  }
}
