package io.haagent.failover.zookeeper;

import org.apache.zookeeper.KeeperException.Code;

/** ZooKeeper's result codes in words an operator acts on, with the code at the end to search for. */
final class ZkWords {
    private ZkWords() {}

    /** The failures that say nothing about the node: the connection or the session, not the lease, is the problem. */
    static boolean connectionTrouble(Code code) {
        return switch (code) {
            case CONNECTIONLOSS, OPERATIONTIMEOUT, REQUESTTIMEOUT, SESSIONEXPIRED, SESSIONMOVED, NOTREADONLY,
                 SESSIONCLOSEDREQUIRESASLAUTH -> true;
            default -> false;
        };
    }

    static String of(Code code, String path, String servers) {
        String what = switch (code) {
            case CONNECTIONLOSS -> "no connection to ZooKeeper (" + servers + ")";
            case OPERATIONTIMEOUT, REQUESTTIMEOUT -> "ZooKeeper (" + servers + ") did not answer in time";
            case SESSIONEXPIRED -> "the ZooKeeper session expired";
            case SESSIONMOVED -> "the ZooKeeper session moved to another server";
            case NOTREADONLY -> "the ZooKeeper server is read-only (cut off from its quorum)";
            case NOAUTH, AUTHFAILED -> "ZooKeeper refused " + path + ": its ACL does not let haagent write there";
            case NONODE -> "a parent of " + path + " vanished while it was created";
            default -> "ZooKeeper answered " + code + " for " + path;
        };
        return what + " (" + code + ")";
    }
}
