package org.radbridge.server.dicom;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.radbridge.server.RadBridgeProperties;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Health component {@code dicomStorage} (bean dicomStorageHealthIndicator): DOWN when the instance store's free space is below
 * {@code radbridge.dicom.min-free-space} (C-STORE then answers 0xA700). Metrics
 * {@code radbridge.dicom.disk.free} and {@code radbridge.dicom.stored} (bytes of instance files,
 * from the instance rows, refreshed every 30 s).
 */
@Component("dicomStorageHealthIndicator")
public class DicomStorageHealth implements HealthIndicator, org.springframework.scheduling.annotation.SchedulingConfigurer {
  private final org.radbridge.server.RadBridgeProperties settings;

  /** Runs {@link #refreshStored} at the interval radbridge.* gives (one configuration tree). */
  @Override
  public void configureTasks(org.springframework.scheduling.config.ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new org.springframework.scheduling.config.FixedDelayTask(this::refreshStored,
        settings.getDicom().getHealthInterval(), java.time.Duration.ofSeconds(3)));
  }

  private final DicomStorage storage;
  private final RadBridgeProperties props;
  private final JdbcTemplate jdbc;
  private final AtomicLong storedBytes = new AtomicLong();

  public DicomStorageHealth(DicomStorage storage, RadBridgeProperties props, JdbcTemplate jdbc, MeterRegistry registry, org.radbridge.server.RadBridgeProperties settings) {
    this.settings = settings;
    this.storage = storage;
    this.props = props;
    this.jdbc = jdbc;
    Gauge.builder("radbridge.dicom.disk.free", this, DicomStorageHealth::freeBytes).baseUnit("bytes")
        .description("Usable space on the file system of the DICOM instance store").register(registry);
    Gauge.builder("radbridge.dicom.stored", storedBytes, AtomicLong::get).baseUnit("bytes")
        .description("Bytes of stored DICOM instance files").register(registry);
  }

  public void refreshStored() {
    Long sum = jdbc.queryForObject("SELECT coalesce(sum(file_size), 0) FROM dicom_instance", Long.class);
    storedBytes.set(sum == null ? 0 : sum);
  }

  double freeBytes() {
    try {
      Path root = storage.files().root();
      Files.createDirectories(root);
      return Files.getFileStore(root).getUsableSpace();
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public Health health() {
    long free = (long) freeBytes();
    long floor = props.getDicom().getMinFreeSpace().toBytes();
    Health.Builder b = free >= floor ? Health.up() : Health.down();
    return b.withDetail("path", storage.files().root().toString()).withDetail("freeBytes", free)
        .withDetail("minFreeBytes", floor).build();
  }
}
