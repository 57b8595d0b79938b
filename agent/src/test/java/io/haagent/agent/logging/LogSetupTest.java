package io.haagent.agent.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LogSetupTest {

    @Test
    void logbackFindsIt_asItsOnlyConfigurator() {
        var found = ServiceLoader.load(Configurator.class).stream().map(p -> p.type()).toList();
        assertEquals(java.util.List.of(LogSetup.class), found, "logback.xml is gone; this is the configuration");
    }

    @Test
    void configures_stdoutThroughTheLineEncoder_rootAtInfo_chattyLibrariesAtWarn() {
        LoggerContext context = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(context);

        assertEquals(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, setup.configure(context));

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(LogLevels.configured().flatMap(LogLevels::named).orElse(Level.INFO), root.getLevel());
        var stdout = assertInstanceOf(ConsoleAppender.class, root.getAppender("STDOUT"));
        assertInstanceOf(LogLineEncoder.class, stdout.getEncoder());
        for (String chatty : new String[] {"io.netty", "io.micrometer", "redis.clients"}) {
            assertEquals(Level.WARN, context.getLogger(chatty).getLevel(), chatty);
        }
        context.stop();
    }

    @Test
    void zookeeperClient_logsOnlyErrors_curatorOnlyWarnings() {
        LoggerContext context = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(context);

        setup.configure(context);

        // the client logs its whole environment at each new session and a WARN with a stack trace at every
        // reconnect attempt (about once a second while ZooKeeper is down); the lease says what matters in a sentence
        assertEquals(Level.ERROR, context.getLogger("org.apache.zookeeper").getLevel());
        // Curator's WARNs are worth reading ("Session timeout has elapsed while SUSPENDED. Injecting a session
        // expiration"); its INFO is every state change, which the lease's sentences already tell
        assertEquals(Level.WARN, context.getLogger("org.apache.curator").getLevel());
        context.stop();
    }
}
