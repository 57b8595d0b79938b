package io.haagent.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;

class MotoServerTest {

    @Test
    void start_answersOnLoopback_reset_close_killsTheProcessTree() throws Exception {
        List<ProcessHandle> tree;
        MotoServer moto = MotoServer.start();
        try (moto) {
            assertTrue(moto.isRunning());
            assertEquals(URI.create("http://127.0.0.1:" + moto.port()), moto.endpoint());
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(moto.endpoint().resolve("/moto-api/data.json")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            moto.reset();
            ProcessHandle root = ProcessHandle.of(moto.pid()).orElseThrow();
            tree = java.util.stream.Stream.concat(root.descendants(), java.util.stream.Stream.of(root)).toList();
        }
        assertFalse(moto.isRunning());
        for (ProcessHandle h : tree) {
            assertFalse(h.isAlive(), "pid " + h.pid() + " outlived close()");
        }
        moto.close(); // twice is fine
    }
}
