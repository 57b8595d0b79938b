package io.haagent.checker.probe;

import io.haagent.config.CheckSpec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code http}: one GET on the shared event loop group, with TLS (certificate and hostname
 * verified unless {@code tls_verify: false}). The timeout covers everything from name resolution
 * to the last body byte. Redirects are not followed: a 3xx is judged by {@code expect_status}.
 */
final class HttpProbe implements Probe {
    /** Enough for any health page; a bigger body is judged on its first 64 KiB. */
    static final int MAX_BODY = 64 * 1024;

    private final CheckSpec.Http spec;
    private final ProbeContext ctx;
    private final String host;
    private final int port;
    private final String target;
    private final String hostHeader;
    private final Optional<SslContext> tls;
    private final Optional<Pattern> bodyRegex;
    private final boolean readsBody;
    /** Every run of this check happens on this one loop: no locking, no thread hand-offs. */
    private final EventLoop loop;

    HttpProbe(CheckSpec.Http spec, ProbeContext ctx) {
        this.spec = spec;
        this.ctx = ctx;
        URI url = spec.url();
        String scheme = String.valueOf(url.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("url " + url + " is not http or https");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("url " + url + " has no host");
        }
        boolean https = scheme.equals("https");
        String h = url.getHost();
        this.host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        int defaultPort = https ? 443 : 80;
        this.port = url.getPort() == -1 ? defaultPort : url.getPort();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        this.target = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
        this.hostHeader = h + (port == defaultPort ? "" : ":" + port);
        this.tls = https ? Optional.of(ctx.tls().forClient(spec.tlsVerify())) : Optional.empty();
        this.bodyRegex = spec.expectBodyRegex().map(Pattern::compile);
        this.readsBody = spec.expectBody().isPresent() || bodyRegex.isPresent();
        this.loop = ctx.group().next();
    }

    @Override
    public CompletableFuture<CheckResult> run() {
        return new Exchange(ctx.ticker().nanoTime()).start();
    }

    @Override
    public Optional<ScheduledExecutorService> executor() {
        return Optional.of(loop);
    }

    /**
     * One request. Everything but name resolution runs on one event loop, so its fields need no
     * locking; the first outcome (response, error or deadline) wins.
     */
    private final class Exchange extends SimpleChannelInboundHandler<HttpObject> {
        private final long startNanos;
        private final CompletableFuture<CheckResult> result = new CompletableFuture<>();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private ScheduledFuture<?> deadline;
        private Channel channel;
        private boolean connected;
        private int status = -1;

        Exchange(long startNanos) {
            this.startNanos = startNanos;
        }

        CompletableFuture<CheckResult> start() {
            if (loop.inEventLoop()) {
                begin();
            } else {
                loop.execute(this::begin);
            }
            return result;
        }

        /** On the loop: the deadline, then the connect (at once for an IP literal). */
        private void begin() {
            deadline = loop.schedule(this::timedOut, spec.timing().timeout().toNanos(), TimeUnit.NANOSECONDS);
            CompletableFuture<InetAddress> address = ctx.resolve(host);
            if (address.isDone() && !address.isCompletedExceptionally()) {
                connect(address.join());
                return;
            }
            address.whenCompleteAsync((a, error) -> {
                if (error != null) {
                    fail(error);
                } else if (!result.isDone()) {
                    connect(a);
                }
            }, loop);
        }

