package io.haagent.checker.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.haagent.config.CheckSpec;
import io.haagent.config.CheckSpec.StatusRange;
import io.haagent.testkit.FreePorts;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The http probe against JDK HTTP and HTTPS servers on 127.0.0.1 that the test starts. */
class HttpProbeTest {
    private static final char[] PASS = "changeit".toCharArray();
    private static final List<StatusRange> DEFAULT_STATUS = List.of(new StatusRange(200, 399));

    @TempDir
    static Path tmp;

    private static final CountDownLatch RELEASE_SLOW = new CountDownLatch(1);
    private static final List<HttpServer> SERVERS = new ArrayList<>();
    private static ExecutorService handlers;
    private static int plainPort;
    private static int goodTlsPort;
    private static int wrongNameTlsPort;
    private static Probes probes;
    private static Probes trustingProbes;

    @BeforeAll
    static void startServers() throws Exception {
        handlers = Executors.newVirtualThreadPerTaskExecutor();
        HttpServer plain = HttpServer.create(new InetSocketAddress(loopback(), 0), 50);
        routes(plain);
        plainPort = start(plain);

        // Two self-signed certificates made with the JDK's keytool: one for 127.0.0.1/localhost,
        // one for another name, to see both certificate and hostname verification fail.
        Path good = keystore("good", "dns:localhost,ip:127.0.0.1");
        Path wrong = keystore("wrong", "dns:wrong.example");
        goodTlsPort = start(https(good));
        wrongNameTlsPort = start(https(wrong));

        probes = Probes.create();
        trustingProbes = Probes.builder().trust(trusting(good, wrong)).build();
    }

    @AfterAll
    static void stopServers() {
        RELEASE_SLOW.countDown();
        SERVERS.forEach(s -> s.stop(0));
        if (probes != null) {
            probes.close();
        }
        if (trustingProbes != null) {
            trustingProbes.close();
        }
        if (handlers != null) {
            handlers.shutdownNow();
        }
    }

