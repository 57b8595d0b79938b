package io.haagent.agent.admin;

import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.config.Durations;
import io.haagent.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
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
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server on {@code node.admin.listen}: {@code GET /metrics} (Prometheus text),
 * {@code GET /status} (JSON), and the POSTs that change something, which need
 * {@code Authorization: Bearer <token from node.admin.token_file>}; without a token file every
 * POST is refused. Requests are served off the event loop so a slow action never stalls a scrape.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    /** What a POST asks the daemon to do; each returns the reply to send. */
    public interface Actions {
        Reply restartService(String service, String reason);

        Reply pauseService(String service, String reason, Optional<Duration> expiry);

        Reply resumeService(String service);

        Reply pauseNode(String reason, Optional<Duration> expiry);

        Reply resumeNode();

        /** Re-reads and lints the config; applies it only when it has no errors. */
        Reply reload();

        /**
         * The operator accepts the data loss a refused promotion warned of: the instance leaves the FAULT the
         * refusal put it in, and its next promotion skips the guard.
         */
        default Reply forcePromotion(String instance, String reason) {
            return Reply.refused(404, "no VRRP instance " + instance);
        }
    }

    /** An HTTP status and a JSON body. */
    public record Reply(int status, Map<String, Object> body) {
        public static Reply ok(String message) {
            return new Reply(200, Map.of("ok", true, "message", message));
        }

        public static Reply refused(int status, String message) {
            return new Reply(status, Map.of("ok", false, "message", message));
        }
    }

    private final EventLoopGroup group;
    private final Channel channel;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds and serves. {@code token} is asked on every POST, so a reload that changes the token
     * file takes effect at once.
     *
     * @throws IllegalStateException when the address cannot be bound, saying which and what to change
     */
    public static AdminServer start(HostPort listen, Supplier<Optional<String>> token, AgentMetrics metrics,
                                    Supplier<Map<String, Object>> status, Actions actions) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AdminServer[] self = new AdminServer[1];
        Router router = new Router(token, metrics, status, actions);
        try {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                    new Handler(router, () -> self[0].workers));
                        }
                    })
                    .bind(listen.host(), listen.port()).sync().channel();
            self[0] = new AdminServer(group, ch);
            log.info("admin: listening on http://{} (/status, /metrics)", hostPort(ch));
            return self[0];
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
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
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workers.close();
    }

    /** The routes, free of Netty so that they read as a table. */
    record Router(Supplier<Optional<String>> token, AgentMetrics metrics, Supplier<Map<String, Object>> status,
                  Actions actions) {

        Response handle(HttpMethod method, String uri, Optional<String> authorization) {
            QueryStringDecoder q = new QueryStringDecoder(uri);
            List<String> path = List.of(q.path().replaceAll("^/+|/+$", "").split("/+"));
            if (method.equals(HttpMethod.GET)) {
                return switch (q.path()) {
                    case "/metrics" -> new Response(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                    case "/status" -> Response.json(200, status.get());
                    case "/healthz" -> new Response(200, "text/plain; charset=utf-8", "ok\n");
                    default -> Response.json(404, Map.of("ok", false, "message", "no such page: " + q.path()
                            + "; GET /status, /metrics or /healthz"));
                };
            }
            if (!method.equals(HttpMethod.POST)) {
                return Response.json(405, Map.of("ok", false, "message", "use GET or POST"));
            }
            Optional<Response> denied = authorize(authorization);
            if (denied.isPresent()) {
                return denied.get();
            }
            String reason = param(q, "reason").orElse("operator request");
            Optional<Duration> expiry;
            try {
                expiry = param(q, "for").map(Durations::parse);
            } catch (IllegalArgumentException e) {
                return Response.json(400, Map.of("ok", false, "message", "for: " + e.getMessage()));
            }
            Reply r;
            if (path.size() == 3 && path.get(0).equals("services")) {
                String svc = path.get(1);
                r = switch (path.get(2)) {
                    case "restart" -> actions.restartService(svc, reason);
                    case "pause" -> actions.pauseService(svc, reason, expiry);
                    case "resume" -> actions.resumeService(svc);
                    default -> null;
                };
            } else if (path.size() == 2 && path.get(0).equals("node")) {
                r = switch (path.get(1)) {
                    case "pause" -> actions.pauseNode(reason, expiry);
                    case "resume" -> actions.resumeNode();
                    default -> null;
                };
            } else if (path.size() == 3 && path.get(0).equals("vrrp") && path.get(2).equals("promote")) {
                r = actions.forcePromotion(path.get(1), reason);
            } else if (path.equals(List.of("reload"))) {
                r = actions.reload();
            } else {
                r = null;
            }
            if (r == null) {
                return Response.json(404, Map.of("ok", false, "message", "no such action: POST " + q.path()
                        + "; use /services/NAME/restart|pause|resume, /node/pause|resume, /vrrp/NAME/promote or /reload"));
            }
            return Response.json(r.status(), r.body());
        }

        private Optional<Response> authorize(Optional<String> authorization) {
            Optional<String> expected = token.get();
            if (expected.isEmpty()) {
                return Optional.of(Response.json(403, Map.of("ok", false, "message",
                        "POST is refused: node.admin.token_file is not configured; set it to a file holding a token")));
            }
            String given = authorization.filter(h -> h.startsWith("Bearer ")).map(h -> h.substring(7).strip()).orElse("");
            // Constant-time, so the token cannot be guessed byte by byte from response times.
            if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.get().getBytes(StandardCharsets.UTF_8))) {
                return Optional.of(Response.json(401, Map.of("ok", false, "message",
                        "POST needs 'Authorization: Bearer <token>' with the token from node.admin.token_file")));
            }
            return Optional.empty();
        }

        private static Optional<String> param(QueryStringDecoder q, String name) {
            List<String> v = q.parameters().get(name);
            return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getLast());
        }
    }

    record Response(int status, String contentType, String body) {
        static Response json(int status, Map<String, Object> body) {
            return new Response(status, "application/json", Json.write(new LinkedHashMap<>(body)));
        }
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Router router;
        private final Supplier<ExecutorService> workers;

        Handler(Router router, Supplier<ExecutorService> workers) {
            this.router = router;
            this.workers = workers;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            HttpMethod method = req.method();
            String uri = req.uri();
            Optional<String> auth = Optional.ofNullable(req.headers().get(HttpHeaderNames.AUTHORIZATION));
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            workers.get().execute(() -> {
                Response r;
                try {
                    r = router.handle(method, uri, auth);
                } catch (RuntimeException e) {
                    log.warn("admin: {} {} failed", method, uri, e);
                    r = Response.json(500, Map.of("ok", false, "message", "internal error: " + e));
                }
                FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.valueOf(r.status()), Unpooled.copiedBuffer(r.body(), StandardCharsets.UTF_8));
                resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
                HttpUtil.setContentLength(resp, resp.content().readableBytes());
                if (keepAlive) {
                    resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                    ctx.writeAndFlush(resp);
                } else {
                    ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
                }
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