        private void connect(InetAddress address) {
            long remainingMillis = Math.max(1, spec.timing().timeout().toMillis() - ctx.since(startNanos).toMillis());
            ChannelFuture f = new Bootstrap()
                    .group(loop)
                    .channelFactory(NioSocketChannel::new)
                    // our own deadline decides; Netty's connect timeout is only a backstop behind it
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, remainingMillis + 1000))
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            tls.ifPresent(t -> ch.pipeline().addLast(t.newHandler(ch.alloc(), host, port)));
                            ch.pipeline().addLast(new HttpClientCodec(), Exchange.this);
                        }
                    })
                    .connect(new InetSocketAddress(address, port));
            channel = f.channel();
            f.addListener((ChannelFuture done) -> {
                if (!done.isSuccess()) {
                    fail(done.cause());
                } else if (result.isDone()) {
                    abort();
                } else {
                    connected = true;
                    // SslHandler holds the request until its handshake is done.
                    done.channel().writeAndFlush(request()).addListener((ChannelFuture w) -> {
                        if (!w.isSuccess()) {
                            fail(w.cause());
                        }
                    });
                }
            });
        }

        private FullHttpRequest request() {
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target, Unpooled.EMPTY_BUFFER);
            req.headers()
                    .set(HttpHeaderNames.HOST, hostHeader)
                    .set(HttpHeaderNames.USER_AGENT, "haagent-check")
                    .set(HttpHeaderNames.ACCEPT, "*/*")
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            return req;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext c, HttpObject msg) {
            if (result.isDone()) {
                return;
            }
            if (msg instanceof HttpResponse response) {
                status = response.status().code();
                if (!statusExpected() || !readsBody) {
                    finish(); // the status decides alone: do not wait for the body
                    return;
                }
            }
            if (msg instanceof HttpContent content && status >= 0) {
                int room = MAX_BODY - body.size();
                int n = Math.min(room, content.content().readableBytes());
                if (n > 0) {
                    byte[] bytes = new byte[n];
                    content.content().getBytes(content.content().readerIndex(), bytes);
                    body.writeBytes(bytes);
                }
                if (msg instanceof LastHttpContent || body.size() >= MAX_BODY) {
                    finish();
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext c, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
                fail(handshake.cause());
            }
            super.userEventTriggered(c, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
            fail(cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext c) {
            if (!result.isDone()) {
                complete(CheckResult.down(status < 0 ? "connection closed before a response"
                        : "HTTP " + status + ", connection closed mid-body", ctx.since(startNanos)));
            }
        }

        private boolean statusExpected() {
            return spec.expectStatus().stream().anyMatch(r -> r.contains(status));
        }

        private void finish() {
            Duration took = ctx.since(startNanos);
            String head = "HTTP " + status + " in " + Reasons.millis(took);
            if (!statusExpected()) {
                complete(CheckResult.down(head, took));
                return;
            }
            String text = body.toString(StandardCharsets.UTF_8);
            if (spec.expectBody().isPresent() && !text.contains(spec.expectBody().get())) {
                complete(CheckResult.down(head + ", body lacks '" + Reasons.shorten(spec.expectBody().get()) + "'", took));
            } else if (bodyRegex.isPresent() && !bodyRegex.get().matcher(text).find()) {
                complete(CheckResult.down(head + ", body does not match '" + Reasons.shorten(bodyRegex.get().pattern()) + "'",
                        took));
            } else {
                complete(CheckResult.up(head, took));
            }
        }

        private void timedOut() {
            if (!result.isDone()) {
                String what = connected ? "" : "connect ";
                complete(CheckResult.down(what + Reasons.timedOut(spec.timing().timeout()), ctx.since(startNanos)));
            }
        }

        private void fail(Throwable cause) {
            if (!result.isDone()) {
                complete(CheckResult.down(Reasons.of(cause, spec.timing().timeout()), ctx.since(startNanos)));
            }
        }

        private void complete(CheckResult r) {
            if (result.complete(r)) {
                deadline.cancel(false);
                abort();
            }
        }

        /**
         * Closes with a RST (SO_LINGER 0), as HAProxy does for its checks, so that thousands of
         * checks do not leave this host's ephemeral ports in TIME_WAIT.
         */
        private void abort() {
            if (channel != null && channel.isOpen()) {
                try {
                    channel.config().setOption(ChannelOption.SO_LINGER, 0);
                } catch (RuntimeException e) {
                    // the socket went away meanwhile: closing is all that is left to do
                }
                channel.close();
            }
        }
    }
}
