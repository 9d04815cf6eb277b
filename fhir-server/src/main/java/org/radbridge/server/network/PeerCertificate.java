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

/** A node's certificate setting must be a subject or a SHA-256 fingerprint ({@link PeerCertificates}); checked at start. */
@Documented
@Constraint(validatedBy = PeerCertificate.Check.class)
@Target({ElementType.TYPE_USE, ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
public @interface PeerCertificate {
  String message() default "must be a certificate subject (CN=CT_A,O=Centre A) or SHA-256 fingerprint (64 hex digits)";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** The check: {@link PeerCertificates#problemWith}. */
  class Check implements ConstraintValidator<PeerCertificate, String> {
    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
      return PeerCertificates.problemWith(value).isEmpty();
    }
  }
}
