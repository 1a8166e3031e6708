package dev.eran.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs a real Neo4j Community server (Bolt, HTTP, Neo4j Browser) in this JVM with a persistent home.
 *
 * Configuration comes from system properties so the shell wrapper stays the only place that knows paths:
 * eran.home, eran.bolt.port, eran.http.port, eran.host, eran.password (empty = auth disabled),
 * eran.pagecache (e.g. 512m).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        try {
            run();
        } catch (Throwable e) {
            // Neo4j's own threads are non-daemon: without an explicit exit a failed start would hang.
            System.out.println("ERROR start-up failed: " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }

    private static void run() throws Exception {
        Path home = Path.of(System.getProperty("eran.home", ".neo4j")).toAbsolutePath();
        String host = System.getProperty("eran.host", "127.0.0.1");
        int boltPort = Integer.parseInt(System.getProperty("eran.bolt.port", "7687"));
        int httpPort = Integer.parseInt(System.getProperty("eran.http.port", "7474"));
        String password = System.getProperty("eran.password", "");
        long pageCache = parseBytes(System.getProperty("eran.pagecache", "512m"));

        // Fail fast with one clear line instead of a Netty bind stack trace deep in start-up.
        for (int port : new int[] {boltPort, httpPort}) {
            if (!portFree(host, port)) {
                System.err.println("ERROR port " + host + ":" + port + " is already in use"
                        + " (another Neo4j? stop it, or set NEO4J_BOLT_PORT / NEO4J_HTTP_PORT)");
                System.exit(3);
            }
        }
        Files.createDirectories(home);

        long started = System.nanoTime();
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(new Log4jLogProvider(System.out))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, boltPort))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(host, boltPort))
                .setConfig(HttpConnector.enabled, true)
                .setConfig(HttpConnector.listen_address, new SocketAddress(host, httpPort))
                .setConfig(HttpConnector.advertised_address, new SocketAddress(host, httpPort))
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, !password.isEmpty())
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ZERO)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("STOPPING neo4j");
            dbms.shutdown();
            System.out.println("STOPPED neo4j");
            stopped.countDown();
        }, "neo4j-shutdown"));

        if (!password.isEmpty()) {
            setPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);
        }
        // Touch the default database so READY means queries will succeed.
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");

        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.println("READY bolt://" + host + ":" + boltPort + " http://" + host + ":" + httpPort
                + "/browser/ home=" + home + " startup_ms=" + ms);
        stopped.await();
    }

    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (QueryExecutionException e) {
            // On a restart the password is usually already the configured one; Neo4j refuses a no-op change.
            if (!String.valueOf(e.getStatusCode()).contains("InvalidArgument")
                    && !String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }
    }

    private static boolean portFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long parseBytes(String text) {
        String t = text.trim().toLowerCase();
        long unit = 1;
        if (t.endsWith("g")) {
            unit = ByteUnit.gibiBytes(1);
        } else if (t.endsWith("m")) {
            unit = ByteUnit.mebiBytes(1);
        } else if (t.endsWith("k")) {
            unit = ByteUnit.kibiBytes(1);
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        return Long.parseLong(digits) * unit;
    }
}
