package io.haagent.agent.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The daemon's whole logging configuration, in code: every line to stdout through {@link LogLineEncoder}
 * (systemd's journal adds the host and keeps it), the root at {@code HAAGENT_LOG_LEVEL} (default info), and
 * the chatty libraries at warn. Logback finds it through {@code META-INF/services} before it looks for a
 * {@code logback.xml}; reading XML would load the JDK's XML parser and logback's own configuration model,
 * about 600 classes and a few MB that the daemon keeps for its whole life (benchmarks/footprint.sh).
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        LogLineEncoder encoder = new LogLineEncoder();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(context);
        stdout.setName("STDOUT");
        stdout.setEncoder(encoder);
        stdout.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(LogLevels.configured().flatMap(LogLevels::named).orElse(Level.INFO));
        root.addAppender(stdout);
        for (String chatty : new String[] {"io.netty", "io.micrometer", "redis.clients", "org.apache.curator"}) {
            context.getLogger(chatty).setLevel(Level.WARN);
        }
        // the ZooKeeper client WARNs with a stack trace at every reconnect attempt (about once a second while the
        // ensemble is down) and logs its whole environment at each new session; the lease says what matters
        context.getLogger("org.apache.zookeeper").setLevel(Level.ERROR);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
