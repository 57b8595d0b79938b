package io.haagent.agent.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.testkit.RedisServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 15's benchmark: the CPU time and the bytes allocated per sample on this machine's live /proc, as the daemon
 * takes one every 10 s. {@code -Dhaagent.loadSampleBenchRuns=N} takes N samples after 200 to warm up and prints the
 * means, for the host readers alone and with a real redis-server's INFO added; skipped otherwise.
 */
class LoadSampleBenchTest {

    @Test
    @EnabledIfSystemProperty(named = "haagent.loadSampleBenchRuns", matches = "[1-9][0-9]*")
    void cpuAndAllocationPerSample_liveProc() {
        int runs = Integer.parseInt(System.getProperty("haagent.loadSampleBenchRuns"));
        List<LoadReader> host = HostReaders.linux(HostReaders.PROC, List.of(), List.of(Path.of("/")));
        measure("host readers", host, runs);
        RedisServer.assumeAvailable();
        try (RedisServer redis = RedisServer.start();
             RedisThroughput info = new RedisThroughput(redis.host(), redis.port(), Optional.empty(),
                     Duration.ofSeconds(1))) {
            List<LoadReader> withRedis = new ArrayList<>(host);
            withRedis.add(info);
            measure("host readers + Redis INFO", withRedis, runs);
        }
    }

    private static void measure(String what, List<LoadReader> readers, int runs) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        LoadSampler sampler = new LoadSampler("bench", "bench", readers, Optional::empty, () -> {
            var vrrp = new LinkedHashMap<String, HaView.Vrrp>();
            vrrp.put("redis-vip", new HaView.Vrrp("MASTER", false));
            var services = new LinkedHashMap<String, String>();
            services.put("redis", "RUNNING");
            return new HaView(HaView.Lifecycle.IN_SERVICE, vrrp, services);
        }, Clock.systemUTC());
        for (int i = 0; i < 200; i++) {
            sampler.sample();
        }
        long cpu0 = threads.getCurrentThreadCpuTime();
        long bytes0 = threads.getCurrentThreadAllocatedBytes();
        PushedSample last = null;
        for (int i = 0; i < runs; i++) {
            last = sampler.sample();
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long bytes = threads.getCurrentThreadAllocatedBytes() - bytes0;
        assertEquals("", last.fields().get("problems"));
        System.out.printf("load sample bench (%s): %d samples, %d fields, %d JSON bytes: %.1f us CPU and %d bytes"
                        + " allocated per sample%n", what, runs, last.fields().size(), last.json().length,
                cpu / 1000.0 / runs, bytes / runs);
    }
}
