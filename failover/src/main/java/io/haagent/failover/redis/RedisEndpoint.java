package io.haagent.failover.redis;

import io.haagent.checker.probe.RedisClients;
import io.haagent.config.Durations;
import io.haagent.config.Secret;
import io.haagent.failover.step.TimedStep;
import io.haagent.time.Ticker;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The local Redis an action talks to: where it is, its password and the timeouts. Every action opens
 * its own connection and closes it (no pool: actions are rare, and a pooled connection could be one
 * that {@code CLIENT KILL} closed). The password is read from its file at each connect, so a
 * rotated file takes effect without a reload.
 */
final class RedisEndpoint {
    private final String host;
    private final int port;
    private final Optional<Secret> password;
    private final Duration timeout;
    private final Ticker ticker;

    RedisEndpoint(String host, int port, Optional<Secret> password, Duration timeout, Ticker ticker) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.password = Objects.requireNonNull(password, "password");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("redis " + address() + ": timeout must be positive, got " + timeout);
        }
    }

    /** {@code redis 127.0.0.1:6379}: the prefix of every sentence about this Redis. */
    String name() {
        return "redis " + address();
    }

    String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** A fresh, authenticated connection with connect and socket timeouts. */
    Jedis connect() throws ActionFailure {
        Optional<String> password = readPassword();
        Jedis jedis = null;
        try {
            jedis = RedisClients.client(host, port, timeout, password);
            jedis.getConnection().connect(); // Jedis connects lazily; fail here, not in the first command
            return jedis;
        } catch (JedisException e) {
            if (jedis != null) {
                jedis.close();
            }
            throw new ActionFailure("cannot connect: " + reason(e), e);
        }
    }

    /** Runs one round trip, recording it as a step; Jedis' exceptions become an operator reason. */
    <T> T step(String what, List<TimedStep> steps, RedisCall<T> call) throws ActionFailure {
        long start = ticker.nanoTime();
        try {
            return call.run();
        } catch (JedisException e) {
            throw new ActionFailure(what + " failed: " + reason(e), e);
        } finally {
            steps.add(new TimedStep(what, Duration.ofNanos(ticker.nanoTime() - start)));
        }
    }

    /**
     * {@code INFO server}'s run_id, as a step; empty when Redis does not tell it (an ACL denies INFO), so that the
     * promotion guard's restart rule cannot apply.
     */
    Optional<String> runId(Jedis jedis, List<TimedStep> steps) throws ActionFailure {
        return Info.parse(step("INFO server", steps, () -> {
            try {
                return jedis.info("server");
            } catch (JedisDataException e) {
                return "";
            }
        })).text("run_id");
    }

    /**
     * Whether {@code CONFIG REWRITE} works on this Redis, asked at startup so that a failover does not
     * discover it. The check is {@code CONFIG REWRITE} itself: only Redis knows whether it, under its
     * own user, can write the file and create the temporary file next to it (7.0 writes a temp file
     * and renames it over the config). It is safe to run at any time: it writes the running config,
     * which is exactly what the next failover's rewrite would write, keeps comments and unknown lines,
     * and is atomic. The one visible effect: hand edits to the file that were never applied to the
     * running server are replaced by the running values — as the next failover would do anyway.
     */
    RewriteCheck checkRewritable() {
        List<TimedStep> ignored = new ArrayList<>();
        try (Jedis jedis = connect()) {
            Info server = Info.parse(step("INFO server", ignored, () -> jedis.info("server")));
            String file = server.text("config_file").orElse("");
            if (file.isEmpty()) {
                return new RewriteCheck(Optional.of(name() + ": runs without a config file, so CONFIG REWRITE cannot"
                        + " persist a promotion and a restart would undo it: start redis-server with a config file"), true);
            }
            try {
                jedis.configRewrite();
            } catch (JedisDataException e) {
                return new RewriteCheck(Optional.of(name() + ": cannot rewrite its config file " + file + " ("
                        + e.getMessage() + "), so a restart after a failover would undo the role change: let"
                        + " redis-server write that file and create files in its directory"), true);
            }
            return RewriteCheck.FINE;
        } catch (ActionFailure | JedisException e) {
            String why = e instanceof JedisException je ? reason(je) : e.getMessage();
            return new RewriteCheck(Optional.of(name() + ": could not check whether its config file can be rewritten"
                    + " because " + why), false);
        }
    }

    private Optional<String> readPassword() throws ActionFailure {
        if (password.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(password.get().reveal());
        } catch (IOException e) {
            throw new ActionFailure("cannot read password file " + e.getMessage(), e);
        }
    }

    /** Redis' own error reply when there is one (WRONGPASS, LOADING, ...), else the network failure in words. */
    String reason(JedisException e) {
        for (Throwable c : causes(e)) {
            if (c instanceof JedisDataException) {
                return c.getMessage();
            }
            if (c instanceof ConnectException) {
                return "connection refused (nothing listens on " + address() + "?)";
            }
            if (c instanceof SocketTimeoutException) {
                return "no answer within " + Durations.format(timeout);
            }
            if (c instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (c instanceof UnknownHostException) {
                return "unknown host " + host;
            }
        }
        if (e instanceof JedisConnectionException && e.getMessage() != null
                && e.getMessage().contains("Unexpected end of stream")) {
            return "Redis closed the connection";
        }
        return String.valueOf(e.getMessage());
    }

    /** The exception, its causes, and what they suppressed: Jedis 6 hangs each failed address's error there. */
    private static List<Throwable> causes(Throwable e) {
        List<Throwable> all = new ArrayList<>();
        ArrayDeque<Throwable> todo = new ArrayDeque<>(List.of(e));
        while (!todo.isEmpty() && all.size() < 20) {
            Throwable t = todo.removeFirst();
            if (all.contains(t)) {
                continue;
            }
            all.add(t);
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            todo.addAll(List.of(t.getSuppressed()));
        }
        return all;
    }

    /** One blocking Jedis call. */
    @FunctionalInterface
    interface RedisCall<T> {
        T run();
    }

    /** An action could not go on; the message completes "... failed because ...". */
    static final class ActionFailure extends Exception {
        ActionFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
