package io.haagent.checker.probe;

import io.haagent.config.CheckSpec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@code tcp}: up when a connection is accepted within the timeout; then closed at once. */
final class TcpProbe implements Probe {
    private final CheckSpec.Tcp spec;
    private final ProbeContext ctx;
    /** Every run of this check happens on this one loop. */
    private final EventLoop loop;

    TcpProbe(CheckSpec.Tcp spec, ProbeContext ctx) {
        this.spec = spec;
        this.ctx = ctx;
        this.loop = ctx.group().next();
    }

    @Override
    public Optional<ScheduledExecutorService> executor() {
        return Optional.of(loop);
    }

    @Override
    public CompletableFuture<CheckResult> run() {
        long start = ctx.ticker().nanoTime();
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        var timeout = spec.timing().timeout();
        // On the loop: the deadline, then the connect (at once for an IP literal).
        Runnable begin = () -> {
            var deadline = loop.schedule(() -> {
                result.complete(CheckResult.down("connect " + Reasons.timedOut(timeout), ctx.since(start)));
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            result.whenComplete((r, e) -> deadline.cancel(false));
            CompletableFuture<InetAddress> address = ctx.resolve(spec.address().host());
            if (address.isDone()) {
                connect(address, start, result);
            } else {
                address.whenCompleteAsync((a, e) -> connect(address, start, result), loop);
            }
        };
        if (loop.inEventLoop()) {
            begin.run();
        } else {
            loop.execute(begin);
        }
        return result;
    }

    private void connect(CompletableFuture<InetAddress> address, long start, CompletableFuture<CheckResult> result) {
        var timeout = spec.timing().timeout();
        if (address.isCompletedExceptionally()) {
            address.exceptionally(error -> {
                result.complete(CheckResult.down(Reasons.of(error, timeout), ctx.since(start)));
                return null;
            });
            return;
        }
        if (result.isDone()) {
            return;
        }
        ChannelFuture f = new Bootstrap()
                .group(loop)
                .channelFactory(NioSocketChannel::new)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis() + 1000))
                // RST instead of FIN, as HAProxy's checks do: no TIME_WAIT left behind per check
                .option(ChannelOption.SO_LINGER, 0)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(new InetSocketAddress(address.join(), spec.address().port()));
        f.addListener((ChannelFuture done) -> {
            Duration took = ctx.since(start);
            if (done.isSuccess()) {
                result.complete(CheckResult.up("connected in " + Reasons.millis(took), took));
            } else {
                result.complete(CheckResult.down(Reasons.of(done.cause(), timeout), took));
            }
            done.channel().close();
        });
        // the deadline may come first: do not leave the half-open attempt behind
        result.whenComplete((r, e) -> f.channel().close());
    }
}
