package io.haagent.failover.vrrp.net;

import io.haagent.config.Ipv4;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code udp} transport: VRRP payloads in UDP datagrams, for hosts where haagent may not hold
 * {@code CAP_NET_RAW}. Not keepalived-compatible. The receiver sees {@link Datagram#TTL_UNKNOWN}: a UDP
 * socket cannot see the TTL. IPv4 only. The interface is not bound: binding the source address already
 * keeps the socket to that address's traffic.
 *
 * <p>Runs on the Netty event loop group it is given, which all udp transports of one hub share.
 */
final class UdpTransport implements AdvertTransport {
    private static final Logger log = LoggerFactory.getLogger(UdpTransport.class);
    // A send hands the datagram to the event loop; waiting this long for it bounds the caller's wait.
    private static final Duration SEND_WAIT = Duration.ofMillis(500);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final Ipv4 source;
    private final int port;
    private final Channel channel;
    private final DatagramChannel socket;
    private final AtomicBoolean closed = new AtomicBoolean();

    private UdpTransport(Ipv4 source, int port, Channel channel, DatagramChannel socket) {
        this.source = source;
        this.port = port;
        this.channel = channel;
        this.socket = socket;
    }

    /**
     * Binds {@code source:port} on {@code group} and starts receiving.
     *
     * @throws IOException naming {@code unicast.port} or {@code unicast.source} when the bind fails
     */
    public static UdpTransport open(EventLoopGroup group, Ipv4 source, int port, Receiver receiver) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(receiver, "receiver");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("unicast.port " + port + " is not a UDP port; use 1-65535");
        }
        InetAddress address = inet(source);
        // Opened here, not by Netty, so that close() can see when the JDK really released the port.
        DatagramChannel socket = DatagramChannel.open(StandardProtocolFamily.INET);
        ChannelFuture bound = new Bootstrap()
                .group(group)
                .channelFactory(() -> new NioDatagramChannel(socket))
                .handler(new Inbound(source, receiver))
                .bind(new InetSocketAddress(address, port))
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            socket.close();
            throw bindFailure(source, port, bound.cause());
        }
        return new UdpTransport(source, port, bound.channel(), socket);
    }

    private static IOException bindFailure(Ipv4 source, int port, Throwable cause) {
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (cause instanceof BindException && detail.contains("in use")) {
            return new IOException("unicast.port " + port + " on " + source + " is already in use by another socket;"
                    + " stop it or choose another port (bind failed: " + detail + ")", cause);
        }
        if (cause instanceof BindException && detail.contains("assign")) {
            return new IOException("unicast.source " + source + " is not an address of this host (bind failed: "
                    + detail + ")", cause);
        }
        return new IOException("cannot bind the udp VRRP socket to unicast.source " + source + " unicast.port " + port
                + " (bind failed: " + detail + ")", cause);
    }

    /**
     * Sends {@code payload} to {@code peer:port}. Off the event loop it waits (briefly) for the write, so that a
     * failure is thrown; on the event loop it cannot wait, and a failure is only logged at debug.
     */
    @Override
    public void send(Ipv4 peer, int port, byte[] payload) throws IOException {
        if (closed.get() || !channel.isOpen()) {
            throw new IOException(this + " is closed");
        }
        DatagramPacket packet = new DatagramPacket(Unpooled.wrappedBuffer(payload), new InetSocketAddress(inet(peer), port));
        ChannelFuture written = channel.writeAndFlush(packet);
        if (channel.eventLoop().inEventLoop()) {
            written.addListener(f -> {
                if (!f.isSuccess()) {
                    log.debug("{} failed to send to {}:{}", this, peer, port, f.cause());
                }
            });
            return;
        }
        if (!written.awaitUninterruptibly(SEND_WAIT.toMillis())) {
            throw new IOException("sending a VRRP advert from " + source + " to " + peer + ":" + port
                    + " did not finish within " + SEND_WAIT.toMillis() + " ms");
        }
        if (!written.isSuccess()) {
            throw new IOException("sending a VRRP advert from " + source + " to " + peer + ":" + port + " failed: "
                    + written.cause().getMessage(), written.cause());
        }
    }

    /** Closes the socket; on return the port is free again (unless called on the event loop). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ChannelFuture done = channel.close();
        if (channel.eventLoop().inEventLoop()) {
            return;
        }
        done.awaitUninterruptibly(CLOSE_WAIT.toMillis());
        Promise<Void> released = channel.eventLoop().newPromise();
        channel.eventLoop().execute(() -> awaitReleased(released));
        if (!released.awaitUninterruptibly(CLOSE_WAIT.toMillis())) {
            log.warn("{} closed, but its port was not released within {} ms", this, CLOSE_WAIT.toMillis());
        }
    }

    // The JDK closes a socket registered with a selector only when the selector next drops its key; until
    // then the port stays bound, and an instance re-registered at once (a reload) would find it in use.
    // Checked on the event loop, whose selector drops the key and closes the socket in one step.
    private void awaitReleased(Promise<Void> released) {
        if (!socket.isRegistered()) {
            released.trySuccess(null);
        } else if (!released.isDone()) {
            channel.eventLoop().schedule(() -> awaitReleased(released), 1, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public String toString() {
        return "vrrp udp transport on " + source + ":" + port;
    }

    static InetAddress inet(Ipv4 address) {
        try {
            return InetAddress.getByAddress(address.toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }

    static Ipv4 ipv4(Inet4Address address) {
        byte[] b = address.getAddress();
        return new Ipv4((b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff));
    }

    private static final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Ipv4 bound;
        private final Receiver receiver;
        private final String name;

        Inbound(Ipv4 bound, Receiver receiver) {
            this.bound = bound;
            this.receiver = receiver;
            this.name = "vrrp udp transport on " + bound;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (!(packet.sender().getAddress() instanceof Inet4Address sender)) {
                return;
            }
            byte[] payload = ByteBufUtil.getBytes(packet.content());
            Ipv4 from = ipv4(sender);
            Deliveries.deliver(receiver, new Datagram(from, bound, Datagram.TTL_UNKNOWN, payload), log, name);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Unexpected on an unconnected socket (Linux reports it no ICMP errors); one bad read must not close it.
            log.debug("{} saw a socket error: {}", name, cause.toString());
        }
    }
}
