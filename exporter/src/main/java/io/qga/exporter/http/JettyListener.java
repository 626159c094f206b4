package io.qga.exporter.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.spi.JettyHttpServer;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The listener under {@link HttpEndpoint}: Jetty behind the {@code com.sun.net.httpserver} API
 * (jetty-http-spi), so the handlers stay {@code HttpHandler}s.
 *
 * <p>Why Jetty and not the JDK's HttpServer: the JDK server hands a connection to a worker thread
 * as soon as its first byte arrives, and the worker then blocks reading the request line and
 * headers; four clients that send one byte and wait took all four workers, and {@code /metrics}
 * stopped answering. Jetty reads and parses headers on its selector without blocking and dispatches
 * only complete requests to the pool: a slow or idle client costs one socket.
 *
 * <p>Limits: a connection that sends nothing for {@code idleTimeout} is closed; one that has not
 * completed its first request's headers within {@code headerTimeout} is closed too (a client
 * dripping a byte now and then is not idle, but it is not a request either); headers are at most 16
 * KiB (431 beyond); at most {@code maxConnections} connections are open, beyond that Jetty stops
 * accepting (new connections wait in the kernel's backlog) and idle ones are closed after one
 * second.
 */
final class JettyListener {
  /** Request line plus headers; more is 431. A bearer token and a browser's headers fit easily. */
  static final int MAX_HEADER_BYTES = 16 * 1024;

  /** Jetty's start and stop lines at INFO would repeat what the daemon logs; keep its warnings. */
  private static final Logger JETTY_LOG = Logger.getLogger("org.eclipse.jetty");

  static {
    JETTY_LOG.setLevel(Level.WARNING);
  }

  private JettyListener() {}

  /** Limits of the listener. */
  record Limits(int threads, int maxConnections, Duration idleTimeout, Duration headerTimeout) {
    static final Limits DEFAULT =
        new Limits(32, 1000, Duration.ofSeconds(30), Duration.ofSeconds(10));

    Limits {
      // Jetty takes a selector and an acceptor thread from the pool, and reserves some
      threads = Math.max(threads, 8);
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be positive");
      }
    }
  }

  /** A bound, not yet started server; {@code https} null for plain HTTP. */
  static HttpServer bind(InetSocketAddress listen, HttpsConfigurator https, Limits limits)
      throws IOException {
    QueuedThreadPool pool = new QueuedThreadPool(limits.threads(), 2);
    pool.setName("http");
    pool.setDaemon(true);
    Server jetty = new Server(pool);
    jetty.setStopTimeout(0);
    jetty.setHandler(new ContextHandlerCollection()); // where jetty-http-spi mounts each context
    JettyHttpServer server = new JettyHttpServer(jetty, false);
    if (https != null) {
      server.setHttpsConfigurator(https); // before bind: bind builds the TLS connector from it
    }
    server.bind(listen, 128);
    ServerConnector connector = (ServerConnector) jetty.getConnectors()[0];
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    // the configuration the connector really uses (the plain one gets a fresh one of its own)
    HttpConfiguration config =
        connector.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration();
    config.setSendServerVersion(false);
    config.setRequestHeaderSize(MAX_HEADER_BYTES);
    config.setIdleTimeout(limits.idleTimeout().toMillis());
    for (HttpConfiguration.Customizer c : config.getCustomizers()) {
      if (c instanceof SecureRequestCustomizer secure) {
        // The JDK server did not compare SNI with the certificate; clients that reach the
        // exporter by a name not in it (validate_certs: false) must keep working.
        secure.setSniHostCheck(false);
      }
    }
    NetworkConnectionLimit limit = new NetworkConnectionLimit(limits.maxConnections(), connector);
    limit.setEndPointIdleTimeout(1000);
    jetty.addBean(limit);
    connector.addBean(new HeaderDeadline(connector, limits.headerTimeout()));
    if (https instanceof SslHandshakeListener check) {
      connector.addBean(check); // TlsFiles: client certificates checked again on resumed sessions
    }
    return server;
  }

  /**
   * Closes a connection whose first request has not arrived (headers complete) within the timeout.
   * Later requests on a kept-alive connection are bounded by the idle timeout.
   */
  private record HeaderDeadline(ServerConnector connector, Duration timeout)
      implements Connection.Listener {
    @Override
    public void onOpened(Connection connection) {
      if (connection.getMessagesIn() != 0) {
        return; // the TLS layer counts no messages (-1): its inner HTTP connection is watched
      }
      connector
          .getScheduler()
          .schedule(
              () -> {
                if (connection.getMessagesIn() == 0 && connection.getEndPoint().isOpen()) {
                  connection.getEndPoint().close();
                }
              },
              timeout.toMillis(),
              TimeUnit.MILLISECONDS);
    }
  }
}
