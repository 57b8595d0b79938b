package io.haagent.agent.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /proc readers on files copied from real hosts (src/test/resources/load/README.txt says which) and on this
 * machine's live /proc.
 */
class HostReadersTest {

    static Path fixture(String host) {
        try {
            return Path.of(HostReadersTest.class.getResource("/load/" + host + "/proc").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the readers leave in a sample: committed series and host facts, and the problems. */
    static Readings read(Path proc, List<String> interfaces, List<Path> mounts) {
        Readings r = new Readings();
        HostReaders.linux(proc, interfaces, mounts).forEach(r::take);
        return r;
    }

    private static long count(Readings r, String prefix) {
        return r.series().keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }

    @Test
    void eightCpus_everyCpuAndModeInSeconds_guestLeftOut() {
        Readings r = read(fixture("eight-cpus"), List.of(), List.of());

        assertEquals(8, r.host().get("vcpus"));
        assertEquals(64, count(r, "node_cpu_seconds_total{"), "8 CPUs x 8 modes");
        // cpu0 44490 19 21045 1087069 220 1 3410 0 2 1 at USER_HZ 100
        assertEquals(444.9, r.series().get("node_cpu_seconds_total{cpu=\"0\",mode=\"user\"}"));
        assertEquals(10870.69, r.series().get("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}"));
        assertEquals(0.0, r.series().get("node_cpu_seconds_total{cpu=\"7\",mode=\"steal\"}"));
        assertEquals(2.68, r.series().get("node_cpu_seconds_total{cpu=\"7\",mode=\"nice\"}"));
        assertFalse(r.series().keySet().stream().anyMatch(k -> k.contains("guest")), r.series().keySet().toString());
        assertFalse(r.series().keySet().stream().anyMatch(k -> k.contains("cpu=\"\"")), "the cpu sum line is no CPU");
    }

    @Test
    void eightCpus_loadMemoryPressure() {
        Readings r = read(fixture("eight-cpus"), List.of(), List.of());

        assertEquals(0.21, r.series().get("node_load1"));
        assertEquals(0.37, r.series().get("node_load5"));
        assertEquals(0.39, r.series().get("node_load15"));
        assertEquals(3742148L * 1024, r.series().get("node_memory_MemTotal_bytes"));
        assertEquals(3742148L * 1024, r.host().get("memory_total_bytes"));
        assertNull(r.series().get("node_memory_MemAvailable_bytes"), "this host's kernel predates MemAvailable");
        assertTrue(r.problems().contains("node_memory_MemAvailable_bytes left out: " + fixture("eight-cpus")
                .resolve("meminfo") + " has no MemAvailable line (a kernel before 3.14)"), r.problems().toString());
        assertEquals(14.036781, r.series().get("node_pressure_cpu_waiting_seconds_total"));
        assertNull(r.series().get("node_pressure_cpu_stalled_seconds_total"));
        assertEquals(159.886802, r.series().get("node_pressure_io_waiting_seconds_total"));
        assertEquals(159.229614, r.series().get("node_pressure_io_stalled_seconds_total"));
        assertEquals(0.0, r.series().get("node_pressure_memory_waiting_seconds_total"));
        assertEquals(0.0, r.series().get("node_pressure_memory_stalled_seconds_total"));
        assertEquals(1, r.problems().size(), r.problems().toString());
    }

    @Test
    void eightCpus_network_allButLo_namesAsTheKernelPrintsThem() {
        Readings r = read(fixture("eight-cpus"), List.of(), List.of());

        assertEquals(68210035552L, r.series().get("node_network_receive_bytes_total{device=\"eth0\"}"),
                "no space between the colon and a wide number");
        assertEquals(9315587528L, r.series().get("node_network_transmit_bytes_total{device=\"eth0\"}"));
        assertEquals(64L, r.series().get("node_network_transmit_drop_total{device=\"flannel.1\"}"));
        assertEquals(0L, r.series().get("node_network_receive_drop_total{device=\"ibr10:30\"}"), "an alias");
        assertEquals(57750104L, r.series().get("node_network_receive_bytes_total{device=\"\uD83D\uDCA90\"}"));
        assertEquals(0, count(r, "node_network_receive_bytes_total{device=\"lo\"}"));
        assertEquals(9, count(r, "node_network_receive_bytes_total{"), "ten interfaces, lo left out");
    }

    @Test
    void configuredInterfaces_onlyThose_oneNotThereIsAProblem() {
        Readings r = read(fixture("eight-cpus"), List.of("eth0", "lo", "eth9"), List.of());

        assertEquals(2, count(r, "node_network_receive_bytes_total{"));
        assertEquals(435303245L, r.series().get("node_network_receive_bytes_total{device=\"lo\"}"), "asked for");
        assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("interface eth9 is not in ")),
                r.problems().toString());
    }

    @Test
    void eightCpus_disks_asNodeExportersDefaultExclude() {
        Readings r = read(fixture("eight-cpus"), List.of(), List.of());

        // sda 25354637 34367663 1003346126 18492372 28444756 11134226 505697032 63877960 0 9653880 82621804
        assertEquals(1003346126L * 512, r.series().get("node_disk_read_bytes_total{device=\"sda\"}"));
        assertEquals(505697032L * 512, r.series().get("node_disk_written_bytes_total{device=\"sda\"}"));
        assertEquals(9653.88, r.series().get("node_disk_io_time_seconds_total{device=\"sda\"}"));
        List<String> devices = r.series().keySet().stream().filter(k -> k.startsWith("node_disk_read_bytes_total"))
                .map(k -> k.substring(k.indexOf('"') + 1, k.lastIndexOf('"'))).toList();
        assertEquals(List.of("sda", "dm-0", "dm-1", "dm-2", "dm-3", "dm-4", "dm-5", "mmcblk0", "mmcblk0p1",
                "mmcblk0p2", "vda", "sr0", "nvme0n1", "sdb", "sdc"), devices);
    }

    @Test
    void noPsi_noPressureSeries_andNoProblem() {
        Readings r = read(fixture("no-psi"), List.of(), List.of());

        assertEquals(0, count(r, "node_pressure_"));
        assertEquals(List.of("node_memory_MemAvailable_bytes left out: " + fixture("no-psi").resolve("meminfo")
                + " has no MemAvailable line (a kernel before 3.14)"), r.problems(), "nothing about PSI");
        assertEquals(8, r.host().get("vcpus"));
        assertEquals(15666184L * 1024, r.series().get("node_memory_MemTotal_bytes"));
        assertEquals(874354587L, r.series().get("node_network_receive_bytes_total{device=\"eth0\"}"));
        assertEquals(3, count(r, "node_network_receive_bytes_total{"), "veth, docker0, eth0; not lo");
    }

    @Test
    void container_itsOwnView_twoCpusAndPressure() {
        Readings r = read(fixture("container"), List.of(), List.of());

        assertEquals(2, r.host().get("vcpus"));
        assertEquals(16, count(r, "node_cpu_seconds_total{"));
        long total = (Long) r.series().get("node_memory_MemTotal_bytes");
        long available = (Long) r.series().get("node_memory_MemAvailable_bytes");
        assertTrue(available <= total, available + " <= " + total);
        assertEquals(3, count(r, "node_network_receive_bytes_total{"), "eth0 and the two ifb; not lo");
        assertEquals(List.of("vda"),
                r.series().keySet().stream().filter(k -> k.startsWith("node_disk_read_bytes_total"))
                        .map(k -> k.substring(k.indexOf('"') + 1, k.lastIndexOf('"'))).toList(),
                "zram0 and the loops are left out");
        assertEquals(5, count(r, "node_pressure_"));
        assertEquals(List.of(), r.problems());
    }

    @Test
    void missingFile_thatGroupLeftOut_withOneSentence_othersStillRead(@TempDir Path proc) throws Exception {
        Files.writeString(proc.resolve("loadavg"), "0.50 0.40 0.30 2/100 1234\n");

        Readings r = read(proc, List.of(), List.of());

        assertEquals(Map.of("node_load1", 0.5, "node_load5", 0.4, "node_load15", 0.3), r.series());
        assertEquals(List.of("CPU seconds (" + proc.resolve("stat") + ") left out: no such file " + proc.resolve("stat"),
                "memory (" + proc.resolve("meminfo") + ") left out: no such file " + proc.resolve("meminfo"),
                "network counters (" + proc.resolve("net/dev") + ") left out: no such file " + proc.resolve("net/dev"),
                "disk counters (" + proc.resolve("diskstats") + ") left out: no such file "
                        + proc.resolve("diskstats")), r.problems(), "no PSI files is no problem");
    }

    @Test
    void unparsableLine_noHalfGroup(@TempDir Path proc) throws Exception {
        Files.writeString(proc.resolve("stat"), "cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu1 1 x 3 4\nintr 1\n");

        Readings r = read(proc, List.of(), List.of());

        assertEquals(0, count(r, "node_cpu_seconds_total"), "cpu0 read well, but not cpu1: neither is sent");
        assertNull(r.host().get("vcpus"));
        assertTrue(r.problems().contains("CPU seconds (" + proc.resolve("stat") + ") left out: " + proc.resolve("stat")
                + ": \"x\" is not a number"), r.problems().toString());
    }

    @Test
    void filesystems_availAndSize_aMissingMountIsItsOwnProblem(@TempDir Path dir) {
        Path gone = dir.resolve("not-mounted");
        Readings r = read(fixture("no-psi"), List.of(), List.of(Path.of("/"), gone));

        long avail = (Long) r.series().get("node_filesystem_avail_bytes{mountpoint=\"/\"}");
        long size = (Long) r.series().get("node_filesystem_size_bytes{mountpoint=\"/\"}");
        assertTrue(size > 0 && avail >= 0 && avail <= size, avail + " of " + size);
        assertNull(r.series().get("node_filesystem_size_bytes{mountpoint=\"" + gone + "\"}"));
        assertEquals("filesystem " + gone + " left out: statfs failed (no such file " + gone + ")",
                r.problems().getLast());
    }

    @Test
    void liveProc_valuesExistAndAreSane() {
        Readings r = read(HostReaders.PROC, List.of(), List.of(Path.of("/")));

        int vcpus = (Integer) r.host().get("vcpus");
        assertTrue(vcpus >= 1);
        double user = r.series().entrySet().stream().filter(e -> e.getKey().startsWith("node_cpu_seconds_total{")
                && e.getKey().contains("mode=\"user\"")).mapToDouble(e -> e.getValue().doubleValue()).sum();
        assertTrue(user > 0, "CPU user seconds " + user);
        long total = (Long) r.series().get("node_memory_MemTotal_bytes");
        long available = (Long) r.series().get("node_memory_MemAvailable_bytes");
        assertTrue(total > 0 && available > 0 && available <= total, available + " <= " + total);
        assertTrue((Double) r.series().get("node_load1") >= 0);
        assertTrue(r.series().containsKey("node_filesystem_size_bytes{mountpoint=\"/\"}"));
        assertEquals(List.of(), r.problems());
    }
}
