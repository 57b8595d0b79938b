package io.haagent.agent.cli;

import io.haagent.agent.json.Json;
import io.haagent.config.Defaults;
import io.haagent.config.Durations;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code haagent ctl}: what supervisorctl and {@code monit restart} are to their daemons. Each subcommand is one
 * request to the local daemon's admin API, with the address and the token read from the config file, so an
 * operator on the host types no more than {@code haagent ctl restart web}. Exit 0: done; 1: the daemon refused
 * or failed it (its one-line message says why); 2: a usage or config problem, or no daemon to ask.
 */
final class CtlCommand {
    static final int REFUSED = 1;
    /** How often {@code tail -f} asks for more: supervisorctl's {@code tail -f} feel, without hammering the daemon. */
    private static final long FOLLOW_EVERY_MILLIS = 500;

    static final String USAGE = """
            usage: haagent ctl [--config FILE] [--admin HOST:PORT] COMMAND [ARGS]

              restart SERVICE [--reason R]        restart now: passes backoff, budget and FATAL
              stop    SERVICE [--reason R]        stop the child; nothing restarts it until 'start'
              start   SERVICE [--reason R]        start a stopped service (after its dependencies)
              pause   SERVICE [--reason R] [--for 30m]
                                                  no healing for it; its checks keep running
              resume  SERVICE [--reason R]        end its pause; also takes it out of FATAL
              node pause  [--reason R] [--for D]  no healing on this node
              node resume [--reason R]            end the node's pause
              node drain  [--reason R]            hand every MASTER role to a peer and stay BACKUP
              node undrain [--reason R]           end the drain (as node resume; refused if not drained)
              switchover INSTANCE [--reason R] [--timeout 5s]
                                                  hand this VRRP instance's MASTER role to a peer
              tail SERVICE [-n 50] [-f] [--stderr]
                                                  the child's stdout.log (stderr.log); -f follows it
              agent restart [--reason R]          restart haagent itself (an upgrade) and leave the
                                                  services running: the next haagent adopts them

            The address and token come from node.admin.listen and node.admin.token_file of the config
            (default /etc/haagent/haagent.yaml). Exit 0: done; 1: the agent refused or failed it;
            2: usage, config or token problem, or the agent is not running.
            """;

    /**
     * One request to the admin API. For {@code tail} ({@code GET}), {@code path} has the stream and no position: the
     * first request asks for the last {@code lines}, a follower's next ones for what follows ({@code follow}).
     */
    record Call(String method, String path, int lines, boolean follow) {}

    /** What the command line asks for. */
    record Options(Path config, Optional<String> admin, Call call) {}

    /** A command line that does not say what to do: printed with the usage, exit 2. */
    static final class Usage extends Exception {
        Usage(String message) {
            super(message);
        }
    }

