package io.haagent.agent.admin;

import io.haagent.agent.json.Json;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.config.Durations;
import io.haagent.config.HostPort;
import io.haagent.time.Ticker;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server on {@code node.admin.listen}: {@code GET /metrics} (Prometheus text),
 * {@code GET /status} (JSON), and the POSTs that change something and {@code GET /services/NAME/log} (a child's
 * output may hold secrets), which need {@code Authorization: Bearer <token from node.admin.token_file>}; without a
 * token file they are refused.
 *
 * <p>A flood must not starve the checks, healing or VRRP (issue 10 §3.2), so everything a client can take is
 * bounded ({@link Limits}): connections, requests sent ahead on one connection (served one at a time, answered in
 * order), idle time, and the rate of requests without the token (429). Requests run on {@link #WORKER_THREADS}
 * platform threads of the server's own, never on the virtual threads' carriers.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** Request handling threads, apart from the checks', healing's and VRRP's: a flood waits here, nowhere else. */
    static final int WORKER_THREADS = 2;
    /** An admin request has no body; the largest is a POST with a long reason. */
    private static final int MAX_REQUEST_BYTES = 8 * 1024;
    /** Bytes taken from a socket per read, which bounds the pipelined requests decoded ahead of their turn. */
    private static final int READ_BUFFER_BYTES = 8 * 1024;

    /** What a POST asks the daemon to do; each returns the reply to send. */
    public interface Actions {
        Reply restartService(String service, String reason);

        Reply pauseService(String service, String reason, Optional<Duration> expiry);

        /** {@code reason} is the operator's, said in the resume's log sentence like a pause's. */
        Reply resumeService(String service, String reason);

        Reply pauseNode(String reason, Optional<Duration> expiry);

        Reply resumeNode(String reason);

        /** Stops the service's child as the agent's shutdown does, and keeps it stopped until {@link #startService}. */
        Reply stopService(String service, String reason);

        /** Starts a service an operator stopped: a fresh start, once its dependencies are started and UP. */
        Reply startService(String service, String reason);

        /**
         * The last {@code lines} lines of the service's stdout.log (stderr.log when {@code stderr}), or what follows
         * byte {@code from}; the reply carries {@code text} and {@code next}, the offset to ask from next time.
         */
        Reply serviceLog(String service, boolean stderr, int lines, OptionalLong from);

        /**
         * Hands the instance's MASTER role to a peer on purpose, after its replica caught up (within
         * {@code catchUpTimeout}, else the instance's default). Implemented by the daemon's failover; 501 until then.
         */
        default Reply switchover(String instance, String reason, Optional<Duration> catchUpTimeout) {
            return Reply.refused(501, "switchover is not available in this build");
        }

        /** Moves every MASTER role off this node and keeps it BACKUP. Implemented by the daemon's failover; 501 until then. */
        default Reply drainNode(String reason) {
            return Reply.refused(501, "drain is not available in this build");
        }

        /** Ends a drain ({@link #drainNode}): as {@link #resumeNode}, refused when the node is not drained. */
        default Reply undrainNode(String reason) {
            return Reply.refused(501, "undrain is not available in this build");
        }

        /** The latest load sample's JSON document ({@code scaler.push}); empty when there is none. */
        default Optional<String> loadDocument() {
            return Optional.empty();
        }

        /** Re-reads and lints the config; applies it only when it has no errors. */
        Reply reload();

        /**
         * The operator accepts the data loss a refused promotion warned of: the instance leaves the FAULT the
         * refusal put it in, and its next promotion skips the guard.
         */
        default Reply forcePromotion(String instance, String reason) {
            return Reply.refused(404, "no VRRP instance " + instance);
        }

        /**
         * A planned agent restart (an upgrade): the agent exits with its restart status and leaves the services'
         * children running for the next agent to adopt. Implemented by the daemon; 501 until then.
         */
        default Reply restartAgent(String reason) {
            return Reply.refused(501, "agent restart is not available in this build");
        }
    }

    /** An HTTP status and a JSON body. */
    public record Reply(int status, Map<String, Object> body, Runnable afterAnswer) {
        static final Runnable NOTHING = () -> {};

        public Reply(int status, Map<String, Object> body) {
            this(status, body, NOTHING);
        }

        /**
         * This reply, with {@code then} run once its answer has been written to the client (or the write failed):
         * for an act that ends the server, such as a planned agent restart, whose answer would otherwise be lost.
         */
        public Reply afterAnswer(Runnable then) {
            return new Reply(status, body, then);
        }

        public static Reply ok(String message) {
            return new Reply(200, Map.of("ok", true, "message", message));
        }

        public static Reply refused(int status, String message) {
            return new Reply(status, Map.of("ok", false, "message", message));
        }
    }

    /**
     * What the server lets a client take, so that a flood cannot starve the checks, healing or VRRP.
     *
     * @param maxConnections     open connections at once; more are closed at once
     * @param maxPipelined       requests a client may send ahead on one connection; one is served at a time, in order
     * @param idleTimeout        a connection without a complete request for this long is closed
     * @param anonymousPerSecond requests per second, over the whole server, that do not carry the token (429 above)
     * @param anonymousBurst     how many of those may come at once
     */
    public record Limits(int maxConnections, int maxPipelined, Duration idleTimeout, int anonymousPerSecond,
                         int anonymousBurst) {
        public static final Limits DEFAULT = new Limits(64, 16, Duration.ofSeconds(30), 50, 100);
    }

    private final EventLoopGroup group;
    private final Channel channel;
    private final ExecutorService workers;

    private AdminServer(EventLoopGroup group, Channel channel, ExecutorService workers) {
        this.group = group;
        this.channel = channel;
        this.workers = workers;
    }

    /**
     * Binds and serves with {@link Limits#DEFAULT}. {@code token} is asked on every POST, so a reload that changes
     * the token file takes effect at once.
     *
     * @throws IllegalStateException when the address cannot be bound, saying which and what to change
     */
    public static AdminServer start(HostPort listen, Supplier<Optional<String>> token, AgentMetrics metrics,
                                    Supplier<Map<String, Object>> status, Actions actions) {
        return start(listen, token, metrics, status, actions, Limits.DEFAULT, Ticker.SYSTEM);
    }

    /** As above, with other limits and the ticker the request rate is measured with. */
    public static AdminServer start(HostPort listen, Supplier<Optional<String>> token, AgentMetrics metrics,
                                    Supplier<Map<String, Object>> status, Actions actions, Limits limits, Ticker ticker) {
        // The admin server's whole thread budget: one event loop and WORKER_THREADS platform threads. Requests never
        // run on virtual threads, whose carriers the blocking checks and healing need (issue 10 §3.2).
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("haagent-admin-io", true),
                NioIoHandler.newFactory());
        AtomicInteger workerNo = new AtomicInteger();
        // At most one request in flight per connection: the queue cannot outgrow the connections (twice, for
        // connections closing while their request still waits).
        ThreadPoolExecutor workers = new ThreadPoolExecutor(WORKER_THREADS, WORKER_THREADS, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(2 * limits.maxConnections()),
                r -> Thread.ofPlatform().daemon().name("haagent-admin-" + workerNo.incrementAndGet()).unstarted(r));
        Router router = new Router(token, metrics, status, actions);
        Door door = new Door(limits, ticker, metrics);
        try {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    // Read only when asked: a connection's next request is read after its answer is written.
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.RECVBUF_ALLOCATOR,
                            new FixedRecvByteBufAllocator(READ_BUFFER_BYTES).maxMessagesPerRead(1))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                    new Connection(router, door, workers));
                        }
                    })
                    .bind(listen.host(), listen.port()).sync().channel();
            log.info("admin: listening on http://{} (/status, /metrics)", hostPort(ch));
            return new AdminServer(group, ch, workers);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownNow();
            throw new IllegalStateException("admin: cannot listen on " + listen + ": " + e.getMessage()
                    + "; free the port or set node.admin.listen to another address", e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    private static String hostPort(Channel ch) {
        InetSocketAddress a = (InetSocketAddress) ch.localAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        // The requests in flight finish before the event loops stop, so their answers are still written: the
        // answer to POST /agent/restart is what makes the agent close.
        workers.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The routes, free of Netty so that they read as a table. */
    record Router(Supplier<Optional<String>> token, AgentMetrics metrics, Supplier<Map<String, Object>> status,
                  Actions actions) {

        Response handle(HttpMethod method, String uri, Optional<String> authorization, Optional<String> accept) {
            QueryStringDecoder q = new QueryStringDecoder(uri);
            // Decoding throws on a malformed %-escape: a client's mistake, answered 400 in one line (issue 10 §3.7b).
            try {
                q.path();
            } catch (IllegalArgumentException e) {
                return badRequest("malformed percent-encoding in the path");
            }
            try {
                q.parameters();
            } catch (IllegalArgumentException e) {
                return badRequest("malformed percent-encoding in the query");
            }
            List<String> path = List.of(q.path().replaceAll("^/+|/+$", "").split("/+"));
            if (method.equals(HttpMethod.GET) && path.size() == 3 && path.get(0).equals("services")
                    && path.get(2).equals("log")) {
                // A child's output may hold secrets: only for the token, like a POST.
                return authorize("GET of a service's log", authorization).orElseGet(() -> serviceLog(q, path.get(1)));
            }
            if (method.equals(HttpMethod.GET)) {
                return switch (q.path()) {
                    case "/metrics" -> {
                        AgentMetrics.Exposition e = metrics.scrape(accept.orElse(null)); // OpenMetrics when asked
                        yield new Response(200, e.contentType(), e.body());
                    }
                    case "/status" -> Response.json(200, status.get());
                    case "/healthz" -> new Response(200, "text/plain; charset=utf-8", "ok\n");
                    case "/load" -> actions.loadDocument()
                            .map(doc -> new Response(200, "application/json", doc))
                            .orElseGet(() -> Response.json(404, Map.of("ok", false, "message", "no load sample: "
                                    + "scaler.push is not configured, or its first sample is not taken yet")));
                    default -> Response.json(404, Map.of("ok", false, "message", "no such page: " + q.path()
                            + "; GET /status, /metrics, /healthz, /load or /services/NAME/log"));
                };
            }
            if (!method.equals(HttpMethod.POST)) {
                return Response.json(405, Map.of("ok", false, "message", "use GET or POST"));
            }
            Optional<Response> denied = authorize("POST", authorization);
            if (denied.isPresent()) {
                return denied.get();
            }
            String reason = param(q, "reason").orElse("operator request");
            Optional<Duration> expiry;
            Optional<Duration> timeout;
            try {
                expiry = param(q, "for").map(Durations::parse);
            } catch (IllegalArgumentException e) {
                return Response.json(400, Map.of("ok", false, "message", "for: " + e.getMessage()));
            }
            try {
                timeout = param(q, "timeout").map(Durations::parse);
            } catch (IllegalArgumentException e) {
                return Response.json(400, Map.of("ok", false, "message", "timeout: " + e.getMessage()));
            }
            Reply r;
            if (path.size() == 3 && path.get(0).equals("services")) {
                String svc = path.get(1);
                r = switch (path.get(2)) {
                    case "restart" -> actions.restartService(svc, reason);
                    case "stop" -> actions.stopService(svc, reason);
                    case "start" -> actions.startService(svc, reason);
                    case "pause" -> actions.pauseService(svc, reason, expiry);
                    case "resume" -> actions.resumeService(svc, reason);
                    default -> null;
                };
            } else if (path.size() == 2 && path.get(0).equals("node")) {
                r = switch (path.get(1)) {
                    case "pause" -> actions.pauseNode(reason, expiry);
                    case "resume" -> actions.resumeNode(reason);
                    case "drain" -> actions.drainNode(reason);
                    case "undrain" -> actions.undrainNode(reason);
                    default -> null;
                };
            } else if (path.size() == 3 && path.get(0).equals("vrrp")) {
                r = switch (path.get(2)) {
                    case "promote" -> actions.forcePromotion(path.get(1), reason);
                    case "switchover" -> actions.switchover(path.get(1), reason, timeout);
                    default -> null;
                };
            } else if (path.equals(List.of("reload"))) {
                r = actions.reload();
            } else if (path.equals(List.of("agent", "restart"))) {
                r = actions.restartAgent(reason);
            } else {
                r = null;
            }
            if (r == null) {
                return Response.json(404, Map.of("ok", false, "message", "no such action: POST " + q.path()
                        + "; use /services/NAME/restart|stop|start|pause|resume, /node/pause|resume|drain,"
                        + " /vrrp/NAME/promote|switchover, /agent/restart or /reload"));
            }
            return Response.json(r.status(), r.body()).afterAnswer(r.afterAnswer());
        }

        /** GET /services/NAME/log?lines=50&from=OFFSET&stream=stdout|stderr */
        private Response serviceLog(QueryStringDecoder q, String service) {
            int lines;
            OptionalLong from;
            try {
                lines = param(q, "lines").map(Integer::parseInt).orElse(50);
                from = param(q, "from").map(f -> OptionalLong.of(Long.parseLong(f))).orElse(OptionalLong.empty());
            } catch (NumberFormatException e) {
                return badRequest("lines and from are whole numbers: " + e.getMessage());
            }
            if (lines < 0 || lines > 10_000 || (from.isPresent() && from.getAsLong() < 0)) {
                return badRequest("lines must be within 0..10000 and from at least 0");
            }
            String stream = param(q, "stream").orElse("stdout");
            if (!stream.equals("stdout") && !stream.equals("stderr")) {
                return badRequest("stream is stdout or stderr, not '" + stream + "'");
            }
            Reply r = actions.serviceLog(service, stream.equals("stderr"), lines, from);
            return Response.json(r.status(), r.body());
        }

        static Response badRequest(String what) {
            return Response.json(400, Map.of("ok", false, "message", "bad request: " + what));
        }

        /** {@code what} needs the token: "POST", "GET of a service's log". */
        private Optional<Response> authorize(String what, Optional<String> authorization) {
            if (token.get().isEmpty()) {
                return Optional.of(Response.json(403, Map.of("ok", false, "message",
                        what + " is refused: node.admin.token_file is not configured; set it to a file holding a token")));
            }
            if (!carriesToken(authorization)) {
                return Optional.of(Response.json(401, Map.of("ok", false, "message",
                        what + " needs 'Authorization: Bearer <token>' with the token from node.admin.token_file")));
            }
            return Optional.empty();
        }

        /** Whether the request carries the configured token; never without a token file. */
        boolean carriesToken(Optional<String> authorization) {
            Optional<String> expected = token.get();
            if (expected.isEmpty()) {
                return false;
            }
            String given = authorization.filter(h -> h.startsWith("Bearer ")).map(h -> h.substring(7).strip()).orElse("");
            // Constant-time, so the token cannot be guessed byte by byte from response times.
            return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.get().getBytes(StandardCharsets.UTF_8));
        }

        private static Optional<String> param(QueryStringDecoder q, String name) {
            List<String> v = q.parameters().get(name);
            return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getLast());
        }
    }

    record Response(int status, String contentType, String body, Optional<Long> retryAfterSeconds,
                    Runnable afterAnswer) {
        Response(int status, String contentType, String body) {
            this(status, contentType, body, Optional.empty(), Reply.NOTHING);
        }

        Response afterAnswer(Runnable then) {
            return new Response(status, contentType, body, retryAfterSeconds, then);
        }

        static Response json(int status, Map<String, Object> body) {
            return new Response(status, "application/json", Json.write(new LinkedHashMap<>(body)));
        }

        /** With {@code Retry-After} in whole seconds, rounded up (RFC 9110 §10.2.3). */
        Response retryAfter(long nanos) {
            return new Response(status, contentType, body, Optional.of(Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L)),
                    afterAnswer);
        }
    }

    /** One request as read, detached from Netty's buffers. {@code malformed} is set when it could not be decoded. */
    private record Request(HttpMethod method, String uri, Optional<String> authorization, Optional<String> accept,
                           boolean keepAlive, Optional<String> malformed) {
        static Request of(FullHttpRequest req) {
            Optional<String> malformed = req.decoderResult().isFailure()
                    ? Optional.of(String.valueOf(req.decoderResult().cause().getMessage())) : Optional.empty();
            return new Request(req.method(), req.uri(), Optional.ofNullable(req.headers().get(HttpHeaderNames.AUTHORIZATION)),
                    Optional.ofNullable(req.headers().get(HttpHeaderNames.ACCEPT)), HttpUtil.isKeepAlive(req) && malformed.isEmpty(), malformed);
        }
    }

    /**
     * Who gets in, shared by all connections: the count of open connections and the rate of requests without the
     * token. Touched only on the server's one event loop.
     */
    private static final class Door {
        private final Limits limits;
        private final Ticker ticker;
        private final AgentMetrics metrics;
        private final RequestRate anonymous;
        private final Spell connectionsRefused;
        private final Spell requestsRefused;
        private int open;

        Door(Limits limits, Ticker ticker, AgentMetrics metrics) {
            this.limits = limits;
            this.ticker = ticker;
            this.metrics = metrics;
            this.anonymous = new RequestRate(limits.anonymousPerSecond(), limits.anonymousBurst());
            this.connectionsRefused = new Spell("admin: closing new connections because " + limits.maxConnections()
                    + " are open, the most it serves at once; counted in haagent_admin_refused_total{reason=\"connections\"}",
                    "admin: accepting connections again after closing {} at the limit");
            this.requestsRefused = new Spell("admin: answering 429 to requests without the token because they come faster than "
                    + limits.anonymousPerSecond() + "/s; counted in haagent_admin_refused_total{reason=\"rate\"}",
                    "admin: serving requests without the token again after answering {} with 429");
        }

        boolean admit() {
            long now = ticker.nanoTime();
            if (open >= limits.maxConnections()) {
                connectionsRefused.refused(now);
                metrics.adminRefused("connections");
                return false;
            }
            connectionsRefused.passed(now);
            open++;
            return true;
        }

        void left() {
            open--;
        }

        /** Zero when a request without the token may be served now; else how long until one may. */
        long anonymousWaitNanos() {
            long now = ticker.nanoTime();
            long wait = anonymous.take(now);
            if (wait > 0) {
                requestsRefused.refused(now);
                metrics.adminRefused("rate");
            } else {
                requestsRefused.passed(now);
            }
            return wait;
        }

        void refused(String reason) {
            metrics.adminRefused(reason);
        }
    }

    /**
     * A spell of refusals, logged on its edges only (STYLE §8: quiet while nothing changes): its first refusal, and
     * its end with the count, once a request passes {@link #QUIET_NANOS} after the last refusal.
     */
    private static final class Spell {
        private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(10);
        private final String starts;
        private final String ends;
        private long refused;
        private long lastNanos;

        Spell(String starts, String ends) {
            this.starts = starts;
            this.ends = ends;
        }

        void refused(long nowNanos) {
            if (refused++ == 0) {
                log.warn(starts);
            }
            lastNanos = nowNanos;
        }

        void passed(long nowNanos) {
            if (refused > 0 && nowNanos - lastNanos >= QUIET_NANOS) {
                log.info(ends, refused);
                refused = 0;
            }
        }
    }

    /**
     * One connection: its requests are served one at a time, in the order they came (HTTP/1.1 pipelining, RFC 9112
     * §9.3), and the socket is read again only when the last answer is written. Its state is touched only on the
     * event loop; the routes run on the workers.
     */
    private static final class Connection extends ChannelInboundHandlerAdapter {
        private final Router router;
        private final Door door;
        private final ExecutorService workers;
        private final ArrayDeque<Request> waiting = new ArrayDeque<>();
        private boolean admitted;
        private boolean busy;
        /** More requests were sent ahead than {@link Limits#maxPipelined}: answer those kept, then close. */
        private boolean overrun;
        private ScheduledFuture<?> idle;

        Connection(Router router, Door door, ExecutorService workers) {
            this.router = router;
            this.door = door;
            this.workers = workers;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (!door.admit()) {
                ctx.close();
                return;
            }
            admitted = true;
            awaitRequest(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (admitted) {
                admitted = false;
                door.left();
            }
            cancelIdle();
            waiting.clear();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!(msg instanceof FullHttpRequest req) || !admitted) {
                    return;
                }
                cancelIdle();
                if (waiting.size() >= door.limits.maxPipelined()) {
                    overrun = true;
                    door.refused("pipelined");
                } else {
                    waiting.add(Request.of(req));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
            if (!busy) {
                next(ctx);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (admitted && !busy && waiting.isEmpty()) {
                ctx.read(); // only part of a request came: read on
            }
        }

        /** Serves the next waiting request, or waits for one. */
        private void next(ChannelHandlerContext ctx) {
            Request r = waiting.poll();
            if (r == null) {
                if (overrun) {
                    ctx.close();
                } else {
                    awaitRequest(ctx);
                }
                return;
            }
            busy = true;
            if (r.malformed().isPresent()) {
                log.debug("admin: answered 400 because the request could not be read: {}", r.malformed().get());
                door.refused("malformed");
                respond(ctx, r, Router.badRequest(r.malformed().get()));
                return;
            }
            if (!router.carriesToken(r.authorization())) {
                long wait = door.anonymousWaitNanos();
                if (wait > 0) {
                    respond(ctx, r, Response.json(429, Map.of("ok", false, "message", "too many requests without the "
                            + "admin token; retry later, or send 'Authorization: Bearer <token>'")).retryAfter(wait));
                    return;
                }
            }
            try {
                workers.execute(() -> {
                    Response resp = serve(r);
                    ctx.executor().execute(() -> respond(ctx, r, resp));
                });
            } catch (RejectedExecutionException e) {
                respond(ctx, r, Response.json(503, Map.of("ok", false, "message", "the admin server is busy; retry later")));
            }
        }

        private Response serve(Request r) {
            try {
                Response resp = router.handle(r.method(), r.uri(), r.authorization(), r.accept());
                if (resp.status() == 400) {
                    log.debug("admin: answered 400 to {} {}", r.method(), r.uri());
                }
                return resp;
            } catch (RuntimeException e) {
                log.warn("admin: {} {} failed", r.method(), r.uri(), e);
                return Response.json(500, Map.of("ok", false, "message", "internal error: " + e));
            }
        }

        private void respond(ChannelHandlerContext ctx, Request r, Response resp) {
            FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(resp.status()),
                    Unpooled.copiedBuffer(resp.body(), StandardCharsets.UTF_8));
            out.headers().set(HttpHeaderNames.CONTENT_TYPE, resp.contentType());
            resp.retryAfterSeconds().ifPresent(s -> out.headers().set(HttpHeaderNames.RETRY_AFTER, s));
            HttpUtil.setContentLength(out, out.content().readableBytes());
            boolean close = !r.keepAlive() || (overrun && waiting.isEmpty());
            out.headers().set(HttpHeaderNames.CONNECTION, close ? HttpHeaderValues.CLOSE : HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(out).addListener(f -> {
                resp.afterAnswer().run();
                busy = false;
                if (close || !f.isSuccess()) {
                    ctx.close();
                } else {
                    next(ctx);
                }
            });
        }

        /** Reads on, and closes the connection unless a whole request comes within the idle timeout. */
        private void awaitRequest(ChannelHandlerContext ctx) {
            cancelIdle();
            idle = ctx.executor().schedule(() -> {
                if (!busy && waiting.isEmpty() && ctx.channel().isActive()) {
                    door.refused("idle");
                    ctx.close();
                }
            }, door.limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
            ctx.read();
        }

        private void cancelIdle() {
            if (idle != null) {
                idle.cancel(false);
                idle = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
