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

/** A certificate setting (a DICOM node's or an HL7 application's) must name a certificate ({@link CertificateNames}); checked at start. */
@Documented
@Constraint(validatedBy = CertificateName.Check.class)
@Target({ElementType.TYPE_USE, ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
public @interface CertificateName {
  String message() default "must be a certificate's SHA-256 fingerprint (64 hex digits, colons allowed) or its subject DN"
      + " (CN=CT_A,O=Centre A, in any RDN order)";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** The check: {@link CertificateNames#problemWith}. */
  class Check implements ConstraintValidator<CertificateName, String> {
    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
      return CertificateNames.problemWith(value).isEmpty();
    }
  }
}
