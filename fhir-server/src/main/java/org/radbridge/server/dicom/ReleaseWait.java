package org.radbridge.server.dicom;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PixelMed waits a fixed 5 s after answering an A-RELEASE-RQ before it closes the connection (its
 * ARTIM), holding the association's thread — and so its slot of the association limits — all that
 * time, although peers close the connection as soon as they read the A-RELEASE-RP. A peer that
 * opens one association per instance would otherwise find its slots full at three instances a
 * second. The wait is a private static of PixelMed without a setter: shortened by reflection, once;
 * if PixelMed changes, it stays at 5 s and a warning says so.
 */
final class ReleaseWait {
  private static final Logger log = LoggerFactory.getLogger(ReleaseWait.class);
  static final Duration AFTER_RELEASE = Duration.ofMillis(200);

  private ReleaseWait() {}

  static synchronized void shorten() {
    try {
      java.lang.reflect.Field f = com.pixelmed.network.Association.class
          .getDeclaredField("associationReleaseToTransportConnectionCloseTimeoutInMilliseconds");
      f.setAccessible(true);
      f.setInt(null, (int) AFTER_RELEASE.toMillis());
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("PixelMed's wait after an association's release stays at its default (5 s): {}", e.toString());
    }
  }
}
