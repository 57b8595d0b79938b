package io.haagent.checker.probe;

import io.haagent.config.CheckSpec;
import io.haagent.time.Ticker;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.TrustManagerFactory;

/**
 * The real {@link ProbeFactory}, and the owner of what all probes share: one Netty event loop
 * group for every {@code http} and {@code tcp} check, and a virtual-thread executor for the
 * blocking ones ({@code redis}, {@code command}, {@code disk}, {@code file_age}). Thread count does
 * not grow with the number of checks. Close it after the scheduler that uses it.
 *
 * <pre>{@code
 * try (Probes probes = Probes.create();
 *      CheckScheduler checks = CheckScheduler.create(probes, Ticker.SYSTEM)) { ... }
 * }</pre>
 */
public final class Probes implements ProbeFactory, AutoCloseable {
    private final ProbeContext ctx;

    private Probes(ProbeContext ctx) {
        this.ctx = ctx;
    }

    /** Probes on the system clocks, with the JDK's trusted CAs for HTTPS. */
    public static Probes create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Probe forCheck(String name, CheckSpec spec) {
        return switch (spec) {
            case CheckSpec.Http http -> new HttpProbe(http, ctx);
            case CheckSpec.Redis redis -> new RedisProbe(redis, ctx);
            case CheckSpec.Tcp tcp -> new TcpProbe(tcp, ctx);
            case CheckSpec.Disk disk -> new DiskProbe(disk, ctx);
            case CheckSpec.FileAge fileAge -> new FileAgeProbe(fileAge, ctx);
            case CheckSpec.Command command -> new CommandProbe(command, ctx);
        };
    }

    /** Stops the event loops and the blocking executor; runs still going complete as down or not at all. */
    @Override
    public void close() {
        ctx.blocking().shutdownNow();
        ctx.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Options for {@link Probes}. */
    public static final class Builder {
        private Ticker ticker = Ticker.SYSTEM;
        private InstantSource wallClock = InstantSource.system();
        private int ioThreads = 1;
        private TrustManagerFactory trust;

        private Builder() {}

        /** Measures durations; default the system's monotonic clock. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker);
            return this;
        }

        /** The wall clock {@code file_age} compares modification times with. */
        public Builder wallClock(InstantSource wallClock) {
            this.wallClock = Objects.requireNonNull(wallClock);
            return this;
        }

        /** Event loop threads for all HTTP and TCP checks; default 1, which runs 5,000 checks a second (benchmarks/checks.sh). */
        public Builder ioThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("ioThreads must be at least 1, not " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /** The CAs HTTPS checks trust when {@code tls_verify} is on; default the JDK's. */
        public Builder trust(TrustManagerFactory trust) {
            this.trust = Objects.requireNonNull(trust);
            return this;
        }

        public Probes build() {
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(ioThreads,
                    new DefaultThreadFactory("haagent-check-io", true), NioIoHandler.newFactory());
            ExecutorService blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("haagent-check-", 0).factory());
            return new Probes(new ProbeContext(group, new TlsContexts(trust), blocking, ticker, wallClock));
        }
    }
}
