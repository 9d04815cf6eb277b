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

/** A source address setting must be an IP address or CIDR range ({@link SourceAddresses}); checked at start. */
@Documented
@Constraint(validatedBy = SourceAddress.Check.class)
@Target({ElementType.TYPE_USE, ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
public @interface SourceAddress {
  String message() default "must be an IP address or CIDR range (10.1.2.7, 10.1.2.0/24, 2001:db8::/48)";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** The check: {@link SourceAddresses#problemWith}. */
  class Check implements ConstraintValidator<SourceAddress, String> {
    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
      return SourceAddresses.problemWith(value).isEmpty();
    }
  }
}
