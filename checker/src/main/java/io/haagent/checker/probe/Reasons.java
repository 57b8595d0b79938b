package io.haagent.checker.probe;

import io.haagent.config.Durations;
import io.netty.channel.ConnectTimeoutException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLException;

import redis.clients.jedis.exceptions.JedisDataException;

/** The short, human reasons results carry: "connect refused", "timed out after 2s", "HTTP 503 in 12ms". */
final class Reasons {
    private static final int MAX_REASON = 200;

    private Reasons() {}

    static String timedOut(Duration timeout) {
        return "timed out after " + Durations.format(timeout);
    }

    /** {@code 12ms}; below a millisecond {@code <1ms}, since "in 0ms" reads like a bug. */
    static String millis(Duration d) {
        long ms = d.toMillis();
        return ms == 0 ? "<1ms" : ms + "ms";
    }

    /** The reason for a failure, phrased for an operator rather than as a Java exception. */
    static String of(Throwable error, Duration timeout) {
        Throwable t = unwrap(error);
        if (t instanceof ProbeFailure) {
            return shorten(t.getMessage());
        }
        for (Throwable c : causes(t)) {
            if (c instanceof JedisDataException) {
                // Redis' own error reply (LOADING ..., MASTERDOWN ..., NOAUTH ..., WRONGPASS ...) says it best.
                return shorten(c.getMessage());
            }
            if (c instanceof ConnectTimeoutException) {
                return "connect " + timedOut(timeout);
            }
            if (c instanceof SocketTimeoutException) {
                String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
                return (m.contains("connect") ? "connect " : "") + timedOut(timeout);
            }
            if (c instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (c instanceof ConnectException) {
                String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
                if (isRefusal(c)) {
                    return "connect refused";
                }
                if (m.contains("unreachable")) {
                    return "network unreachable";
                }
                if (m.contains("timed out")) {
                    return "connect " + timedOut(timeout);
                }
                return "connect failed: " + shorten(c.getMessage());
            }
            if (c instanceof UnknownHostException) {
                return "unknown host " + c.getMessage();
            }
            if (c instanceof SSLException) {
                return tls(c);
            }
        }
        if (t instanceof ClosedChannelException) {
            return "connection closed before a response";
        }
        if (t instanceof IOException && String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("reset")) {
            return "connection reset";
        }
        String message = t.getMessage();
        return shorten(message == null || message.isBlank() ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + ": " + message);
    }

    /**
     * Whether {@code error} is a refused connection: nothing listens on the port, so the server is
     * down for sure (a timeout may be the network's or a busy server's).
     */
    static boolean refused(Throwable error) {
        for (Throwable c : causes(unwrap(error))) {
            if (isRefusal(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isRefusal(Throwable t) {
        return t instanceof ConnectException && String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("refused");
    }

    /**
     * The cause chain, with suppressed exceptions after the one that carries them: Jedis reports a
     * refused connection as "Failed to connect to host:port." with the ConnectException suppressed.
     */
    private static List<Throwable> causes(Throwable t) {
        List<Throwable> all = new ArrayList<>();
        for (Throwable c = t; c != null && all.size() < 20; c = c.getCause()) {
            all.add(c);
            for (Throwable s : c.getSuppressed()) {
                for (Throwable sc = s; sc != null && all.size() < 20; sc = sc.getCause()) {
                    all.add(sc);
                }
            }
        }
        return all;
    }

    private static String tls(Throwable ssl) {
        for (Throwable c = ssl; c != null; c = c.getCause()) {
            if (c instanceof CertificateExpiredException) {
                return "TLS certificate expired";
            }
            if (c instanceof CertificateNotYetValidException) {
                return "TLS certificate not yet valid";
            }
            if (c instanceof CertPathBuilderException || c instanceof CertPathValidatorException) {
                return "TLS certificate not trusted";
            }
            String m = String.valueOf(c.getMessage());
            if (m.contains("No subject alternative") || m.contains("No name matching")) {
                return "TLS certificate does not match the host: " + shorten(m);
            }
        }
        return "TLS handshake failed: " + shorten(ssl.getMessage());
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException
                || c instanceof io.netty.handler.codec.DecoderException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** One line, at most {@value #MAX_REASON} characters. */
    static String shorten(String s) {
        if (s == null) {
            return "";
        }
        String line = s.strip().replaceAll("\\s*\\R\\s*", " ");
        return line.length() <= MAX_REASON ? line : line.substring(0, MAX_REASON - 3) + "...";
    }

    /** The first non-blank line of {@code text}, shortened. */
    static String firstLine(String text) {
        for (String line : text.split("\\R")) {
            if (!line.isBlank()) {
                return shorten(line);
            }
        }
        return "";
    }
}
