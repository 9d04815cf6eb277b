package org.radbridge.server.network;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A client certificate setting must be a SHA-256 fingerprint or a subject DN ({@link ClientCertificates}); checked at start. */
@Documented
@Constraint(validatedBy = ClientCertificate.Check.class)
@Target({ElementType.TYPE_USE, ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
public @interface ClientCertificate {
  String message() default "must be a certificate's SHA-256 fingerprint (64 hex digits, colons allowed) or its subject DN"
      + " (O=City Hospital,CN=RIS_CITY)";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** The check: {@link ClientCertificates#problemWith}. */
  class Check implements ConstraintValidator<ClientCertificate, String> {
    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
      return ClientCertificates.problemWith(value).isEmpty();
    }
  }
}
