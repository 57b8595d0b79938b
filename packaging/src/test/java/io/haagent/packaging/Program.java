package io.haagent.packaging;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One run of a local program, its output captured in files; every run has a deadline. */
record Program(int exit, String out, String err) {

    static Program run(Map<String, String> env, String... argv) throws IOException, InterruptedException {
        return run(env, List.of(argv));
    }

    /** Runs {@code argv} with {@code env} added to (or, for an empty value, removed from) this JVM's environment. */
    static Program run(Map<String, String> env, List<String> argv) throws IOException, InterruptedException {
        Path out = Files.createTempFile("program", ".out");
        Path err = Files.createTempFile("program", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            withEnvironment(pb, env);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(argv + " did not finish in 120 s");
            }
            return new Program(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Adds {@code env} to the process' environment; an empty value removes the variable. */
    static ProcessBuilder withEnvironment(ProcessBuilder pb, Map<String, String> env) {
        env.forEach((k, v) -> {
            if (v.isEmpty()) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        return pb;
    }

    /** The output of a run that must succeed. */
    static String output(String... argv) throws IOException, InterruptedException {
        Program r = run(Map.of(), argv);
        if (r.exit() != 0) {
            fail(String.join(" ", argv) + " exited " + r.exit() + ": " + r.err() + r.out());
        }
        return r.out();
    }
}
