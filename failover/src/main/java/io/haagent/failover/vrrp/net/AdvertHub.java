package io.haagent.failover.vrrp.net;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One socket per local endpoint, shared by every VRRP instance sending from it, with received datagrams
 * handed to the instance whose VRID they carry (one no instance claims, to all of them). Sharing is what keepalived does too: two raw sockets bound
 * to one address would each get every advert, and two udp sockets cannot bind one port.
 *
 * <p>{@link #register} and {@link Registration#close} may be called from any thread; a socket is opened by
 * the first registration on its endpoint and closed with the last.
 */
public final class AdvertHub implements AutoCloseable {

    /**
     * Where adverts are sent from and received: transport, our address, the udp port (0 on ip), optional
     * interface.
     */
    public record Endpoint(VrrpInstance.Transport transport, Ipv4 source, int port, Optional<String> iface) {
        public Endpoint {
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(iface, "iface");
            // Equal endpoints share a socket, so an ip endpoint with a stray port would open a second raw socket.
            if (transport == VrrpInstance.Transport.IP && port != 0) {
                throw new IllegalArgumentException("an ip endpoint has no port; pass 0, not " + port);
            }
            if (transport == VrrpInstance.Transport.UDP && (port < 1 || port > 65535)) {
                throw new IllegalArgumentException("unicast.port " + port + " is not a UDP port; use 1-65535");
            }
        }

        @Override
        public String toString() {
            String where = transport == VrrpInstance.Transport.UDP ? source + ":" + port : source.toString();
            return transport.name().toLowerCase(Locale.ROOT) + " " + where
                    + iface.map(i -> " on " + i).orElse("");
        }
    }

    /** Opens the socket for an endpoint; the receiver gets every datagram it receives. */
    @FunctionalInterface
    public interface TransportFactory {
        AdvertTransport open(Endpoint e, AdvertTransport.Receiver r) throws IOException;
    }

    /**
     * Registered instance's handle: sends through the endpoint's socket; close unregisters (and closes the
     * socket when it was the last).
     */
    public interface Registration extends AutoCloseable {
        /** Sends through the shared socket; throws once this registration or the hub is closed. */
        void send(Ipv4 peer, int port, byte[] payload) throws IOException;

        Endpoint endpoint();

        /** Idempotent. */
        @Override
        void close();
    }

    private final TransportFactory factory;
    private final AutoCloseable onClose;
    private final Object lock = new Object();
    private final Map<Endpoint, SharedSocket> sockets = new HashMap<>(); // guarded by lock
    private final ConcurrentMap<Endpoint, LongAdder> unclaimed = new ConcurrentHashMap<>();
    private boolean closed; // guarded by lock

    private AdvertHub(TransportFactory factory, AutoCloseable onClose) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.onClose = onClose;
    }

    /** The real sockets: {@link RawIpTransport} for ip, {@link UdpTransport} for udp. */
    public static AdvertHub system() {
        SystemTransports transports = new SystemTransports();
        return new AdvertHub(transports, transports);
    }

    /** A hub over the given transports (tests, simulations). */
    public static AdvertHub create(TransportFactory f) {
        return new AdvertHub(f, () -> {});
    }

    /**
     * Opens the endpoint's socket on first use. Throws IllegalStateException if vrid is already registered on
     * that endpoint. The receiver is called on the transport's thread.
     *
     * @throws IOException when the endpoint's socket cannot be opened (the message is for the operator)
     */
    public Registration register(Endpoint endpoint, int vrid, AdvertTransport.Receiver receiver) throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(receiver, "receiver");
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("vrid " + vrid + " is out of range; use 1-255");
        }
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the advert hub is closed; cannot register vrid " + vrid);
            }
            SharedSocket socket = sockets.get(endpoint);
            if (socket != null && socket.byVrid.containsKey(vrid)) {
                throw new IllegalStateException("vrid " + vrid + " is already registered on " + endpoint
                        + "; two instances on one endpoint need different vrids");
            }
            if (socket == null) {
                socket = new SharedSocket(endpoint, unclaimed.computeIfAbsent(endpoint, e -> new LongAdder()));
                socket.transport = factory.open(endpoint, socket);
                sockets.put(endpoint, socket);
            }
            socket.byVrid.put(vrid, receiver);
            return new HubRegistration(socket, vrid, receiver);
        }
    }

    /**
     * Datagrams that arrived while no instance was registered on their endpoint (closing), per endpoint. One of
     * another vrid goes to every instance on the endpoint, which counts it as {@code wrong_vrid}.
     */
    public Map<Endpoint, Long> unclaimed() {
        Map<Endpoint, Long> snapshot = new HashMap<>();
        unclaimed.forEach((endpoint, count) -> snapshot.put(endpoint, count.sum()));
        return Map.copyOf(snapshot);
    }

    /** Closes every socket; registrations still held become closed. Idempotent. */
    @Override
    public void close() {
        List<SharedSocket> open;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(sockets.values());
            sockets.clear();
        }
        open.forEach(socket -> socket.transport.close());
        try {
            onClose.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the advert hub's transports failed", e);
        }
    }

    private void unregister(SharedSocket socket, int vrid, AdvertTransport.Receiver receiver) {
        synchronized (lock) {
            socket.byVrid.remove(vrid, receiver);
            // Closed under the lock: a register racing in must not bind the udp port before it is free again.
            if (socket.byVrid.isEmpty() && sockets.remove(socket.endpoint, socket)) {
                socket.transport.close();
            }
        }
    }

    private final class HubRegistration implements Registration {
        private final SharedSocket socket;
        private final int vrid;
        private final AdvertTransport.Receiver receiver;
        private volatile boolean closed;

        HubRegistration(SharedSocket socket, int vrid, AdvertTransport.Receiver receiver) {
            this.socket = socket;
            this.vrid = vrid;
            this.receiver = receiver;
        }

        @Override
        public void send(Ipv4 peer, int port, byte[] payload) throws IOException {
            // A socket the hub closed meanwhile throws on its own; no need to take the hub's lock per advert.
            if (closed) {
                throw new IOException("vrid " + vrid + " is no longer registered on " + socket.endpoint);
            }
            socket.transport.send(peer, port, payload);
        }

        @Override
        public Endpoint endpoint() {
            return socket.endpoint;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                unregister(socket, vrid, receiver);
            }
        }

        @Override
        public String toString() {
            return "vrid " + vrid + " on " + socket.endpoint;
        }
    }
}
