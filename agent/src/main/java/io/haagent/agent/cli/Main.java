package io.haagent.agent.cli;

import io.haagent.lint.LintCommand;
import java.io.PrintStream;
import java.util.Arrays;

/** {@code haagent COMMAND [ARGS]}: runs the command named by the first argument. */
public final class Main {
    static final int OK = 0;
    static final int USAGE_ERROR = 2;
    /**
     * {@code haagent run} after a planned restart ({@code haagent ctl agent restart}): EX_TEMPFAIL of sysexits.h,
     * which the unit's {@code RestartForceExitStatus=75} turns into a restart; the children were left running.
     */
    static final int RESTART = 75;

    // The commands and their arguments are the contract in DESIGN.md, "Command line".
    static final String USAGE = """
            usage: haagent COMMAND [ARGS]

              run    [--config FILE] [--log-level error|warn|info|debug|trace] [--log-format plain|json]
                                            run the daemon in the foreground (logs to stdout;
                                            HAAGENT_LOG_LEVEL, HAAGENT_LOG_FORMAT when no flag)
              lint   [--format text|json|github] [--host] FILE...
                                            check config files; exit 0: clean or warnings only,
                                            1: errors, 2: cannot read/usage (haagent lint --help)
              status [--admin HOST:PORT] [--config FILE] [--json]
                                            states of checks, services, VRRP instances
              reload [--admin HOST:PORT] [--config FILE]
                                            ask the daemon to re-read its config (lints first);
                                            exit 1 with the findings when it refused
              ctl    [--config FILE] restart|stop|start|pause|resume SERVICE, node pause|resume|drain|undrain,
                     switchover INSTANCE, tail SERVICE [-f], agent restart
                                            operate the running agent (haagent ctl --help)
              demo   [--keep-running]       a Redis failover played on loopback: two nodes, two Redis,
                                            an app, a mail server (no root, no cloud; needs redis-server)
              version                       the version and the git commit it was built from
              aot-cache                     make the AOT cache run starts from (a training run on
                                            loopback, ~10 s; the Debian package makes it on install)
              help                          this text

            The default config is /etc/haagent/haagent.yaml.
            """;

    private Main() {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /** Runs one command line and returns its exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return USAGE_ERROR;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (command) {
            case "lint" -> LintCommand.run(rest, out, err, io.haagent.agent.daemon.AgentHostFacts::system);
            case "version", "--version" -> version(rest, out, err);
            case "help", "--help", "-h" -> {
                out.print(USAGE);
                yield OK;
            }
            case "status" -> StatusCommand.run(rest, out, err);
            case "reload" -> ReloadCommand.run(rest, out, err);
            case "ctl" -> CtlCommand.run(rest, out, err);
            case "run" -> RunCommand.run(rest, out, err);
            case "demo" -> DemoLauncher.run(rest, out, err);
            case "aot-cache" -> {
                // a JVM cannot make the cache it runs from: the launcher starts a training run (bin/haagent)
                err.println("haagent aot-cache: the launcher makes it; run it as bin/haagent aot-cache (/usr/bin/haagent"
                        + " with the package), not through java");
                yield USAGE_ERROR;
            }
            default -> {
                err.println("haagent: unknown command '" + command + "'; see haagent --help");
                yield USAGE_ERROR;
            }
        };
    }

    private static int version(String[] rest, PrintStream out, PrintStream err) {
        if (rest.length > 0) {
            err.println("haagent version: takes no arguments, got '" + rest[0] + "'");
            return USAGE_ERROR;
        }
        out.println(BuildInfo.load().versionLine());
        return OK;
    }
}
