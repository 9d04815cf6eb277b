package org.radbridge.server.subscription;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;

/**
 * {@code Subscription.channel.header} carries the receiver's credentials (a bearer token, an API
 * key). They are sent with each notification and never shown again: an answer shows each header as
 * {@code Name: ******}, and a write that sends such a masked header back keeps the stored value of
 * the header of that name — so a client can read, change and PUT a Subscription without knowing
 * its secrets.
 */
public final class ChannelHeaders {
  public static final String MASK = "******";

  private ChannelHeaders() {}

  /**
   * {@code resource} with every channel header masked — wherever a Subscription sits in it (itself,
   * a Bundle's entries, contained resources). A copy when anything is masked; the caller's
   * instance is never changed.
   */
  public static IBaseResource masked(IBaseResource resource) {
    if (resource == null || headersIn(resource).isEmpty()) {
      return resource;
    }
    // a copy by the parser, not copy(): copy() re-validates every date and fails on a stored
    // dateTime of minute precision, which the (lenient) parser accepted when it was written
    ca.uhn.fhir.parser.IParser json = ca.uhn.fhir.context.FhirContext.forR4Cached().newJsonParser();
    IBaseResource copy = json.parseResource(json.encodeResourceToString(resource));
    for (Subscription.SubscriptionChannelComponent channel : headersIn(copy)) {
      for (StringType h : channel.getHeader()) {
        if (h.hasValue()) {
          h.setValue(mask(h.getValue()));
        }
      }
    }
    return copy;
  }

  /** {@code Name: value} as {@code Name: ******}; a header without a name is masked whole. */
  static String mask(String header) {
    int colon = header.indexOf(':');
    return colon < 0 ? MASK : header.substring(0, colon) + ": " + MASK;
  }

  static boolean isMasked(String header) {
    return header != null && header.trim().endsWith(MASK) && mask(header).equals(header.trim());
  }

  /**
   * Puts the stored value back into every masked header of {@code incoming}. A masked header with
   * no stored header of that name is refused: the mask is not a value to send to a receiver.
   */
  public static void restoreMasked(Subscription incoming, Subscription stored) {
    List<StringType> storedHeaders = stored == null ? List.of() : stored.getChannel().getHeader();
    for (StringType h : incoming.getChannel().getHeader()) {
      if (!isMasked(h.getValue())) {
        continue;
      }
      String name = name(h.getValue());
      String kept = storedHeaders.stream().map(StringType::getValue)
          .filter(v -> v != null && name.equalsIgnoreCase(name(v))).findFirst()
          .orElseThrow(() -> new UnprocessableEntityException("Subscription.channel.header '" + h.getValue()
              + "' is masked and there is no stored header '" + name + "' to keep: send the header's value"));
      h.setValue(kept);
    }
  }

  private static String name(String header) {
    int colon = header.indexOf(':');
    return colon < 0 ? "" : header.substring(0, colon).trim();
  }

  private static List<Subscription.SubscriptionChannelComponent> headersIn(IBaseResource resource) {
    List<Subscription.SubscriptionChannelComponent> found = new java.util.ArrayList<>();
    collect((Resource) resource, found, 0);
    return found;
  }

  /** Subscriptions where an answer can carry them: itself, contained, Bundle entries, Parameters parts. */
  private static void collect(Resource r, List<Subscription.SubscriptionChannelComponent> found, int depth) {
    if (r == null || depth > 32) {
      return; // answers are bounded in depth by what was accepted; this is a guard, not a limit
    }
    if (r instanceof Subscription s && s.getChannel().hasHeader()) {
      found.add(s.getChannel());
    }
    if (r instanceof DomainResource d) {
      d.getContained().forEach(c -> collect(c, found, depth + 1));
    }
    if (r instanceof Bundle b) {
      b.getEntry().forEach(e -> collect(e.getResource(), found, depth + 1));
    }
    if (r instanceof Parameters p) {
      collectParts(p.getParameter(), found, depth + 1);
    }
  }

  private static void collectParts(List<Parameters.ParametersParameterComponent> parts,
      List<Subscription.SubscriptionChannelComponent> found, int depth) {
    for (Parameters.ParametersParameterComponent part : parts) {
      collect(part.getResource(), found, depth);
      collectParts(part.getPart(), found, depth + 1);
    }
  }
}
