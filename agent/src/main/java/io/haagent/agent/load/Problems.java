package io.haagent.agent.load;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** How a failure reads in a problem sentence: the cause an operator can act on, without a stack trace. */
final class Problems {
    private Problems() {}

    static String reason(Throwable e) {
        // the cause an operator acts on may sit below a library's wrapper (Jedis' JedisConnectionException)
        for (Throwable t = e; t != null; t = t.getCause()) {
            switch (t) {
                case NoSuchFileException n -> {
                    return "no such file " + n.getFile();
                }
                case AccessDeniedException a -> {
                    return "permission denied on " + a.getFile();
                }
                case SocketTimeoutException h -> {
                    return "timed out";
                }
                case ConnectException c -> {
                    return "connection refused";
                }
                default -> {
                }
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }
}
