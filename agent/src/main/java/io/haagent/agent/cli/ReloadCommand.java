package io.haagent.agent.cli;

import io.haagent.agent.json.Json;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * {@code haagent reload [--admin HOST:PORT] [--config FILE]}: asks the daemon to re-read its
 * config. The daemon lints it first and keeps running the old one when it has errors; those
 * findings are printed here and the exit status is 1. A file that does not even parse is not sent
 * (its token cannot be known): its syntax findings are printed here, exit status 1 all the same.
 */
final class ReloadCommand {
    static final int REFUSED = 1;

    private ReloadCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        StatusCommand.Options o = StatusCommand.Options.parse("reload", args, err);
        if (o == null) {
            return Main.USAGE_ERROR;
        }
        HttpResponse<String> r;
        try {
            r = AdminClient.of(o.admin(), o.config()).post("/reload");
        } catch (AdminClient.Unreachable e) {
            e.findings().forEach(out::println);
            err.println("haagent reload: " + e.getMessage());
            // A config with errors is refused, as the daemon refuses it: exit 1 with the findings (README).
            return e.findings().isEmpty() ? Main.USAGE_ERROR : REFUSED;
        }
        Map<?, ?> body;
        try {
            body = Json.read(r.body()) instanceof Map<?, ?> m ? m : Map.of();
        } catch (IllegalArgumentException e) {
            body = Map.of("message", r.body().strip());
        }
        if (body.get("findings") instanceof List<?> findings) {
            findings.forEach(f -> out.println(f));
        }
        Object message = body.get("message");
        if (r.statusCode() == 200) {
            out.println("haagent reload: " + (message == null ? "applied" : message));
            return Main.OK;
        }
        err.println("haagent reload: " + (message == null ? "refused (HTTP " + r.statusCode() + ")" : message));
        return r.statusCode() == 401 || r.statusCode() == 403 ? Main.USAGE_ERROR : REFUSED;
    }
}
