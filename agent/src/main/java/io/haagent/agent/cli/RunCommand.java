package io.haagent.agent.cli;

import io.haagent.agent.daemon.Daemon;
import io.haagent.agent.heal.ServiceState;
import io.haagent.agent.daemon.Daemon.Refused;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.config.Defaults;
import java.util.Arrays;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * {@code haagent run [--config FILE]}: the daemon in the foreground, as systemd runs it.
 * SIGHUP reloads (like {@code haagent reload}); SIGTERM and SIGINT stop it cleanly.
 */
final class RunCommand {
    private RunCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path config = Defaults.CONFIG_FILE;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                config = Path.of(args[++i]);
            } else if (args[i].startsWith("--config=")) {
                config = Path.of(args[i].substring("--config=".length()));
            } else {
                err.println("haagent run: unexpected '" + args[i] + "'; usage: haagent run [--config FILE]");
                return Main.USAGE_ERROR;
            }
        }
        BuildInfo build = BuildInfo.load();
        AgentMetrics metrics = new AgentMetrics(ServiceState.LEGEND,
                Arrays.stream(ServiceState.values()).map(ServiceState::name).toList(), build.version(), build.shownCommit());
        Daemon daemon;
        try {
            daemon = Daemon.start(config, build.versionLine(), metrics);
        } catch (Refused e) {
            err.println("haagent run: refused to start: " + e.getMessage());
            e.findings().forEach(err::println);
            metrics.close();
            return e.linted() ? 1 : Main.USAGE_ERROR;
        } catch (IllegalStateException e) {
            err.println("haagent run: " + e.getMessage());
            metrics.close();
            return Main.USAGE_ERROR;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Signal.handle(new Signal("HUP"), s -> Thread.ofVirtual().start(daemon::reload));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            metrics.close();
            stopped.countDown();
        }, "haagent-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Main.OK;
    }
}
