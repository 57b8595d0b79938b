package io.haagent.agent.load;

import io.haagent.agent.json.Json;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The application's throughput from an HTTP endpoint that answers JSON: {@code GET url}, then the number at
 * {@code field} (a dotted path into nested objects, e.g. {@code stats.rpm}) as {@code app_throughput{field="..."}},
 * e.g. requests per minute, as the scaler's "throughput per server" is measured. A status other than 200, a body
 * that is not JSON, a field that is absent or not a number each fail this reader (a problem sentence), not the sample.
 *
 * <p>One {@link PlainHttp} request per sample; the JDK keeps the connection alive between them when the server does.
 */
public final class HttpThroughput implements LoadReader, AutoCloseable {
    private final URI url;
    private final String field;
    private final Duration timeout;

    /** @param timeout the connect timeout, and again the wait for each read of the answer */
    public HttpThroughput(URI url, String field, Duration timeout) {
        this.url = url;
        this.field = field;
        this.timeout = timeout;
    }

    @Override
    public void read(Readings into) throws IOException {
        PlainHttp.Answer response = PlainHttp.exchange("GET", url, Map.of("Accept", "application/json"), null,
                timeout, timeout, null);
        if (response.status() != 200) {
            throw new IOException("HTTP " + response.status());
        }
        Object at;
        try {
            at = Json.read(response.body());
        } catch (IllegalArgumentException e) {
            throw new IOException("the answer is " + e.getMessage());
        }
        for (String key : field.split("\\.")) {
            if (!(at instanceof Map<?, ?> m) || !m.containsKey(key)) {
                throw new IOException("the answer has no field " + field);
            }
            at = m.get(key);
        }
        if (!(at instanceof Number n)) {
            throw new IOException("field " + field + " is " + at + ", not a number");
        }
        into.put("app_throughput", n, "field", field);
    }

    @Override
    public String what() {
        return "application throughput (" + field + " from " + url + ")";
    }

    @Override
    public void close() {
        // nothing held: a kept-alive connection is the JDK's to close when idle
    }
}
