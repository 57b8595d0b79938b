package io.haagent.agent.load;

import io.haagent.agent.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The application's throughput from an HTTP endpoint that answers JSON: {@code GET url}, then the number at
 * {@code field} (a dotted path into nested objects, e.g. {@code stats.rpm}) as {@code app_throughput{field="..."}},
 * e.g. requests per minute, as the scaler's "throughput per server" is measured. A status other than 200, a body
 * that is not JSON, a field that is absent or not a number each fail this reader (a problem sentence), not the sample.
 *
 * <p>One JDK client is kept for the agent's life (it keeps the connection alive between samples); {@link #close()}
 * ends it.
 */
public final class HttpThroughput implements LoadReader, AutoCloseable {
    private final URI url;
    private final String field;
    private final Duration timeout;
    private final HttpClient client;

    /** @param timeout the connect timeout, and again the whole request's */
    public HttpThroughput(URI url, String field, Duration timeout) {
        this.url = url;
        this.field = field;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public void read(Readings into) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(url).timeout(timeout)
                .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
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
        client.close();
    }
}
