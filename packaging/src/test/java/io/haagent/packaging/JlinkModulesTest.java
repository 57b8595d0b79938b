package io.haagent.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * src/jlink/modules, the JDK modules the package's runtime holds, against what jdeps finds the jars in lib/
 * use: a jar that starts to need a module the runtime lacks would fail on a customer's host with a
 * NoClassDefFoundError (and only on the path that loads it), so it fails here first.
 */
class JlinkModulesTest {
    private static final Path MODULES = Built.SOURCES.resolve("jlink/modules");

    @Test
    void moduleList_holdsEveryModuleTheJarsUse_andNoOther() throws Exception {
        Set<String> listed = new TreeSet<>(Arrays.asList(Files.readString(MODULES).strip().split(",")));
        Set<String> used = jdepsModules();

        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(listed);
        assertTrue(missing.isEmpty(), "the jars in lib/ use " + missing + ", which src/jlink/modules lacks: the"
                + " package's runtime would not have them. Add them to src/jlink/modules (one line, comma-separated)");
        Set<String> unused = new TreeSet<>(listed);
        unused.removeAll(used);
        assertEquals(Set.of(), unused, "src/jlink/modules lists modules no jar uses: remove them, each makes the"
                + " runtime bigger");
    }

    /** What {@code jdeps --print-module-deps} says the agent's jars (not the demo's) need. */
    private static Set<String> jdepsModules() throws IOException, InterruptedException {
        Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
        List<String> argv = new ArrayList<>(List.of(jdeps.toString(), "--print-module-deps", "--ignore-missing-deps",
                "--multi-release", String.valueOf(Runtime.version().feature())));
        try (Stream<Path> jars = Files.list(Built.DIST.resolve("lib"))) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> argv.add(p.toString()));
        }
        assertTrue(argv.size() > 5, "no jars in " + Built.DIST.resolve("lib") + ": run ./mvnw package first");
        String out = Program.output(argv.toArray(String[]::new)).strip();
        String last = out.lines().reduce((a, b) -> b).orElse("");
        return new TreeSet<>(Arrays.asList(last.split(",")));
    }
}