    private static InetAddress loopback() throws IOException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    }

    private static int start(HttpServer server) {
        server.setExecutor(handlers); // the default executor is one thread: /slow would block the rest
        server.start();
        SERVERS.add(server);
        return server.getAddress().getPort();
    }

    private static void routes(HttpServer server) {
        server.createContext("/ok", ex -> reply(ex, 200, "all ok\n"));
        server.createContext("/down", ex -> reply(ex, 503, "maintenance\n"));
        server.createContext("/redirect", ex -> {
            ex.getResponseHeaders().add("Location", "/ok");
            reply(ex, 302, "");
        });
        server.createContext("/query", ex -> reply(ex, 200, "query=" + ex.getRequestURI().getRawQuery()));
        server.createContext("/big", ex -> reply(ex, 200, "x".repeat(HttpProbe.MAX_BODY + 1000) + "needle"));
        server.createContext("/slow", ex -> {
            try {
                RELEASE_SLOW.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reply(ex, 200, "late");
        });
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
        ex.close();
    }

    private static Path keystore(String name, String san) throws Exception {
        Path ks = tmp.resolve(name + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", name, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + name + " haagent test", "-ext", "SAN=" + san,
                "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASS), "-keypass", new String(PASS))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("keytool failed: " + out);
        }
        return ks;
    }

    private static HttpsServer https(Path keystore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASS);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASS);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(loopback(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        routes(server);
        return server;
    }

    private static TrustManagerFactory trusting(Path... keystores) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (Path p : keystores) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p)) {
                ks.load(in, PASS);
            }
            String alias = ks.aliases().nextElement();
            Certificate cert = ks.getCertificate(alias);
            trust.setCertificateEntry(alias, cert);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf;
    }

    private static CheckSpec.Http spec(String url, List<StatusRange> status, Optional<String> body, Optional<String> regex,
                                       boolean tlsVerify, Duration timeout) {
        return new CheckSpec.Http(URI.create(url), status, body, regex, tlsVerify,
                new CheckSpec.CheckTiming(timeout.multipliedBy(2), timeout, 2, 3));
    }

    private static CheckSpec.Http get(String url) {
        return spec(url, DEFAULT_STATUS, Optional.empty(), Optional.empty(), true, Duration.ofSeconds(5));
    }

    private static CheckResult run(Probes probes, CheckSpec spec) throws Exception {
        return probes.forCheck("web", spec).run().get(30, TimeUnit.SECONDS);
    }

    private static String plain(String path) {
        return "http://127.0.0.1:" + plainPort + path;
    }

    @Test
    void ok_isUp_reasonHasStatusAndTime() throws Exception {
        CheckResult r = run(probes, get(plain("/ok")));
        assertTrue(r.up(), r.reason());
        assertTrue(r.reason().matches("HTTP 200 in (<1|\\d+)ms"), r.reason());
    }

    @Test
    void status503_isDown_reasonNamesTheStatus() throws Exception {
        CheckResult r = run(probes, get(plain("/down")));
        assertFalse(r.up());
        assertTrue(r.reason().matches("HTTP 503 in (<1|\\d+)ms"), r.reason());
    }

    @Test
    void redirect_isNotFollowed_defaultRangeAccepts3xx() throws Exception {
        CheckResult r = run(probes, get(plain("/redirect")));
        assertTrue(r.up(), r.reason());
        assertTrue(r.reason().startsWith("HTTP 302 "), r.reason());
    }

    @Test
    void expectStatus200Only_302IsDown() throws Exception {
        CheckResult r = run(probes, spec(plain("/redirect"), List.of(new StatusRange(200, 200)), Optional.empty(),
                Optional.empty(), true, Duration.ofSeconds(5)));
        assertFalse(r.up());
        assertTrue(r.reason().startsWith("HTTP 302 "), r.reason());
    }

    @Test
    void expectStatusList_503Listed_isUp() throws Exception {
        CheckResult r = run(probes, spec(plain("/down"), List.of(new StatusRange(200, 299), new StatusRange(503, 503)),
                Optional.empty(), Optional.empty(), true, Duration.ofSeconds(5)));
        assertTrue(r.up(), r.reason());
    }

    @Test
    void expectBody_present_isUp() throws Exception {
        CheckResult r = run(probes, spec(plain("/ok"), DEFAULT_STATUS, Optional.of("ok"), Optional.empty(), true,
                Duration.ofSeconds(5)));
        assertTrue(r.up(), r.reason());
    }

    @Test
    void expectBody_absent_isDown_reasonSaysWhatIsMissing() throws Exception {
        CheckResult r = run(probes, spec(plain("/ok"), DEFAULT_STATUS, Optional.of("healthy"), Optional.empty(), true,
                Duration.ofSeconds(5)));
        assertFalse(r.up());
        assertTrue(r.reason().matches("HTTP 200 in (<1|\\d+)ms, body lacks 'healthy'"), r.reason());
    }

    @Test
    void expectBodyRegex_matchesAnywhere() throws Exception {
        assertTrue(run(probes, spec(plain("/query?x=1&y=2"), DEFAULT_STATUS, Optional.empty(), Optional.of("query=x=\\d&y"),
                true, Duration.ofSeconds(5))).up(), "the query string reaches the server");
        CheckResult r = run(probes, spec(plain("/ok"), DEFAULT_STATUS, Optional.empty(), Optional.of("^ok$"), true,
                Duration.ofSeconds(5)));
        assertFalse(r.up());
        assertTrue(r.reason().endsWith("body does not match '^ok$'"), r.reason());
    }

    @Test
    void body_isSearchedOnlyInItsFirst64KiB() throws Exception {
        CheckResult r = run(probes, spec(plain("/big"), DEFAULT_STATUS, Optional.of("needle"), Optional.empty(), true,
                Duration.ofSeconds(5)));
        assertFalse(r.up());
        assertTrue(r.reason().endsWith("body lacks 'needle'"), r.reason());
    }

    @Test
    void slowServer_timesOut_reasonSaysAfterHowLong() throws Exception {
        CheckResult r = run(probes, spec(plain("/slow"), DEFAULT_STATUS, Optional.empty(), Optional.empty(), true,
                Duration.ofMillis(300)));
        assertFalse(r.up());
        assertEquals("timed out after 300ms", r.reason());
    }

    @Test
    void nothingListening_isConnectRefused() throws Exception {
        CheckResult r = run(probes, get("http://127.0.0.1:" + FreePorts.tcp() + "/ok"));
        assertFalse(r.up());
        assertEquals("connect refused", r.reason());
    }

    @Test
    void https_trustedCertificateForTheHost_isUp() throws Exception {
        CheckResult r = run(trustingProbes, get("https://127.0.0.1:" + goodTlsPort + "/ok"));
        assertTrue(r.up(), r.reason());
        assertTrue(r.reason().startsWith("HTTP 200 in "), r.reason());
    }

    @Test
    void https_selfSignedWithDefaultTrust_isDown_notTrusted() throws Exception {
        CheckResult r = run(probes, get("https://127.0.0.1:" + goodTlsPort + "/ok"));
        assertFalse(r.up());
        assertEquals("TLS certificate not trusted", r.reason());
    }

    @Test
    void https_trustedCertificateForAnotherName_isDown_hostnameVerified() throws Exception {
        CheckResult r = run(trustingProbes, get("https://127.0.0.1:" + wrongNameTlsPort + "/ok"));
        assertFalse(r.up());
        assertTrue(r.reason().startsWith("TLS certificate does not match the host"), r.reason());
    }

    @Test
    void https_tlsVerifyFalse_acceptsSelfSignedAndWrongName() throws Exception {
        for (int port : new int[] {goodTlsPort, wrongNameTlsPort}) {
            CheckResult r = run(probes, spec("https://127.0.0.1:" + port + "/ok", DEFAULT_STATUS, Optional.of("ok"),
                    Optional.empty(), false, Duration.ofSeconds(5)));
            assertTrue(r.up(), r.reason());
        }
    }

    @Test
    void https_againstAPlainHttpPort_isDown() throws Exception {
        // The JDK server waits for a request line that never comes: a timeout, or a TLS error elsewhere.
        CheckResult r = run(probes, spec("https://127.0.0.1:" + plainPort + "/ok", DEFAULT_STATUS, Optional.empty(),
                Optional.empty(), false, Duration.ofMillis(500)));
        assertFalse(r.up(), r.reason());
    }

    @Test
    void manyRuns_ofOneProbe_allComplete() throws Exception {
        Probe probe = probes.forCheck("web", get(plain("/ok")));
        for (int i = 0; i < 50; i++) {
            CheckResult r = probe.run().get(30, TimeUnit.SECONDS);
            assertTrue(r.up(), "run " + i + ": " + r.reason());
        }
    }
}
