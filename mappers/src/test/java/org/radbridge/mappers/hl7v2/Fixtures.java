package org.radbridge.mappers.hl7v2;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import java.io.InputStream;
import java.nio.charset.Charset;

/** The fixtures of src/test/resources/hl7v2, parsed into the 2.5.1 model as the server does. */
final class Fixtures {
  static final HapiContext HAPI = new DefaultHapiContext();

  static {
    HAPI.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
    HAPI.getParserConfiguration().setValidating(false);
    HAPI.getParserConfiguration().setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator());
  }

  private Fixtures() {}

  static String text(String name, Charset charset) throws Exception {
    try (InputStream in = Fixtures.class.getResourceAsStream("/hl7v2/" + name)) {
      return new String(in.readAllBytes(), charset);
    }
  }

  static Message parse(String text) throws Exception {
    return HAPI.getPipeParser().parse(text);
  }

  static Message utf8(String name) throws Exception {
    return parse(text(name, java.nio.charset.StandardCharsets.UTF_8));
  }
}
