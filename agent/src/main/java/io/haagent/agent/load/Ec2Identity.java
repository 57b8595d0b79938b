package io.haagent.agent.load;

import io.haagent.agent.json.Json;
import io.haagent.time.Ticker;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * This host's EC2 identity for the samples, from IMDSv2 with the JDK's HTTP client: {@code PUT /latest/api/token}
 * with {@code X-aws-ec2-metadata-token-ttl-seconds}, then {@code GET /latest/dynamic/instance-identity/document}
 * (its {@code instanceId}, {@code availabilityZone}, {@code instanceType}). Not the AWS SDK: that is loaded only when
 * the config moves addresses on EC2, and a host that merely pushes load should not pay for it.
 *
 * <p>Asked on the first sample with short timeouts (300 ms to connect, 1 s per request); an answer is kept for the
 * agent's life (an instance keeps its id, zone and type). No answer — not on EC2, IMDS off, a container one hop too
 * far — is remembered too: the next ask comes 10 minutes later, never every sample. The endpoint is the SDK's:
 * {@code AWS_EC2_METADATA_SERVICE_ENDPOINT}, else {@code http://169.254.169.254}; {@code AWS_EC2_METADATA_DISABLED=true}
 * turns the asking off, as it does for the SDK.
 */
public final class Ec2Identity implements Supplier<Optional<Ec2Instance>> {
    static final URI DEFAULT_ENDPOINT = URI.create("http://169.254.169.254");
    static final Duration ASK_AGAIN_AFTER = Duration.ofMinutes(10);
    private static final Duration CONNECT = Duration.ofMillis(300);
    private static final Duration REQUEST = Duration.ofSeconds(1);
    private static final String TOKEN_TTL_SECONDS = "60"; // one ask needs it for a second; IMDS allows 1..21600

    private final URI endpoint; // null: asking is off
    private final Ticker ticker;
    private volatile Ec2Instance known;
    private boolean asked;
    private long lastAskNanos;

    /** @param endpoint IMDS, e.g. {@code http://169.254.169.254}; a test's 127.0.0.1 server */
    public Ec2Identity(URI endpoint, Ticker ticker) {
        this.endpoint = endpoint;
        this.ticker = ticker;
    }

    /** The endpoint from the environment, as the SDK reads it. */
    public static Ec2Identity fromEnvironment(Map<String, String> env, Ticker ticker) {
        if ("true".equalsIgnoreCase(env.getOrDefault("AWS_EC2_METADATA_DISABLED", "").strip())) {
            return new Ec2Identity(null, ticker);
        }
        String e = env.getOrDefault("AWS_EC2_METADATA_SERVICE_ENDPOINT", "").strip();
        return new Ec2Identity(e.isEmpty() ? DEFAULT_ENDPOINT : URI.create(e), ticker);
    }

    /** The instance when IMDS has answered once; asks when due (blocking at most about 2.3 s). */
    @Override
    public synchronized Optional<Ec2Instance> get() {
        if (known != null || endpoint == null) {
            return Optional.ofNullable(known);
        }
        long now = ticker.nanoTime();
        if (asked && now - lastAskNanos < ASK_AGAIN_AFTER.toNanos()) {
            return Optional.empty();
        }
        asked = true;
        lastAskNanos = now;
        known = ask();
        return Optional.ofNullable(known);
    }

    private Ec2Instance ask() {
        String base = endpoint.toString().replaceAll("/+$", "");
        try {
            PlainHttp.Answer token = PlainHttp.exchange("PUT", URI.create(base + "/latest/api/token"),
                    Map.of("X-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL_SECONDS), new byte[0], CONNECT, REQUEST,
                    null);
            if (token.status() != 200) {
                return null;
            }
            PlainHttp.Answer doc = PlainHttp.exchange("GET",
                    URI.create(base + "/latest/dynamic/instance-identity/document"),
                    Map.of("X-aws-ec2-metadata-token", token.body().strip()), null, CONNECT, REQUEST, null);
            if (doc.status() != 200 || !(Json.read(doc.body()) instanceof Map<?, ?> m)
                    || !(m.get("instanceId") instanceof String id) || !id.startsWith("i-")) {
                return null;
            }
            return new Ec2Instance(id, String.valueOf(m.get("availabilityZone")), String.valueOf(m.get("instanceType")));
        } catch (Exception e) { // not on EC2: refused, timed out, unreachable, not JSON
            return null;
        }
    }
}
