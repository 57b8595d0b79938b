package io.haagent.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** One health check: what to probe and how often. The state flips after {@code rise}/{@code fall} results in a row. */
public sealed interface CheckSpec {
    CheckTiming timing();

    /** The {@code type:} word that selects this variant. */
    String type();

    /**
     * The keys every check shares: its timing, and {@code notify} (here {@code notifies}: whether its flips are mailed as
     * {@code check_down} / {@code check_up}; default true).
     */
    record CheckTiming(Duration interval, Duration timeout, int rise, int fall, boolean notifies) {
        /** Mailed when it flips, as a check is unless it says {@code notify: false}. */
        public CheckTiming(Duration interval, Duration timeout, int rise, int fall) {
            this(interval, timeout, rise, fall, true);
        }
    }

    /** A status code range, inclusive; {@code 200} alone is {@code 200-200}. */
    record StatusRange(int from, int to) {
        public boolean contains(int status) {
            return status >= from && status <= to;
        }

        @Override
        public String toString() {
            return from == to ? Integer.toString(from) : from + "-" + to;
        }
    }

    record Http(URI url, List<StatusRange> expectStatus, Optional<String> expectBody, Optional<String> expectBodyRegex,
                boolean tlsVerify, CheckTiming timing) implements CheckSpec {
        public String type() {
            return "http";
        }
    }

    record Redis(String host, int port, Optional<Secret> password, CheckTiming timing) implements CheckSpec {
        public String type() {
            return "redis";
        }
    }

    record Tcp(HostPort address, CheckTiming timing) implements CheckSpec {
        public String type() {
            return "tcp";
        }
    }

    record Disk(Path path, int maxUsedPercent, CheckTiming timing) implements CheckSpec {
        public String type() {
            return "disk";
        }
    }

    record FileAge(Path path, Duration maxAge, CheckTiming timing) implements CheckSpec {
        public String type() {
            return "file_age";
        }
    }

    record Command(List<String> command, CheckTiming timing) implements CheckSpec {
        public String type() {
            return "command";
        }
    }
}
