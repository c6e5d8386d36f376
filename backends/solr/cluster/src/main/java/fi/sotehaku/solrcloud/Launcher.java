package fi.sotehaku.solrcloud;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * Runs one piece of the local SolrCloud test cluster in this JVM: a standalone ZooKeeper server or one
 * Solr node, both on 127.0.0.1. One piece per JVM, so a test can kill a node with a signal.
 *
 * <pre>
 *   zk   DATA_DIR PORT READY_FILE            ZooKeeper; READY_FILE receives "127.0.0.1:PORT"
 *   node SOLR_HOME PORT ZK_HOST READY_FILE   a Solr node; READY_FILE receives its base URL
 * </pre>
 *
 * PORT 0 picks a free port. The ready file is written (atomically) once the server answers. The process
 * then runs until its standard input closes (its parent stopped, or died), stops the server and exits.
 */
public final class Launcher {
  private static final int ZK_TICK_MS = 2000;
  private static final int ZK_MAX_CONNECTIONS = 200;

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 4 && args[0].equals("zk")) {
      runZooKeeper(Path.of(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
    } else if (args.length == 5 && args[0].equals("node")) {
      runSolrNode(Path.of(args[1]), Integer.parseInt(args[2]), args[3], Path.of(args[4]));
    } else {
      System.err.println(
          "usage: Launcher zk DATA_DIR PORT READY_FILE | node SOLR_HOME PORT ZK_HOST READY_FILE");
      System.exit(2);
    }
  }

  private static void runZooKeeper(Path dataDir, int port, Path readyFile) throws Exception {
    Files.createDirectories(dataDir);
    ZooKeeperServer server = new ZooKeeperServer(dataDir.toFile(), dataDir.toFile(), ZK_TICK_MS);
    ServerCnxnFactory connections =
        ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", port), ZK_MAX_CONNECTIONS);
    connections.startup(server);
    writeReady(readyFile, "127.0.0.1:" + connections.getLocalPort());
    waitForEndOfInput();
    connections.shutdown();
    server.shutdown();
    System.exit(0);
  }

  private static void runSolrNode(Path solrHome, int port, String zkHost, Path readyFile)
      throws Exception {
    Properties nodeProperties = new Properties();
    nodeProperties.setProperty("zkHost", zkHost);
    JettyConfig config =
        JettyConfig.builder().setPort(port).setContext("/solr").stopAtShutdown(true).build();
    JettySolrRunner node = new JettySolrRunner(solrHome.toString(), nodeProperties, config);
    node.start();
    writeReady(readyFile, node.getBaseUrl().toString());
    waitForEndOfInput();
    node.stop();
    System.exit(0);
  }

  private static void writeReady(Path readyFile, String line) throws IOException {
    Path partial = readyFile.resolveSibling(readyFile.getFileName() + ".partial");
    Files.writeString(partial, line + "\n", StandardCharsets.UTF_8);
    Files.move(partial, readyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void waitForEndOfInput() throws IOException {
    InputStream input = System.in;
    byte[] buffer = new byte[256];
    while (input.read(buffer) >= 0) {
      // Anything written is ignored; only the end of input matters.
    }
  }
}
