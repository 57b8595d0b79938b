package io.haagent.failover.zookeeper;

import java.nio.charset.StandardCharsets;

/**
 * What a lease node's data says about its holder: {@code host=<name>} and, once the client has one,
 * {@code session=0x<id>}, one per line, so {@code zkCli.sh get} shows an operator who holds it. The node's
 * {@code ephemeralOwner} is what counts; the data only names the host for the waiting side's sentence.
 */
record HolderData(String host, long sessionId) {
    private static final String HOST = "host=";
    private static final String UNKNOWN = "an unknown host";

    byte[] bytes() {
        String text = HOST + host + "\n" + (sessionId == 0 ? "" : "session=0x" + Long.toHexString(sessionId) + "\n");
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The holder's host name from a node's data; data another program wrote names no host. */
    static String hostOf(byte[] data) {
        if (data == null) {
            return UNKNOWN;
        }
        return new String(data, StandardCharsets.UTF_8).lines()
                .filter(line -> line.startsWith(HOST) && line.length() > HOST.length())
                .map(line -> line.substring(HOST.length()).strip())
                .findFirst().orElse(UNKNOWN);
    }
}