    private CtlCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            out.print(USAGE);
            return Main.OK;
        }
        Options o;
        try {
            o = parse(args);
        } catch (Usage e) {
            err.println("haagent ctl: " + e.getMessage());
            err.print(USAGE);
            return Main.USAGE_ERROR;
        }
        AdminClient client;
        try {
            client = AdminClient.of(o.admin(), o.config());
        } catch (AdminClient.Unreachable e) {
            err.println("haagent ctl: " + e.getMessage());
            return Main.USAGE_ERROR;
        }
        return o.call().method().equals("GET") ? tail(client, o.call(), out, err) : post(client, o.call(), out, err);
    }

    private static int post(AdminClient client, Call call, PrintStream out, PrintStream err) {
        HttpResponse<String> r;
        try {
            r = client.post(call.path());
        } catch (AdminClient.Unreachable e) {
            e.findings().forEach(out::println);
            err.println("haagent ctl: " + e.getMessage());
            return Main.USAGE_ERROR;
        }
        String message = message(r);
        if (r.statusCode() == 200) {
            out.println("haagent ctl: " + message);
            return Main.OK;
        }
        err.println("haagent ctl: " + message);
        return exitFor(r.statusCode());
    }

    /** Prints the last lines, then (with -f) what is written after them, every half second until interrupted. */
    private static int tail(AdminClient client, Call call, PrintStream out, PrintStream err) {
        String path = call.path() + "&lines=" + call.lines();
        while (true) {
            HttpResponse<String> r;
            try {
                r = client.getWithToken(path);
            } catch (AdminClient.Unreachable e) {
                if (call.follow() && Thread.currentThread().isInterrupted()) {
                    return Main.OK; // Ctrl-C, or the caller stopped following
                }
                err.println("haagent ctl: " + e.getMessage());
                return Main.USAGE_ERROR;
            }
            if (r.statusCode() != 200) {
                err.println("haagent ctl: " + message(r));
                return exitFor(r.statusCode());
            }
            Map<?, ?> body = body(r);
            out.print(body.get("text") instanceof String s ? s : "");
            out.flush();
            if (!call.follow()) {
                return Main.OK;
            }
            try {
                Thread.sleep(FOLLOW_EVERY_MILLIS);
            } catch (InterruptedException e) {
                return Main.OK;
            }
            // The next poll asks for what follows; the daemon starts over when the file was rotated meanwhile.
            path = call.path() + "&from=" + body.get("next");
        }
    }

    /** 401/403 (token) and 400 (what was sent) are this side's problem; everything else the daemon refused. */
    private static int exitFor(int status) {
        return status == 400 || status == 401 || status == 403 ? Main.USAGE_ERROR : REFUSED;
    }

    private static Map<?, ?> body(HttpResponse<String> r) {
        try {
            return Json.read(r.body()) instanceof Map<?, ?> m ? m : Map.of();
        } catch (IllegalArgumentException e) {
            return Map.of("message", r.body().strip());
        }
    }

    private static String message(HttpResponse<String> r) {
        Object m = body(r).get("message");
        return m != null ? m.toString() : (r.statusCode() == 200 ? "done" : "refused (HTTP " + r.statusCode() + ")");
    }

    /** The command line as one admin request; the flags may come anywhere after {@code ctl}. */
    static Options parse(String[] args) throws Usage {
        Path config = Defaults.CONFIG_FILE;
        Optional<String> admin = Optional.empty();
        Optional<String> reason = Optional.empty();
        Optional<String> forDuration = Optional.empty();
        Optional<String> timeout = Optional.empty();
        int lines = 50;
        boolean follow = false;
        boolean stderr = false;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String flag = a.contains("=") && a.startsWith("--") ? a.substring(0, a.indexOf('=')) : a;
            boolean takesValue = switch (flag) {
                case "--config", "--admin", "--reason", "--for", "--timeout", "-n" -> true;
                default -> false;
            };
            if (!takesValue) {
                switch (a) {
                    case "-f", "--follow" -> follow = true;
                    case "--stderr" -> stderr = true;
                    default -> {
                        if (a.startsWith("-")) {
                            throw new Usage("unknown option '" + a + "'");
                        }
                        words.add(a);
                    }
                }
                continue;
            }
            String value;
            if (!flag.equals(a)) {
                value = a.substring(flag.length() + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new Usage(a + " needs a value");
            }
            switch (flag) {
                case "--config" -> config = Path.of(value);
                case "--admin" -> admin = Optional.of(value);
                case "--reason" -> reason = Optional.of(value);
                case "--for" -> forDuration = Optional.of(duration("--for", value));
                case "--timeout" -> timeout = Optional.of(duration("--timeout", value));
                default -> lines = lines(value);
            }
        }
        if (words.isEmpty()) {
            throw new Usage("which command? (restart, stop, start, pause, resume, node, switchover, tail, agent)");
        }
        String command = words.getFirst();
        boolean pause = command.equals("pause") || words.equals(List.of("node", "pause"));
        if (forDuration.isPresent() && !pause) {
            throw new Usage("--for is only for pause and node pause");
        }
        Call call = switch (command) {
            case "restart", "stop", "start", "pause", "resume" -> {
                String service = one(words, command + " SERVICE");
                yield post("/services/" + segment(service) + "/" + command, reason, forDuration, Optional.empty());
            }
            case "node" -> {
                String what = one(words, "node pause|resume|drain|undrain");
                if (!List.of("pause", "resume", "drain", "undrain").contains(what)) {
                    throw new Usage("node " + what + ": use node pause, node resume, node drain or node undrain");
                }
                yield post("/node/" + what, reason, forDuration, Optional.empty());
            }
            case "agent" -> {
                String what = one(words, "agent restart");
                if (!what.equals("restart")) {
                    throw new Usage("agent " + what + ": use agent restart");
                }
                yield post("/agent/restart", reason, forDuration, Optional.empty());
            }
            case "switchover" -> post("/vrrp/" + segment(one(words, "switchover INSTANCE")) + "/switchover", reason,
                    Optional.empty(), timeout);
            case "tail" -> new Call("GET", "/services/" + segment(one(words, "tail SERVICE")) + "/log?stream="
                    + (stderr ? "stderr" : "stdout"), lines, follow);
            default -> throw new Usage("unknown command '" + command + "'");
        };
        if (timeout.isPresent() && !command.equals("switchover")) {
            throw new Usage("--timeout is only for switchover");
        }
        if ((follow || stderr || lines != 50) && !command.equals("tail")) {
            throw new Usage("-n, -f and --stderr are only for tail");
        }
        return new Options(config, admin, call);
    }

    private static Call post(String path, Optional<String> reason, Optional<String> forDuration, Optional<String> timeout) {
        List<String> query = new ArrayList<>();
        reason.ifPresent(r -> query.add("reason=" + URLEncoder.encode(r, StandardCharsets.UTF_8)));
        forDuration.ifPresent(d -> query.add("for=" + d));
        timeout.ifPresent(t -> query.add("timeout=" + t));
        return new Call("POST", path + (query.isEmpty() ? "" : "?" + String.join("&", query)), 0, false);
    }

    /** The one name after the command (a service, an instance, node's verb). */
    private static String one(List<String> words, String usage) throws Usage {
        if (words.size() != 2) {
            throw new Usage(words.size() < 2 ? usage + ": which one?" : usage + " takes one name, got "
                    + String.join(" ", words.subList(1, words.size())));
        }
        return words.get(1);
    }

    private static String duration(String flag, String value) throws Usage {
        try {
            Durations.parse(value);
            return URLEncoder.encode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Usage(flag + ": " + e.getMessage());
        }
    }

    private static int lines(String value) throws Usage {
        try {
            int n = Integer.parseInt(value);
            if (n >= 0 && n <= 10_000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new Usage("-n: '" + value + "' is not a number of lines within 0..10000");
    }

    private static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
