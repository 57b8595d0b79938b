package io.haagent.agent.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One HTTP request of the load push (the http sink, the application's throughput, the EC2 identity) on the JDK's
 * {@link HttpURLConnection}, not its {@code HttpClient}: a request every few seconds from one thread needs no
 * selector thread, and over plain http nothing of TLS is loaded (with the client the agent's resident memory grew by
 * about 10 MiB, benchmarks/footprint.sh --load-push). No proxy, no redirects, no caches; a connection the server
 * keeps alive is reused by the JDK for the next request.
 */
public final class PlainHttp {
    private PlainHttp() {}

    /** The answer's status and body (the error body for a status of 400 and more, empty when there is none). */
    public record Answer(int status, String body) {}

    /**
     * Sends one request and reads the whole answer.
     *
     * @param body     sent with a Content-Length, or null for none
     * @param inFlight holds the connection while the request is under way, so another thread can abort it with
     *                 {@code disconnect()}; null when nobody will
     * @throws IOException as the JDK throws it: {@code SocketTimeoutException} (connecting: "connect timed out"),
     *                     {@code ConnectException} (refused), others
     */
    public static Answer exchange(String method, URI url, Map<String, String> headers, byte[] body,
                                  Duration connectTimeout, Duration readTimeout,
                                  AtomicReference<HttpURLConnection> inFlight) throws IOException {
        HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection(Proxy.NO_PROXY);
        if (inFlight != null) {
            inFlight.set(c);
        }
        try {
            c.setConnectTimeout(millis(connectTimeout));
            c.setReadTimeout(millis(readTimeout));
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setRequestMethod(method);
            headers.forEach(c::setRequestProperty);
            if (body != null) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(body.length);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = c.getResponseCode();
            // read to the end, so the connection can carry the next request
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                return new Answer(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } finally {
            if (inFlight != null) {
                inFlight.set(null);
            }
        }
    }

    private static int millis(Duration d) {
        return Math.toIntExact(Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis())));
    }
}
