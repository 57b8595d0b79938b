package io.haagent.agent.load.push;

import io.haagent.agent.load.PushedSample;
import io.haagent.config.Durations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;

/**
 * The {@code http} sink: each sample's JSON POSTed gzip'd ({@code Content-Encoding: gzip}) to one URL; a 2xx answer
 * takes it, anything else is a failure with the status. Resending is safe when the receiver keys by node and seq.
 *
 * <p>The JDK's client rather than the admin server's Netty: one request at a time from one thread needs no event
 * loop, and its {@code timeout} bounds the whole exchange (connect, send, answer).
 */
public final class HttpLoadSink implements LoadSink {
    private final URI url;
    private final Duration timeout;
    private final HttpClient client;

    /**
     * @param url     where to POST ({@code scaler.push.sink.http.url})
     * @param timeout the most one POST may take, connecting included
     */
    public HttpLoadSink(URI url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                // over plain http the JDK would ask every connection to upgrade to h2c, with the body on the
                // upgrade request, which some receivers refuse; https negotiates HTTP/2 by ALPN as usual
                .version("http".equalsIgnoreCase(url.getScheme()) ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
                .build();
    }

    @Override
    public String name() {
        return "http " + url;
    }

    @Override
    public void send(PushedSample sample) throws SinkFailure {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(sample.json())))
                .build();
        int status;
        try {
            status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (HttpConnectTimeoutException e) {
            throw new SinkFailure(FailureReason.TIMEOUT, "connect timed out after " + Durations.format(timeout), e);
        } catch (HttpTimeoutException e) {
            throw new SinkFailure(FailureReason.TIMEOUT, "no answer within " + Durations.format(timeout), e);
        } catch (ConnectException e) {
            throw new SinkFailure(FailureReason.CONNECT, "connection refused", e);
        } catch (IOException e) {
            throw new SinkFailure(FailureReason.OTHER, String.valueOf(e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkFailure(FailureReason.OTHER, "interrupted", e);
        }
        if (status / 100 != 2) {
            FailureReason reason = status == 401 || status == 403 ? FailureReason.AUTH : FailureReason.HTTP_STATUS;
            throw new SinkFailure(reason, "HTTP " + status);
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
    }

    static byte[] gzip(byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 4 + 32);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
        return out.toByteArray();
    }
}
