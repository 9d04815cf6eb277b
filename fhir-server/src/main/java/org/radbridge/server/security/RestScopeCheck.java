package org.radbridge.server.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.radbridge.server.security.SmartScopes.Interaction;

/**
 * The scope each REST interaction needs before HAPI runs it (403 naming the missing scope):
 * read, vread and instance history need {@code r} on the type; search, type history and paging
 * {@code s}; system search and history {@code s} on every type asked for ({@code _type}) or on
 * {@code *}; an operation {@code r} on its type, or the scope its table below names. Writes are
 * checked by the write pipeline ({@link ScopeGuard}) on every path, so a batch entry is checked
 * like a request; batch and transaction read entries by {@link #requireForEntry}.
 */
@org.springframework.stereotype.Component
public class RestScopeCheck {
  /** Operations whose need is not "read the type they are invoked on". */
  private static final Map<String, Need> OPERATIONS = Map.of(
      "$validate", new Need(null, null),
      "$turnaround", new Need("ServiceRequest", Interaction.SEARCH),
      "$worklist", new Need("ImagingStudy", Interaction.SEARCH),
      "$everything", new Need("Patient", Interaction.READ));

  private record Need(String type, Interaction interaction) {}

  private final RestCallers callers;

  public RestScopeCheck(RestCallers callers) {
    this.callers = callers;
  }

  @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
  public void check(RequestDetails request, RestOperationTypeEnum operation) {
    if (operation == RestOperationTypeEnum.METADATA) {
      return; // open to everyone
    }
    SmartScopes scopes = SmartScopes.of(callers.current().scopes());
    String type = request.getResourceName();
    switch (operation) {
      case TRANSACTION, BATCH, CREATE, UPDATE, PATCH, DELETE, VALIDATE -> {
        // writes: the pipeline's guard; bundles: entry by entry; $validate stores nothing
      }
      case READ, VREAD, HISTORY_INSTANCE -> require(scopes, type, Interaction.READ);
      case SEARCH_TYPE, HISTORY_TYPE, SEARCH_SYSTEM, HISTORY_SYSTEM -> {
        if (type != null) {
          require(scopes, type, Interaction.SEARCH);
          return;
        }
        // a search at the base (HAPI calls the system provider's search a type search without a type)
        for (String t : typesAskedFor(request)) {
          require(scopes, t, Interaction.SEARCH);
        }
      }
      case GET_PAGE -> {
        // the page link is signed and names its search; the type is checked when the page is read
      }
      case EXTENDED_OPERATION_SERVER, EXTENDED_OPERATION_TYPE, EXTENDED_OPERATION_INSTANCE -> {
        Need need = OPERATIONS.get(request.getOperation());
        if (need == null) {
          if (type == null) {
            requireAdmin(scopes, request.getOperation());
          } else {
            require(scopes, type, Interaction.READ);
          }
        } else if (need.type() != null) {
          require(scopes, need.type(), need.interaction());
        }
      }
      default -> requireAdmin(scopes, operation.getCode());
    }
  }

  /** A read or search entry of a batch or transaction. */
  public void requireForEntry(String type, Interaction interaction) {
    require(SmartScopes.of(callers.current().scopes()), type, interaction);
  }

  private static List<String> typesAskedFor(RequestDetails request) {
    String[] types = request.getParameters().get("_type");
    List<String> out = new ArrayList<>();
    if (types != null) {
      for (String v : types) {
        for (String t : v.split(",")) {
          if (!t.isBlank()) {
            out.add(t.trim());
          }
        }
      }
    }
    return out.isEmpty() ? List.of("*") : out;
  }

  static void require(SmartScopes scopes, String type, Interaction interaction) {
    if (!scopes.permits(type, interaction)) {
      throw Refusals.forbidden("The token's scopes (" + scopes + ") do not allow "
          + interaction.name().toLowerCase(Locale.ROOT) + " on " + ("*".equals(type) ? "every type" : type)
          + ": it needs " + SmartScopes.needed(type, interaction));
    }
  }

  private static void requireAdmin(SmartScopes scopes, String what) {
    if (!scopes.isAdmin()) {
      throw Refusals.forbidden(what + " needs the scope " + SmartScopes.ADMIN);
    }
  }
}
