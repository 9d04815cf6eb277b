package org.radbridge.server;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The one way tests start a server of their own: a node with its own embedded PostgreSQL in a data
 * directory (restart tests start it twice on the same directory), or a second node on the database
 * of the shared test context (two-node tests). Every listener picks a free port.
 */
public final class TestServers {
  private final List<String> args = new ArrayList<>(List.of("--server.port=0", "--radbridge.dicom.port=0",
      "--radbridge.hl7v2.port=0"));

  static {
    // tests that start their own nodes (and no shared context) talk to them with tokens too
    TestTokens.installRestAssuredFilter();
  }

  private TestServers() {
    // the tests' token client, on every node (TestTokens)
    for (String[] kv : TestTokens.clientSettings()) {
      args.add("--radbridge.network." + kv[0] + "=" + kv[1]);
    }
  }

  /** A node whose embedded PostgreSQL and files live in {@code dataDir} (kept between starts). */
  public static TestServers onDataDir(Path dataDir) {
    TestServers s = new TestServers();
    s.args.add("--radbridge.data-dir=" + dataDir);
    return s;
  }

  /** Another node on the same database as the test context (its DataSource). */
  public static TestServers sharing(DataSource dataSource) {
    HikariDataSource ds = (HikariDataSource) dataSource;
    TestServers s = new TestServers();
    s.args.add("--spring.datasource.url=" + ds.getJdbcUrl());
    s.args.add("--spring.datasource.username=" + ds.getUsername());
    s.args.add("--spring.datasource.password=" + (ds.getPassword() == null ? "" : ds.getPassword()));
    return s;
  }

  /** A fixed HTTP port instead of a free one (a test that talks to the node before it has started). */
  public TestServers httpPort(int port) {
    args.set(0, "--server.port=" + port);
    return this;
  }

  /** A setting, as {@code --name=value} on the command line. */
  public TestServers with(String name, Object value) {
    args.add("--" + name + "=" + value);
    return this;
  }

  /** The network of the shared test context (organisations, nodes, applications, issuers, routing). */
  public TestServers withTestNetwork() {
    for (String[] kv : ServerTestBase.testNetwork()) {
      args.add("--radbridge.network." + kv[0] + "=" + kv[1]);
    }
    return this;
  }

  /** Settings as command-line arguments ({@code --name=value}). */
  public TestServers args(String... more) {
    args.addAll(List.of(more));
    return this;
  }

  /** Starts the node and waits until it takes writes (its start-up work done: ReadinessGate). */
  public ConfigurableApplicationContext start() {
    ConfigurableApplicationContext ctx = startUnready();
    Await.until("the node ready", java.time.Duration.ofSeconds(120),
        () -> ctx.getBean(org.radbridge.server.readiness.ReadinessGate.class).isReady());
    return ctx;
  }

  /** Starts the node and returns as soon as its context is up, ready or not (readiness tests). */
  public ConfigurableApplicationContext startUnready() {
    return new SpringApplicationBuilder(RadBridgeApplication.class).run(args.toArray(String[]::new));
  }

  /** The HTTP port of a started node. */
  public static int port(ConfigurableApplicationContext ctx) {
    return ((WebServerApplicationContext) ctx).getWebServer().getPort();
  }
}
