// SolrDevServer.java - run a real standalone Apache Solr 9.10.1 (Jetty 10, javax.servlet) for CKAN dev/tests.
//
//   java [JVM opts] -cp 'STATE/classes:STATE/lib/*' SolrDevServer <solrHome> [port=8983] [host=127.0.0.1]
//   (run.sh does this; install.sh precompiles this file into STATE/classes)
//
// Wires Jetty the way Solr 9.10's own org.apache.solr.embedded.JettySolrRunner (solr-test-framework) and
// solr/webapp/web/WEB-INF/web.xml do: a CoreContainerProvider listener + SolrDispatchFilter on /* under the
// context "/solr". Needs only solr-core 9.10.1 + jetty-server/jetty-servlet 10.0.26 on the classpath.
//
// Exit codes: 0 never (blocks until killed; SIGTERM/SIGINT stop Jetty and close the cores cleanly, the JVM
// then exits 143/130), 2 bad arguments / no solr.xml, 3 port cannot be bound (already in use), 1 Solr or a
// core failed to start. Prints "SOLR READY ..." on stdout once every core has loaded.
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Properties;
import javax.servlet.DispatcherType;
import javax.servlet.ServletContextEvent;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.solr.core.CoreContainer;
import org.apache.solr.servlet.CoreContainerProvider;
import org.apache.solr.servlet.SolrDispatchFilter;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.Source;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

public class SolrDevServer {

  private static void fatal(int code, String msg) {
    System.err.println("SolrDevServer: FATAL: " + msg);
    System.err.flush();
    // halt, not exit: nothing has been started that needs a shutdown hook, and it must not hang
    Runtime.getRuntime().halt(code);
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 3) {
      fatal(2, "usage: SolrDevServer <solrHome> [port=8983] [host=127.0.0.1]");
    }
    final Path home = Path.of(args[0]).toAbsolutePath().normalize();
    int p = -1;
    try {
      p = Integer.parseInt(args.length > 1 ? args[1] : "8983");
    } catch (NumberFormatException e) {
      fatal(2, "port is not a number: " + args[1]);
    }
    final int port = p;
    final String host = args.length > 2 ? args[2] : "127.0.0.1";
    if (!Files.isRegularFile(home.resolve("solr.xml"))) {
      fatal(2, home + "/solr.xml not found (run make-home.sh first; there is no solr.install.dir fallback)");
    }
    // Same system properties bin/solr would pass (only the ones that matter here).
    System.setProperty("solr.solr.home", home.toString());
    System.setProperty("jetty.port", Integer.toString(port)); // used by the startup banner / node name
    System.setProperty("host", host);
    if (System.getProperty("solr.log.dir") == null) { // avoids the "Missing Java Option solr.log.dir" line
      System.setProperty("solr.log.dir", home.resolve("logs").toString());
    }

    QueuedThreadPool qtp = new QueuedThreadPool();
    qtp.setMaxThreads(10000); // as JettySolrRunner / Solr's jetty.xml; threads are created lazily
    qtp.setName("solr-qtp");
    final Server server = new Server(qtp);
    server.setStopAtShutdown(true); // JVM shutdown hook -> Jetty stop -> CoreContainer.shutdown()
    server.setStopTimeout(15000);

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setRequestHeaderSize(16384);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(120000);
    server.setConnectors(new Connector[] {connector});

    // Bind before anything else: a busy port must fail in well under a second, before Solr loads any core
    // (Server.start() would also open it first, but this gives a clear message and a distinct exit code).
    try {
      connector.open();
    } catch (IOException e) {
      fatal(3, "cannot listen on " + host + ":" + port + " (" + e.getMessage()
          + "; is another Solr or process using that port?)");
    }

    final Properties nodeProps = new Properties();
    nodeProps.setProperty("hostPort", Integer.toString(port));

    final ServletContextHandler root =
        new ServletContextHandler(server, "/solr", ServletContextHandler.SESSIONS);
    root.addEventListener(
        new CoreContainerProvider() {
          @Override
          public void contextInitialized(ServletContextEvent event) {
            // same hand-off JettySolrRunner uses (servlet-context attributes read by CoreContainerProvider)
            event.getServletContext().setAttribute(SolrDispatchFilter.PROPERTIES_ATTRIBUTE, nodeProps);
            event.getServletContext().setAttribute(SolrDispatchFilter.SOLRHOME_ATTRIBUTE, home.toString());
            super.contextInitialized(event);
          }
        });
    FilterHolder dispatch = root.getServletHandler().newFilterHolder(Source.EMBEDDED);
    dispatch.setHeldClass(SolrDispatchFilter.class);
    dispatch.setInitParameter(
        "excludePatterns", "/partials/.+,/libs/.+,/css/.+,/js/.+,/img/.+,/templates/.+");
    root.addFilter(dispatch, "/*", EnumSet.of(DispatcherType.REQUEST));
    root.addServlet(NotFound.class, "/"); // fall-through, as JettySolrRunner.Servlet404
    server.setHandler(root);

    try {
      server.start();
      // getCores() throws UnavailableException if the CoreContainer failed (bad solr.xml, ...):
      // CoreContainerProvider only logs that and would leave Jetty up answering 500s.
      CoreContainer cc = ((SolrDispatchFilter) dispatch.getFilter()).getCores();
      cc.waitForLoadingCoresToFinish(300_000L);
      if (!cc.getCoreInitFailures().isEmpty()) {
        StringBuilder sb = new StringBuilder("core(s) failed to load:");
        cc.getCoreInitFailures()
            .forEach(
                (name, f) -> {
                  Throwable root0 = f.exception;
                  while (root0.getCause() != null && root0.getCause() != root0) root0 = root0.getCause();
                  sb.append("\n  ").append(name).append(": ").append(f.exception.getMessage());
                  if (root0 != f.exception) sb.append("\n    root cause: ").append(root0);
                });
        throw new IllegalStateException(sb.toString());
      }
      if (cc.getLoadedCoreNames().isEmpty()) {
        throw new IllegalStateException("no core found under " + home + " (need <core>/core.properties)");
      }
      long ms = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
      System.out.println(
          "SOLR READY http://" + host + ":" + port + "/solr cores=" + cc.getLoadedCoreNames()
              + " home=" + home + " startup_ms=" + ms);
      System.out.flush();
    } catch (Throwable t) {
      System.err.println("SolrDevServer: FATAL: Solr did not start: " + t);
      System.err.flush();
      try {
        server.stop();
      } catch (Throwable ignored) {
        // best effort
      }
      Runtime.getRuntime().halt(1);
    }
    server.join(); // block until killed
  }

  /** Fall-through servlet (Jetty needs one behind the filter), like JettySolrRunner.Servlet404. */
  public static class NotFound extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
      res.sendError(404, "Can not find: " + req.getRequestURI());
    }
  }
}
