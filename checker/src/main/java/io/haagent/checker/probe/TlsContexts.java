package io.haagent.checker.probe;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The two TLS client contexts of the {@code https} checks, each made when the first check that
 * needs it is set up. Making one loads the JDK's TLS stack and parses its CA certificates (about
 * 400 classes and 4 MB of heap), which an agent without {@code https} checks never needs: it is
 * most of the difference between a small agent and a big one (benchmarks/footprint.sh).
 */
final class TlsContexts {
    private final TrustManagerFactory trust;
    private SslContext verifying;
    private SslContext insecure;

    /** {@code trust}: the CAs a verifying check trusts; null for the JDK's. */
    TlsContexts(TrustManagerFactory trust) {
        this.trust = trust;
    }

    /**
     * With certificate and hostname ("HTTPS" endpoint identification) verification, or without
     * either ({@code tls_verify: false}).
     *
     * @throws IllegalStateException when the JDK cannot set up TLS
     */
    synchronized SslContext forClient(boolean verify) {
        try {
            if (verify) {
                if (verifying == null) {
                    verifying = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                            .trustManager(trust).endpointIdentificationAlgorithm("HTTPS").build();
                }
                return verifying;
            }
            if (insecure == null) {
                insecure = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                        .trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null).build();
            }
            return insecure;
        } catch (SSLException | RuntimeException e) {
            throw new IllegalStateException("cannot set up TLS for https checks: " + e.getMessage(), e);
        }
    }
}
