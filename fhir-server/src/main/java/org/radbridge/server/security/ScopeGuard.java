package org.radbridge.server.security;

import java.util.Set;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * A client's write needs the scope of its interaction on its type (create, update — a patch too —,
 * delete), on every path that writes for it: REST, batch and transaction entries, operations.
 * The network directory and the conformance resources are administration: only
 * {@value SmartScopes#ADMIN} writes them. DICOM nodes and HL7 applications are authorised by the
 * directory, not by scopes; the server's own writes are not checked.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ScopeGuard implements WriteHook {
  private final RestCallers callers;

  ScopeGuard(RestCallers callers) {
    this.callers = callers;
  }

  /** Who is who in the network, and what every write is checked against. */
  static final Set<String> ADMINISTRATION = Set.of("Organization", "Endpoint", "Device", "StructureDefinition",
      "ValueSet", "CodeSystem", "ConceptMap", "SearchParameter", "OperationDefinition", "CapabilityStatement",
      "ImplementationGuide", "NamingSystem", "CompartmentDefinition", "StructureMap", "GraphDefinition");

  @Override
  public WritePhase phase() {
    return WritePhase.GUARD;
  }

  @Override
  public void on(WriteEvent e) {
    Caller caller = e.caller();
    if (caller == null || caller.kind() != Caller.Kind.CLIENT && caller.kind() != Caller.Kind.USER) {
      return;
    }
    SmartScopes scopes = SmartScopes.of(caller.scopes());
    SmartScopes.Interaction interaction = switch (e.operation()) {
      case CREATE -> SmartScopes.Interaction.CREATE;
      case UPDATE, PATCH -> SmartScopes.Interaction.UPDATE;
      case DELETE -> SmartScopes.Interaction.DELETE;
      case LOAD -> null;
    };
    if (interaction == null) {
      return;
    }
    if (ADMINISTRATION.contains(e.type()) && !scopes.isAdmin()) {
      throw Refusals.forbidden(e.type() + " is part of the network's administration: writing it needs"
          + " the scope " + SmartScopes.ADMIN);
    }
    if (caller.breakGlass() == null && callers.isExchange(caller.organization()) && !"Subscription".equals(e.type())) {
      throw Refusals.forbidden("The regional exchange (" + caller.organization() + ") reads the network; it writes"
          + " only its Subscriptions, not " + e.type());
    }
    if (!scopes.permits(e.type(), interaction)) {
      throw Refusals.forbidden("The token's scopes (" + scopes + ") do not allow "
          + interaction.name().toLowerCase(java.util.Locale.ROOT) + " on " + e.type() + ": it needs "
          + SmartScopes.needed(e.type(), interaction));
    }
  }
}
