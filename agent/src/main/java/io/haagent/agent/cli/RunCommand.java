package io.haagent.agent.cli;

import io.haagent.agent.daemon.Daemon;
import io.haagent.agent.daemon.Daemon.Refused;
import io.haagent.agent.heal.ServiceState;
import io.haagent.agent.logging.LogFormat;
import io.haagent.agent.logging.LogLevels;
import io.haagent.agent.logging.LogLineEncoder;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.config.Defaults;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code haagent run [--config FILE] [--log-level LEVEL] [--log-format plain|json]}: the daemon in the
 * foreground, as systemd runs it. The log flags win over {@code HAAGENT_LOG_LEVEL} and {@code HAAGENT_LOG_FORMAT}.
 * SIGHUP reloads (like {@code haagent reload}) unless it is ignored, as under nohup; SIGTERM and SIGINT stop it cleanly,
 * children and all ({@code systemctl stop}). {@code POST /agent/restart} ({@code haagent ctl agent restart}) stops it
 * leaving the children running and exits {@link Main#RESTART}, which the systemd unit maps to a restart.
 */
final class RunCommand {
    private RunCommand() {}

    static final String USAGE = "usage: haagent run [--config FILE] [--log-level LEVEL] [--log-format plain|json]";

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path config = Defaults.CONFIG_FILE;
        Optional<String> level = LogLevels.configured();
        Optional<String> format = LogFormat.configured();
        String levelFrom = LogLevels.VARIABLE;
        String formatFrom = LogFormat.VARIABLE;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            Optional<String> value;
            if ((value = option(args, i, "--config")).isPresent()) {
                config = Path.of(value.get());
            } else if ((value = option(args, i, "--log-level")).isPresent()) {
                level = value;
                levelFrom = "--log-level";
            } else if ((value = option(args, i, "--log-format")).isPresent()) {
                format = value;
                formatFrom = "--log-format";
            } else {
                err.println("haagent run: unexpected '" + a + "'; " + USAGE);
                return Main.USAGE_ERROR;
            }
            if (!a.contains("=")) {
                i++;
            }
        }
        // Both are checked before anything logs, so that a typo is an error and not a silent default.
        if (format.isPresent() && LogFormat.named(format.get()).isEmpty()) {
            err.println("haagent run: " + formatFrom + " '" + format.get() + "' is no log format; use one of: "
                    + LogFormat.words());
            return Main.USAGE_ERROR;
        }
        if (level.isPresent() && LogLevels.named(level.get()).isEmpty()) {
            err.println("haagent run: " + levelFrom + " '" + level.get() + "' is no log level; use one of: "
                    + LogLevels.WORDS);
            return Main.USAGE_ERROR;
        }
        format.flatMap(LogFormat::named).ifPresent(LogLineEncoder::use);
        level.flatMap(LogLevels::named).ifPresent(LogLevels::useForRoot);
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
        AtomicBoolean closed = new AtomicBoolean();
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                daemon.close();
                metrics.close();
            }
        };
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        daemon.plannedRestart().thenRun(() -> exit.complete(Main.RESTART));
        // Under nohup SIGHUP is ignored, and the JVM keeps an ignored signal ignored: it returns SIG_IGN and
        // installs nothing, so kill -HUP would do nothing, silently.
        if (Signal.handle(new Signal("HUP"), s -> Thread.ofVirtual().start(daemon::reload)) == SignalHandler.SIG_IGN) {
            org.slf4j.LoggerFactory.getLogger(RunCommand.class).warn("SIGHUP is ignored (started under nohup?): kill -HUP does not reload;"
                    + " reload with haagent reload or POST /reload");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close.run();
            exit.complete(Main.OK);
        }, "haagent-shutdown"));
        int status = exit.join();
        close.run(); // after a planned restart; after a signal the hook has closed it already
        return status;
    }

    /** The value of {@code --name VALUE} or {@code --name=VALUE} at {@code args[i]}, if that is the option. */
    private static Optional<String> option(String[] args, int i, String name) {
        if (args[i].startsWith(name + "=")) {
            return Optional.of(args[i].substring(name.length() + 1));
        }
        if (args[i].equals(name) && i + 1 < args.length) {
            return Optional.of(args[i + 1]);
        }
        return Optional.empty();
    }
}
