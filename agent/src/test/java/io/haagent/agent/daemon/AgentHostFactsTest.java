package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.lint.HostFacts;
import io.haagent.lint.LintCommand;
import io.haagent.testkit.ConfiglessRedis;
import io.haagent.testkit.FreePorts;
import io.haagent.testkit.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lint --host} asks the real Redis whether a failover could persist its role change. */
class AgentHostFactsTest {
    @TempDir
    Path dir;

    @Test
    void aRedisWithoutConfigFile_isAProblem_oneWithAConfigFileOrNotRunning_isNot() throws Exception {
        HostFacts host = AgentHostFacts.system();
        try (ConfiglessRedis bare = ConfiglessRedis.start(); RedisServer withFile = RedisServer.start()) {
            Optional<String> problem = host.redisRewriteProblem("127.0.0.1", bare.port(), Optional.empty());
            assertTrue(problem.orElse("").contains("runs without a config file"), problem.toString());
            assertEquals(Optional.empty(), host.redisRewriteProblem("127.0.0.1", withFile.port(), Optional.empty()));
        }
        assertEquals(Optional.empty(), host.redisRewriteProblem("127.0.0.1", FreePorts.tcp(), Optional.empty()),
                "a Redis that is not running (yet) is no finding: the agent may be about to start it");
    }

    @Test
    void lintHost_warnsOfTheRedis_andExits0() throws Exception {
        try (ConfiglessRedis bare = ConfiglessRedis.start()) {
            Path config = dir.resolve("haagent.yaml");
            Files.writeString(config, """
                    vrrp:
                      vip:
                        vrid: 51
                        transport: udp
                        unicast: { source: 127.0.0.1, peers: ["127.0.0.2"] }
                        on_master:
                          redis_promote: { port: %d }
                    """.formatted(bare.port()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            // as `haagent lint --host` runs it (Main hands AgentHostFacts to LintCommand)
            int status = LintCommand.run(new String[] {"--host", config.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), AgentHostFacts::system);
            String said = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, status, said + err);
            assertTrue(said.contains(config + ":7:22: warning: vrrp.vip.on_master.redis_promote: redis 127.0.0.1:" + bare.port()
                    + ": runs without a config file") && said.contains("[host.redis-not-rewritable]"), said);
        }
    }
}
