package io.haagent.checker.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haagent.config.CheckSpec;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The redis probe against a Redis container: the same server a CI machine with Docker but
 * without the redis-server package can offer. Skipped without a Docker engine, and when the
 * engine's published ports are not on loopback (tests talk only to 127.0.0.0/8).
 */
@Testcontainers(disabledWithoutDocker = true)
class RedisProbeContainerTest {
    @Container
    private static final GenericContainer<?> REDIS = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);

    private static Probes probes;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(InetAddress.getByName(REDIS.getHost()).isLoopbackAddress(),
                "the Docker engine publishes ports on " + REDIS.getHost() + ", not on loopback");
        probes = Probes.create();
    }

    @AfterAll
    static void tearDown() {
        if (probes != null) {
            probes.close();
        }
    }

    @Test
    void containerRedis_isUp_roleMaster() throws Exception {
        CheckSpec spec = new CheckSpec.Redis("127.0.0.1", REDIS.getMappedPort(6379), Optional.empty(),
                new CheckSpec.CheckTiming(Duration.ofSeconds(4), Duration.ofSeconds(2), 2, 3));
        CheckResult r = probes.forCheck("redis", spec).run().get(30, TimeUnit.SECONDS);
        assertTrue(r.up(), r.reason());
        assertEquals("role:master", r.reason());
    }
}
