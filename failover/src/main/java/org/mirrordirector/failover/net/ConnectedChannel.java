package org.mirrordirector.failover.net;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * What the Happy Eyeballs race connected: the channel (in blocking mode), the address that
 * answered, and the attempts that failed or were still pending when it won.
 */
public record ConnectedChannel(
    SocketChannel channel, InetSocketAddress address, List<ConnectAttempt> failed) {}
