package io.haagent.checker.probe;

import io.haagent.time.Ticker;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/** What every probe shares; owned and closed by {@link Probes}. */
record ProbeContext(EventLoopGroup group, TlsContexts tls, ExecutorService blocking,
                    Ticker ticker, InstantSource wallClock) {

    Duration since(long startNanos) {
        return Duration.ofNanos(Math.max(0, ticker.nanoTime() - startNanos));
    }

    /**
     * An address for {@code host}: an IP literal at once, a name on a virtual thread, because
     * Netty's default resolver would block the shared event loop on a slow DNS server.
     */
    CompletableFuture<InetAddress> resolve(String host) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal != null) {
            try {
                return CompletableFuture.completedFuture(InetAddress.getByAddress(host, literal));
            } catch (UnknownHostException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new CompletionException(e);
            }
        }, blocking);
    }

    /**
     * Runs blocking work ({@code body}) on a virtual thread and completes with its result, or at
     * {@code deadline} with "timed out after {@code timeout}" after calling {@code onTimeout} (which
     * should make the body give up: close its socket, kill its process). An exception from the body
     * becomes a down result with a short reason.
     */
    CompletableFuture<CheckResult> blocking(long startNanos, Duration timeout, Duration deadline, Callable<CheckResult> body,
                                            Runnable onTimeout) {
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        var timer = group.next().schedule(() -> {
            if (!result.isDone()) {
                onTimeout.run();
                result.complete(CheckResult.down(Reasons.timedOut(timeout), since(startNanos)));
            }
        }, deadline.toNanos(), TimeUnit.NANOSECONDS);
        try {
            blocking.execute(() -> {
                CheckResult r;
                try {
                    r = body.call();
                } catch (Exception e) {
                    r = CheckResult.down(Reasons.of(e, timeout), since(startNanos));
                }
                if (result.complete(r)) {
                    timer.cancel(false);
                }
            });
        } catch (RejectedExecutionException e) {
            timer.cancel(false);
            result.complete(CheckResult.down("not run: the checker is shutting down", Duration.ZERO));
        }
        return result;
    }
}
