package io.haagent.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.lint.finding.Finding;
import io.haagent.lint.finding.Location;
import io.haagent.lint.finding.Rule;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one reader of config files ({@code lint}, {@code run}, reloads): what it refuses, and in which words. */
class ConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void aFileOverTheLimit_isRefusedBySize_withOneFinding_beforeItIsRead() throws IOException {
        Path big = Files.write(dir.resolve("big.yaml"), new byte[ConfigFile.MAX_BYTES + 1]);
        var e = assertThrows(ConfigFile.Unreadable.class, () -> ConfigFile.read(big));
        assertEquals(big + " is too large to read", e.getMessage());
        assertEquals(1, e.findings().size());
        Finding f = e.findings().getFirst();
        assertEquals(Rule.CONFIG_TOO_LARGE, f.rule());
        assertEquals(Location.START, f.at());
        assertTrue(f.message().startsWith("it is 4194305 bytes, more than the 4194304 bytes (4 MiB) a config may have"), f.message());
    }

    @Test
    void aStreamOverTheLimit_isRefusedAfterTheLimit_notReadToItsEnd() {
        var endless = new java.io.InputStream() {
            long served;

            @Override
            public int read() {
                served++;
                return '#';
            }
        };
        var e = assertThrows(ConfigFile.Unreadable.class, () -> ConfigFile.read("-", endless));
        assertEquals(Rule.CONFIG_TOO_LARGE, e.findings().getFirst().rule());
        assertTrue(e.findings().getFirst().message().startsWith("it has more than the 4194304 bytes (4 MiB)"));
        assertEquals(ConfigFile.MAX_BYTES + 1, endless.served);
    }

    @Test
    void unreadableFiles_sayWhyInTheSameWordsForLintRunAndReload() throws IOException {
        Path binary = Files.write(dir.resolve("bin.yaml"), new byte[] {'a', ':', ' ', (byte) 0xff, (byte) 0xfe});
        assertEquals("cannot read " + binary + ": not UTF-8 text",
                assertThrows(ConfigFile.Unreadable.class, () -> ConfigFile.read(binary)).getMessage());
        assertEquals("cannot read " + dir.resolve("gone.yaml") + ": no such file",
                assertThrows(ConfigFile.Unreadable.class, () -> ConfigFile.read(dir.resolve("gone.yaml"))).getMessage());
        assertTrue(assertThrows(ConfigFile.Unreadable.class, () -> ConfigFile.read(dir)).getMessage()
                .endsWith(": it is a directory; name the config files in it"));
        assertEquals(List.of(), assertThrows(ConfigFile.Unreadable.class, () -> ConfigFile.read(binary)).findings());
    }

    @Test
    void theLintBenchmarksConfig_isWellWithinTheLimit() throws Exception {
        String bench = LintBench.generate(1000, 500, 50);
        int bytes = bench.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(bytes < ConfigFile.MAX_BYTES / 4, bytes + " bytes");
        assertEquals(bench, ConfigFile.read("bench.yaml", new ByteArrayInputStream(bench.getBytes(StandardCharsets.UTF_8))).text());
    }
}
