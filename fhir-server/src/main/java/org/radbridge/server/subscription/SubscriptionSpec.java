package org.radbridge.server.subscription;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.List;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Subscription;
import org.radbridge.server.search.SearchCriteria;

/**
 * A Subscription as the matcher and the delivery use it: either R4 criteria
 * ({@code Type?params}) or a backport topic (criteria = topic canonical, filters in the
 * {@code backport-filter-criteria} extension), the channel and what the payload carries.
 */
public record SubscriptionSpec(String id, String resourceType, SearchCriteria criteria,
    NetworkTopics.Topic topic, Subscription.SubscriptionChannelType channel, String endpoint, List<String> headers,
    String payloadMime, String content) {
  public static final String BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";
  public static final String FILTER_CRITERIA = BACKPORT + "backport-filter-criteria";
  public static final String PAYLOAD_CONTENT = BACKPORT + "backport-payload-content";

  /** Whether this is a topic-based (backport) subscription. */
  public boolean isTopic() {
    return topic != null;
  }

  /**
   * Reads a Subscription; a problem a client must fix is a 422 naming the element.
   */
  public static SubscriptionSpec of(Subscription s) {
    String id = s.getIdElement().getIdPart();
    String criteriaText = s.getCriteria();
    if (criteriaText == null || criteriaText.isBlank()) {
      throw new UnprocessableEntityException("Subscription.criteria is required: a search (e.g. "
          + "DiagnosticReport?status=final) or a topic (" + NetworkTopics.BASE + "report-final)");
    }
    NetworkTopics.Topic topic = null;
    String type;
    SearchCriteria criteria;
    if (criteriaText.startsWith("http://") || criteriaText.startsWith("https://")) {
      topic = NetworkTopics.byUrl(criteriaText.trim()).orElseThrow(() -> new UnprocessableEntityException(
          "Subscription.criteria names the topic " + criteriaText + ", which this server does not have; its topics are "
              + NetworkTopics.ALL.stream().map(NetworkTopics.Topic::url).toList()));
      type = topic.resourceType();
      criteria = SearchCriteria.parse("");
      List<Extension> filters = s.getCriteriaElement().getExtensionsByUrl(FILTER_CRITERIA);
      if (filters.size() > 1) {
        throw new UnprocessableEntityException("Subscription.criteria has more than one " + FILTER_CRITERIA
            + " extension; give one, with all filters joined by &");
      }
      if (!filters.isEmpty()) {
        String filter = filters.get(0).getValue().primitiveValue();
        String query = filter.contains("?") ? filter.substring(filter.indexOf('?') + 1) : filter;
        if (filter.contains("?") && !filter.substring(0, filter.indexOf('?')).equals(type)) {
          throw new UnprocessableEntityException("The filter '" + filter + "' is about "
              + filter.substring(0, filter.indexOf('?')) + ", but the topic " + topic.url() + " is about " + type);
        }
        criteria = SearchCriteria.parse(query);
      }
    } else {
      int q = criteriaText.indexOf('?');
      type = (q < 0 ? criteriaText : criteriaText.substring(0, q)).trim();
      criteria = SearchCriteria.parse(q < 0 ? "" : criteriaText.substring(q + 1));
    }
    var channel = s.getChannel();
    if (!channel.hasType()) {
      throw new UnprocessableEntityException("Subscription.channel.type is required (rest-hook or websocket)");
    }
    if (channel.getType() != Subscription.SubscriptionChannelType.RESTHOOK
        && channel.getType() != Subscription.SubscriptionChannelType.WEBSOCKET) {
      throw new UnprocessableEntityException("Subscription.channel.type " + channel.getType().toCode()
          + " is not supported by this server; use rest-hook or websocket");
    }
    String mime = channel.hasPayload() ? channel.getPayload() : null;
    String content = null;
    List<Extension> contentExt = channel.getPayloadElement().getExtensionsByUrl(PAYLOAD_CONTENT);
    if (!contentExt.isEmpty()) {
      content = contentExt.get(0).getValue().primitiveValue();
      if (!List.of("empty", "id-only", "full-resource").contains(content)) {
        throw new UnprocessableEntityException("Subscription.channel.payload " + PAYLOAD_CONTENT + " '" + content
            + "' is not empty, id-only or full-resource");
      }
    }
    if (topic != null && content == null) {
      content = "id-only"; // the backport's default for a topic subscription without the extension
    }
    if (mime != null && !mime.isBlank() && !mime.startsWith("application/fhir+json") && !mime.startsWith("application/fhir+xml")
        && !mime.startsWith("application/json") && !mime.startsWith("application/xml")) {
      throw new UnprocessableEntityException("Subscription.channel.payload '" + mime
          + "' is not a FHIR MIME type (application/fhir+json or application/fhir+xml)");
    }
    List<String> headers = channel.getHeader().stream().map(h -> h.getValue()).toList();
    for (String h : headers) {
      if (h == null || !h.contains(":") || h.indexOf(':') == 0) {
        throw new UnprocessableEntityException("Subscription.channel.header '" + h + "' is not 'Name: value'");
      }
    }
    return new SubscriptionSpec(id, type, criteria, topic, channel.getType(),
        channel.hasEndpoint() ? channel.getEndpoint() : null, headers, mime == null || mime.isBlank() ? null : mime, content);
  }
}
