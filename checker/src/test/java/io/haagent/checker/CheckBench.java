package io.haagent.checker;

import io.haagent.checker.probe.Probes;
import io.haagent.config.CheckSpec;
import io.haagent.time.Ticker;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The check benchmark behind {@code benchmarks/checks.sh} (not a test: surefire does not run it).
 * Runs N {@code http} checks through the real {@link CheckScheduler} and {@link Probes} against a
 * Netty HTTP server on 127.0.0.1 in a separate JVM (so this process's CPU time is the agent's
 * alone), and prints the sustained results per second and the CPU seconds per 1,000 checks.
 *
 * <pre>
 * CheckBench [--checks 5000] [--interval 1s] [--warmup 10] [--seconds 20] [--io-threads N]
 *                                                                           the benchmark (at most 30 s)
 * CheckBench server                                                         the HTTP server; prints its port
 * </pre>
 */
public final class CheckBench {
    private static final int MAX_TOTAL_SECONDS = 30;

    private CheckBench() {}

    public static void main(String[] args) throws Exception {
        // Flip lines would flood the terminal when a saturated run times out; the summary counts failures.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        }
        if (args.length > 0 && args[0].equals("server")) {
            serve();
            return;
        }
        Map<String, String> opt = new HashMap<>(Map.of("--checks", "5000", "--interval", "1s", "--warmup", "10", "--seconds", "20",
                "--io-threads", "0"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; use --checks, --interval, --warmup, --seconds, --io-threads");
            }
            opt.put(args[i], args[i + 1]);
        }
        int checks = Integer.parseInt(opt.get("--checks"));
        Duration interval = io.haagent.config.Durations.parse(opt.get("--interval"));
        int warmup = Integer.parseInt(opt.get("--warmup"));
        int seconds = Math.min(Integer.parseInt(opt.get("--seconds")), MAX_TOTAL_SECONDS - warmup);
        if (seconds < 1) {
            throw new IllegalArgumentException("--warmup plus --seconds must leave at least 1 s of the " + MAX_TOTAL_SECONDS + " s budget");
        }
        int ioThreads = Integer.parseInt(opt.get("--io-threads"));
        run(checks, interval, warmup, seconds, ioThreads);
    }

