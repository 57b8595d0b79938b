package io.haagent.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code haagent demo} as the README's main job: the whole story on loopback — two {@code haagent run}
 * processes electing over udp with hmac, two real redis-servers they supervise, an app, the in-process
 * SMTP server — must end with exit 0 and every step said.
 */
class DemoCommandTest {
    /**
     * A demo run failed with "admin: cannot listen on 127.0.0.1:37957: Address already in use": the port was chosen
     * by binding port 0, from the kernel's ephemeral range, from which node a's own connections (its checks, its
     * Redis replication) took it before node b bound it. The demo's ports now come from below that range.
     */
    @Test
    void freePorts_comeFromBelowTheKernelsEphemeralRange_whereNoConnectionTakesThemMeanwhile() throws Exception {
        int ephemeralLow = DemoCommand.ephemeralLow();
        for (int i = 0; i < 20; i++) {
            int tcp = DemoCommand.freeTcpPort("127.0.0.1", "127.0.0.2");
            int udp = DemoCommand.freeUdpPort("127.0.0.1", "127.0.0.2");
            assertTrue(tcp > 1024 && tcp < ephemeralLow, tcp + " vs the ephemeral range from " + ephemeralLow);
            assertTrue(udp > 1024 && udp < ephemeralLow, udp + " vs the ephemeral range from " + ephemeralLow);
        }
    }

    @Test
    void demo_playsTheWholeFailoverStory_andExits0() {
        RedisServer.assumeAvailable(); // skips without redis-server, fails under CI=true
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DemoCommand.run(new String[0], new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String said = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, said + err.toString(StandardCharsets.UTF_8));
        for (String step : List.of("ok  a is MASTER", "ok  b is BACKUP and its Redis replicates a",
                "ok  b takes over as MASTER", "ok  b's Redis is promoted and keeps the data",
                "ok  b's redis.conf was rewritten", "ok  mail from b about \"redis-vip BACKUP -> MASTER\"",
                "ok  a's Redis is restarted and a is BACKUP", "ok  a's Redis replicates b and has the data",
                "ok  a's redis.conf was rewritten to follow b", "ok  mail from a about \"service redis restarted\"",
                "ok  the app is restarted and answers", "ok  mail from a about \"service app restarted\"",
                "done: every step happened")) {
            assertTrue(said.contains(step), "missing \"" + step + "\" in:\n" + said);
        }
        // The failover mail lists the promotion step with its result and timing.
        assertTrue(said.contains("redis promote") && said.contains("event id"), said);
    }

    /**
     * As {@code haagent demo} runs on a machine without redis-server: a process whose environment asks for
     * the Redis that the embedded-redis package ships (on the class path), extracted into the work dir.
     */
    @Test
    void demo_withTheBundledRedis_playsTheStoryToo() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.haagent.agent.cli.Main", "demo").redirectErrorStream(true);
        pb.environment().put("HAAGENT_DEMO_REDIS_SERVER", "bundled");
        Process p = pb.start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), said);
        assertTrue(said.contains("/bin/redis-server on port"), "the extracted binary runs the demo:\n" + said);
        assertTrue(said.contains("done: every step happened"), said);
    }

    @Test
    void aMissingOverride_isRefusedWithWhatToDo() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("demo-test");
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> BundledRedis.find("/nonexistent/redis-server", dir));
        assertEquals("HAAGENT_DEMO_REDIS_SERVER=/nonexistent/redis-server is not an executable file", e.getMessage());
    }

    /**
     * {@code haagent demo} through the CLI, which finds the demo by name on the class path (the agent does
     * not compile against it): the arguments reach it and its answer and exit status come back.
     */
    @Test
    void demo_refusesAnUnknownArgument_exit2(@TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path out = dir.resolve("out");
        java.nio.file.Path err = dir.resolve("err");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "io.haagent.agent.cli.Main", "demo", "--config", "x.yaml")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertEquals(2, p.waitFor());
        assertEquals("", java.nio.file.Files.readString(out));
        assertEquals("haagent demo: unknown argument '--config'; the only option is --keep-running\n",
                java.nio.file.Files.readString(err));
    }

    @Test
    void demo_refusesUnknownArguments() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DemoCommand.run(new String[] {"--fast"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown argument '--fast'"));
    }
}
