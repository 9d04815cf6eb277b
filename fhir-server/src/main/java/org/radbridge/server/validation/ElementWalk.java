package org.radbridge.server.validation;

import java.util.function.BiConsumer;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Resource;

/**
 * Visits every element of a resource — contained resources and Bundle entries included — with its
 * FHIRPath-like location ({@code Patient.name[0].family}, {@code Observation.valueQuantity.value}),
 * so a check can say exactly where it found what it refuses.
 */
final class ElementWalk {
  private ElementWalk() {}

  static void walk(Resource resource, BiConsumer<String, Base> visitor) {
    walk(resource.fhirType(), resource, visitor);
  }

  private static void walk(String path, Base element, BiConsumer<String, Base> visitor) {
    visitor.accept(path, element);
    for (Property p : element.children()) {
      if (!p.hasValues()) {
        continue;
      }
      int i = 0;
      boolean repeats = p.getMaxCardinality() > 1;
      for (Base value : p.getValues()) {
        if (value != null) {
          String name = p.getName().endsWith("[x]")
              ? p.getName().substring(0, p.getName().length() - 3) + capitalized(value.fhirType()) : p.getName();
          walk(path + "." + name + (repeats ? "[" + i + "]" : ""), value, visitor);
        }
        i++;
      }
    }
  }

  private static String capitalized(String type) {
    return type.isEmpty() ? type : Character.toUpperCase(type.charAt(0)) + type.substring(1);
  }
}
