package io.haagent.agent.load.push;

import io.haagent.agent.load.PlainHttp;
import io.haagent.agent.load.PushedSample;
import io.haagent.config.Durations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;

/**
 * The {@code http} sink: each sample's JSON POSTed gzip'd ({@code Content-Encoding: gzip}) to one URL; a 2xx answer
 * takes it, anything else is a failure with the status. Resending is safe when the receiver keys by node and seq.
 *
 * <p>{@link PlainHttp} rather than the admin server's Netty: one request at a time from one thread needs no event
 * loop; {@code timeout} bounds connecting, and then the wait for each read of the answer.
 */
public final class HttpLoadSink implements LoadSink {
    private final URI url;
    private final Duration timeout;
    private static final Map<String, String> HEADERS = Map.of("Content-Type", "application/json",
            "Content-Encoding", "gzip");
    /** The request under way: {@link #close} from another thread aborts it. */
    private final AtomicReference<HttpURLConnection> inFlight = new AtomicReference<>();

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

    @Override
    public void send(PushedSample sample) throws SinkFailure {
        int status;
        try {
            status = PlainHttp.exchange("POST", url, HEADERS, gzip(sample.json()), timeout, timeout, inFlight).status();
        } catch (SocketTimeoutException e) {
            boolean connecting = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("connect");
            throw new SinkFailure(FailureReason.TIMEOUT, (connecting ? "connect timed out after " : "no answer within ")
                    + Durations.format(timeout), e);
        } catch (ConnectException e) {
            throw new SinkFailure(FailureReason.CONNECT, "connection refused", e);
        } catch (IOException e) {
            throw new SinkFailure(FailureReason.OTHER, String.valueOf(e.getMessage()), e);
        }
        if (status / 100 != 2) {
            FailureReason reason = status == 401 || status == 403 ? FailureReason.AUTH : FailureReason.HTTP_STATUS;
            throw new SinkFailure(reason, "HTTP " + status);
        }
    }

    /** Aborts a request under way; a kept-alive idle connection is the JDK's to close. */
    @Override
    public void close() {
        HttpURLConnection c = inFlight.get();
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
