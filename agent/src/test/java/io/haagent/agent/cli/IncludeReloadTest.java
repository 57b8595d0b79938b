package io.haagent.agent.cli;

import static io.haagent.agent.cli.AgentProcess.haagent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.cli.AgentProcess.Outcome;
import io.haagent.testkit.Eventually;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: a config split with {@code include:} — {@code haagent run} as a real process reads the
 * included files at start and again on each reload, and {@code haagent reload --config} finds the
 * admin address in an included file, through the same loader.
 */
class IncludeReloadTest {
    @TempDir
    Path dir;

    private final List<AgentProcess> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(AgentProcess::close);
    }

    private Process run(Path config) throws IOException {
        AgentProcess p = AgentProcess.start(config, dir.resolve("stdout.log"), dir.resolve("stderr.log"));
        started.add(p);
        return p.process();
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text);
    }

    @Test
    void reload_picksUpAChangeMadeOnlyInAnIncludedFile_andReportsAnIncludedFilesErrorThere() throws Exception {
        Path token = write("admin.token", "tok\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        int port = AgentProcess.freePort();
        // The admin address is only in base.yaml: the CLI must read it through the include.
        write("base.yaml", "node:\n  name: inc\n  state_dir: " + dir.resolve("state") + "\n  admin: { listen: \"127.0.0.1:"
                + port + "\", token_file: " + token + " }\n");
        write("conf.d/web.yaml", "checks:\n  web: { type: tcp, address: \"127.0.0.1:1\" }\n");
        Path main = write("haagent.yaml", "include: [base.yaml, conf.d]\n");
        Process daemon = run(main);
        Eventually.get(Duration.ofSeconds(30), () -> "the daemon to answer status; stdout: " + output("stdout.log")
                + "\nstderr: " + output("stderr.log"), () -> Optional.of(haagent("status", "--config", main.toString()))
                .filter(o -> o.status() == 0 && o.out().contains("inc")));

        write("conf.d/api.yaml", "checks:\n  api: { type: tcp, address: \"127.0.0.1:2\" }\n");
        Outcome added = haagent("reload", "--config", main.toString());
        assertEquals(0, added.status(), added.err());
        assertEquals("haagent reload: applied: checks added api\n", added.out());

        write("conf.d/web.yaml", "checks:\n  web: { type: tcp, address: \"127.0.0.1:3\" }\n");
        Outcome changed = haagent("reload", "--config", main.toString());
        assertEquals(0, changed.status(), changed.err());
        assertEquals("haagent reload: applied: checks changed web\n", changed.out());

        Path web = write("conf.d/web.yaml", "checks:\n  web: { type: tcp, address: \"127.0.0.1:3\", intreval: 2s }\n");
        Outcome refused = haagent("reload", "--config", main.toString());
        assertEquals(1, refused.status(), refused.err());
        assertTrue(refused.out().startsWith(web + ":2:45: error: checks.web: unknown key 'intreval'"), refused.out());

        daemon.destroy();
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
    }

    private String output(String file) {
        try {
            return Files.readString(dir.resolve(file));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