    private static void run(int checks, Duration interval, int warmup, int seconds, int ioThreads) throws Exception {
        Process server = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "-XX:+UseSerialGC", CheckBench.class.getName(), "server")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("port ")) {
                throw new IllegalStateException("the benchmark HTTP server did not start: " + line);
            }
            int port = Integer.parseInt(line.substring(5).strip());
            measure(checks, interval, warmup, seconds, ioThreads, port, server);
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void measure(int checks, Duration interval, int warmup, int seconds, int ioThreads, int port,
                                Process server)
            throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var threads = ManagementFactory.getThreadMXBean();
        AtomicLong ups = new AtomicLong();
        AtomicLong downs = new AtomicLong();
        Map<String, AtomicLong> downReasons = new java.util.concurrent.ConcurrentHashMap<>();
        long[] micros = new long[Math.max(1, checks * seconds * 2)];
        AtomicInteger recorded = new AtomicInteger();
        AtomicInteger recording = new AtomicInteger(); // 1 while the measuring window is open

        URI url = URI.create("http://127.0.0.1:" + port + "/healthz");
        Duration timeout = interval.dividedBy(2);
        Map<String, CheckSpec> specs = new LinkedHashMap<>();
        for (int i = 0; i < checks; i++) {
            specs.put("web-" + i, new CheckSpec.Http(url, List.of(new CheckSpec.StatusRange(200, 399)), Optional.of("ok"),
                    Optional.empty(), true, new CheckSpec.CheckTiming(interval, timeout, 2, 3)));
        }
        Probes.Builder builder = Probes.builder();
        if (ioThreads > 0) {
            builder.ioThreads(ioThreads);
        }
        try (Probes probes = builder.build(); CheckScheduler scheduler = CheckScheduler.create(probes, Ticker.SYSTEM)) {
            scheduler.addListener(new CheckListener() {
                @Override
                public void resultRecorded(CheckStatus status) {
                    if (recording.get() == 0) {
                        return;
                    }
                    var r = status.last().orElseThrow();
                    if (r.up()) {
                        ups.incrementAndGet();
                    } else {
                        downs.incrementAndGet();
                        downReasons.computeIfAbsent(r.reason().replaceAll("\\d+ms", "Nms"), k -> new AtomicLong()).incrementAndGet();
                    }
                    int i = recorded.getAndIncrement();
                    if (i < micros.length) {
                        micros[i] = r.duration().toNanos() / 1000;
                    }
                }
            });
            System.out.printf("checks: %d http checks every %s (timeout %s) against a Netty server on 127.0.0.1:%d%n",
                    checks, io.haagent.config.Durations.format(interval), io.haagent.config.Durations.format(timeout), port);
            System.out.printf("target: %.0f checks/s; warm-up %d s, then %d s measured; %d CPUs%n",
                    checks * 1e9 / interval.toNanos(), warmup, seconds, Runtime.getRuntime().availableProcessors());
            scheduler.apply(specs);
            Thread.sleep(warmup * 1000L); // a benchmark waits on the wall clock by design

            long[] userSys0 = userSysTicks();
            long skipped0 = scheduler.snapshot().stream().mapToLong(CheckStatus::skippedRuns).sum();
            long serverCpu0 = server.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            recording.set(1);
            Thread.sleep(seconds * 1000L);
            recording.set(0);
            long wall = System.nanoTime() - t0;
            long cpu = os.getProcessCpuTime() - cpu0;
            long[] userSys1 = userSysTicks();
            long serverCpu = server.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L) - serverCpu0;
            int liveThreads = threads.getThreadCount();
            long skipped = scheduler.snapshot().stream().mapToLong(CheckStatus::skippedRuns).sum() - skipped0;
            long down = scheduler.snapshot().stream().filter(s -> s.state() == CheckState.DOWN).count();

            long results = ups.get() + downs.get();
            double perSecond = results * 1e9 / wall;
            double cpuSeconds = cpu / 1e9;
            System.out.printf("results: %d in %.1f s = %.0f checks/s sustained (%d failed, %d runs skipped, %d checks DOWN at the end)%n",
                    results, wall / 1e9, perSecond, downs.get(), skipped, down);
            System.out.printf("agent CPU: %.2f s in %.1f s = %.2f cores; %.3f CPU s per 1,000 checks%s%n",
                    cpuSeconds, wall / 1e9, cpu / (double) wall, results == 0 ? Double.NaN : cpuSeconds * 1000 / results,
                    userSys0.length == 0 || userSys1.length == 0 ? "" : String.format(" (user %.2f s, kernel %.2f s)",
                            (userSys1[0] - userSys0[0]) / 100.0, (userSys1[1] - userSys0[1]) / 100.0));
            if (serverCpu >= 0) {
                System.out.printf("server CPU (separate JVM, not counted above): %.2f s%n", serverCpu / 1e9);
            }
            int n = Math.min(recorded.get(), micros.length);
            if (n > 0) {
                long[] d = Arrays.copyOf(micros, n);
                Arrays.sort(d);
                System.out.printf("check duration: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                        d[n / 2] / 1e3, d[(int) (n * 0.99)] / 1e3, d[n - 1] / 1e3);
            }
            System.out.printf("agent JVM threads: %d (for %d checks)%n", liveThreads, checks);
            downReasons.forEach((reason, count) -> System.out.printf("  failed %d x: %s%n", count.get(), reason));
        }
    }

    /** This process's user and kernel CPU time in clock ticks (1/100 s) from /proc, or nothing off Linux. */
    private static long[] userSysTicks() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])}; // utime, stime: fields 14 and 15
        } catch (java.io.IOException | RuntimeException e) {
            return new long[0];
        }
    }

    /** A minimal HTTP server: 200 "ok" to every request, then close, as a health endpoint with Connection: close. */
    private static void serve() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                    new SimpleChannelInboundHandler<FullHttpRequest>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                            var resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                                    Unpooled.wrappedBuffer("ok\n".getBytes(StandardCharsets.US_ASCII)));
                                            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 3)
                                                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                                                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                                            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
                                        }

                                        @Override
                                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                            ctx.close(); // a client's RST after it read the reply: expected
                                        }
                                    });
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0)).sync().channel();
            System.out.println("port " + ((InetSocketAddress) ch.localAddress()).getPort());
            System.out.flush();
            // Serve until the benchmark closes our stdin (or dies).
            while (System.in.read() >= 0) {
                // nothing to read; just wait for EOF
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
