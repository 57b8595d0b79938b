package io.haagent.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.lint.finding.Finding;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code fleet.scaler-node-twice} beyond its corpus pair (lint/fleet/fleet.scaler-node-twice): what it must not
 * report. The scaler keys a host's load by role and node name, so only the same pair of both collides.
 */
class FleetScalerTest {

    private static String host(String name, String role) {
        return (name == null ? "" : "node: { name: " + name + " }\n")
                + "scaler:\n  push: { role: " + role + ", sink: { redis: { host: 10.0.0.5 } } }\n";
    }

    private static List<String> fleetFindings(String a, String b) {
        return Linter.lint(List.of(new Linter.Source("a.yaml", a), new Linter.Source("b.yaml", b)),
                        Linter.Options.DEFAULT).stream()
                .map(Finding::toString).filter(f -> f.contains("fleet.")).toList();
    }

    @Test
    void sameNodeName_sameRole_isReportedAtTheLaterFile() {
        List<String> f = fleetFindings(host("web-1", "web"), host("web-1", "web"));

        assertEquals(1, f.size(), f.toString());
        assertEquals(true, f.getFirst().startsWith("b.yaml:1:"), f.getFirst());
        assertEquals(true, f.getFirst().contains("as a.yaml:1 does"), f.getFirst());
    }

    @Test
    void sameNodeName_otherRoles_orNamesFromTheHostName_areNotReported() {
        assertEquals(List.of(), fleetFindings(host("web-1", "web"), host("web-1", "api")));
        assertEquals(List.of(), fleetFindings(host(null, "web"), host(null, "web")));
        assertEquals(List.of(), fleetFindings(host("web-1", "web"), host("web-2", "web")));
    }
}
