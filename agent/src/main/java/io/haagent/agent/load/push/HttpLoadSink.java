package io.haagent.agent.load.push;

import io.haagent.agent.load.PushedSample;
import io.haagent.config.Durations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;

/**
 * The {@code http} sink: each sample's JSON POSTed gzip'd ({@code Content-Encoding: gzip}) to one URL; a 2xx answer
 * takes it, anything else is a failure with the status. Resending is safe when the receiver keys by node and seq.
 *
 * <p>The JDK's {@link HttpURLConnection} rather than the admin server's Netty: one request at a time from one thread
 * needs no event loop; {@code timeout} bounds connecting, and then the wait for each read of the answer.
 */
public final class HttpLoadSink implements LoadSink {
    private final URI url;
    private final Duration timeout;
    /** The request under way: {@link #close} from another thread aborts it. */
    private volatile HttpURLConnection inFlight;

    /**
     * @param url     where to POST ({@code scaler.push.sink.http.url})
     * @param timeout the most connecting may take, and then the most the answer may take
     */
    public HttpLoadSink(URI url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "http " + url;
    }

    /**
     * One POST on the JDK's {@link HttpURLConnection}, not its {@code HttpClient}: one request every few seconds from
     * one thread needs no selector thread, and over plain http nothing of TLS is loaded; with the client the agent's
     * resident memory grew by more (benchmarks/footprint.sh --load-push). Connections are kept alive between samples
     * by the JDK's cache when the receiver allows it.
     */
    @Override
    public void send(PushedSample sample) throws SinkFailure {
        byte[] body = gzip(sample.json());
        int millis = Math.toIntExact(Math.max(1, timeout.toMillis()));
        HttpURLConnection c = null;
        int status;
        try {
            c = (HttpURLConnection) url.toURL().openConnection(Proxy.NO_PROXY);
            inFlight = c;
            c.setConnectTimeout(millis);
            c.setReadTimeout(millis);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setDoOutput(true);
            c.setRequestMethod("POST");
            c.setRequestProperty("Content-Type", "application/json");
            c.setRequestProperty("Content-Encoding", "gzip");
            c.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            status = c.getResponseCode();
            drain(c, status);
        } catch (SocketTimeoutException e) {
            boolean connecting = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("connect");
            throw new SinkFailure(FailureReason.TIMEOUT, (connecting ? "connect timed out after " : "no answer within ")
                    + Durations.format(timeout), e);
        } catch (ConnectException e) {
            throw new SinkFailure(FailureReason.CONNECT, "connection refused", e);
        } catch (IOException e) {
            throw new SinkFailure(FailureReason.OTHER, String.valueOf(e.getMessage()), e);
        } finally {
            inFlight = null;
        }
        if (status / 100 != 2) {
            FailureReason reason = status == 401 || status == 403 ? FailureReason.AUTH : FailureReason.HTTP_STATUS;
            throw new SinkFailure(reason, "HTTP " + status);
        }
    }

    /** Reads the answer's body to its end, so the connection can carry the next sample. */
    private static void drain(HttpURLConnection c, int status) throws IOException {
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            if (in != null) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
    }

    /** Aborts a request under way; a kept-alive idle connection is the JDK's to close. */
    @Override
    public void close() {
        HttpURLConnection c = inFlight;
        if (c != null) {
            c.disconnect();
        }
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
