package io.haagent.aws;

import io.haagent.time.Backoff;
import io.haagent.time.Ticker;
import java.time.Duration;
import java.util.function.Consumer;
import software.amazon.awssdk.imds.Ec2MetadataClient;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

/**
 * What tests replace in an AWS caller: the SDK client builders (credentials, interceptors, the IMDS
 * endpoint), the ticker that bounds the waits, and the pause between two polls.
 */
public record AwsEdges(Consumer<Ec2ClientBuilder> ec2, Consumer<Ec2MetadataClient.Builder> imds, Ticker ticker,
                       Pause pause) {

    /** Production: the SDK's default chains, the system ticker, a real sleep. */
    public static final AwsEdges SYSTEM = new AwsEdges(unchanged(), unchanged(), Ticker.SYSTEM, Thread::sleep);

    /**
     * A builder hook that changes nothing. Generic on purpose: a lambda typed on an SDK builder would make
     * the JVM load the AWS SDK (a 12,000-class jar) as soon as this class is used, also on a host that
     * never calls AWS; this way the SDK loads with the first client an {@code eni}, {@code secondary_ip}
     * or {@code ec2} step builds.
     */
    private static <T> Consumer<T> unchanged() {
        return builder -> { };
    }

    /** A poll that ends {@code limit} from now on this ticker, waiting by {@code waits}. */
    public Poll poll(Duration limit, Backoff waits) {
        return new Poll(ticker, pause, limit, waits);
    }

    /** This instance's identity, asked from the metadata service through this IMDS builder hook. */
    public ImdsIdentity identity() {
        return new ImdsIdentity(imds);
    }
}
