package io.haagent.demo;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The {@code redis-server} the demo runs: the one named by {@code HAAGENT_DEMO_REDIS_SERVER} (a path, or
 * {@code bundled}), else the first on the PATH, else the Linux binary that the embedded-redis package
 * (on the class path, from Maven Central) ships — Redis 6.2, enough for everything the demo shows — copied
 * into the demo's work directory. So {@code haagent demo} runs on a fresh machine where nothing can be
 * installed.
 */
final class BundledRedis {
    private BundledRedis() {}

    static Path find(String override, Path workDir) throws IOException {
        if (override != null && !override.isBlank() && !override.equals("bundled")) {
            Path p = Path.of(override);
            if (!Files.isExecutable(p)) {
                throw new IOException("HAAGENT_DEMO_REDIS_SERVER=" + override + " is not an executable file");
            }
            return p;
        }
        if (override == null || override.isBlank()) {
            Optional<Path> onPath = onPath("redis-server");
            if (onPath.isPresent()) {
                return onPath.get();
            }
        }
        return extract(workDir);
    }

    static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty()).map(d -> Path.of(d, program))
                .filter(Files::isExecutable).findFirst().map(Path::toAbsolutePath);
    }

    private static Path extract(Path workDir) throws IOException {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String resource = !os.contains("linux") ? null
                : arch.equals("amd64") || arch.equals("x86_64") ? "redis-server-6.2.6-v5-linux-amd64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "redis-server-6.2.7-linux-arm64" : null;
        String install = "install redis-server (Debian/Ubuntu: apt-get install redis-server) or name one with"
                + " HAAGENT_DEMO_REDIS_SERVER=/path/to/redis-server";
        if (resource == null) {
            throw new IOException("no redis-server on the PATH, and none bundled for " + os + "/" + arch + ": " + install);
        }
        try (InputStream in = BundledRedis.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IOException("no redis-server on the PATH, and the bundled one (" + resource
                        + ") is not on the class path: " + install);
            }
            Path bin = Files.createDirectories(workDir.resolve("bin")).resolve("redis-server");
            Files.copy(in, bin, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
            return bin;
        }
    }
}
