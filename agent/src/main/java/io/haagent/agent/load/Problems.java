package io.haagent.agent.load;

import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** How a failure reads in a problem sentence: the cause an operator can act on, without a stack trace. */
final class Problems {
    private Problems() {}

    static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return switch (t) {
            case NoSuchFileException n -> "no such file " + n.getFile();
            case AccessDeniedException a -> "permission denied on " + a.getFile();
            case HttpTimeoutException h -> "timed out";
            case ConnectException c -> "connection refused";
            default -> t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        };
    }
}
