package io.haagent.agent.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A bin directory of recording shell scripts standing in for systemctl, virsh, xl and friends:
 * each appends "NAME ARGS..." to calls.log, then does what the test says. A {@link CommandRunner}
 * whose search path is only this directory runs them instead of the real programs.
 */
final class Scripts {
    final Path bin;
    final Path calls;

    Scripts(Path dir) throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        calls = dir.resolve("calls.log");
    }

    /** A script that records its call, then runs {@code body} (sh). */
    Scripts script(String name, String body) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/sh\necho \"" + name + " $*\" >> '" + calls + "'\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return this;
    }

    Scripts recorder(String name) throws IOException {
        return script(name, "echo \"" + name + " ok\"");
    }

    CommandRunner runner() {
        return new CommandRunner(Map.of(), List.of(bin));
    }

    List<String> calls() throws IOException {
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    /** An absolute path to a real program, for scripts that need one (their PATH is only {@link #bin}). */
    static String real(String program) {
        return Stream.of("/usr/bin/", "/bin/").map(d -> d + program).filter(p -> Files.isExecutable(Path.of(p)))
                .findFirst().orElseThrow(() -> new AssertionError(program + " is not installed"));
    }
}
