package io.haagent.failover.vrrp.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The real sockets: {@link RawIpTransport} for ip, {@link UdpTransport} for udp. The udp transports share
 * one event loop thread, started with the first of them, because a few adverts a second need no more.
 */
final class SystemTransports implements AdvertHub.TransportFactory, AutoCloseable {
    private EventLoopGroup udpGroup; // guarded by this

    @Override
    public AdvertTransport open(AdvertHub.Endpoint e, AdvertTransport.Receiver r) throws IOException {
        return switch (e.transport()) {
            case IP -> RawIpTransport.open(e.source(), e.iface(), r);
            case UDP -> UdpTransport.open(udpGroup(), e.source(), e.port(), r);
        };
    }

    private synchronized EventLoopGroup udpGroup() {
        if (udpGroup == null) {
            udpGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("vrrp-udp", true),
                    NioIoHandler.newFactory());
        }
        return udpGroup;
    }

    @Override
    public synchronized void close() {
        if (udpGroup != null) {
            // No quiet period: the hub closed every channel already, nothing is left to drain.
            udpGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
            udpGroup = null;
        }
    }
}
