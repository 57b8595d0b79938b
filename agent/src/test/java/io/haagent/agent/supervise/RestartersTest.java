package io.haagent.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.AwsId;
import io.haagent.config.ServiceSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartersTest {
    static final Restarters.Occasion WHY = new Restarters.Occasion("app", "check web is down: connection refused",
            "abcd1234");

    @TempDir
    Path dir;
    Scripts scripts;
    Supervisor supervisor;

    @BeforeEach
    void bin() throws Exception {
        scripts = new Scripts(dir);
        supervisor = new Supervisor(dir, Actuator.reportingTo(o -> { }), Supervisor.Options.DEFAULT);
    }

    @AfterEach
    void close() {
        supervisor.close();
    }

    /**
     * Issue 12: a restart command ran with the agent's whole environment, in the agent's working directory, and
     * was not told why. It gets a clean environment naming the service, the reason and the event, in state_dir.
     */
    @Test
    void restartCommand_toldWhy_cleanEnvironment_inTheStateDir() throws Exception {
        scripts.script("restart-app", "echo \"$HAAGENT_SERVICE|$HAAGENT_REASON|$HAAGENT_EVENT_ID|$(pwd)|${HOME:-nohome}\"");
        String detail = restarters().forService(WHY, new ServiceSpec.RestartCommand(List.of("restart-app"),
                Duration.ofSeconds(10))).restart();
        assertEquals("restart-app: exit 0: app|check web is down: connection refused|abcd1234|"
                + dir.toRealPath() + "|nohome", detail);
    }

    /** Issue 12: the VM command is told the same. */
    @Test
    void commandVm_toldWhy() throws Exception {
        scripts.script("reboot-vm", "echo \"$HAAGENT_SERVICE $HAAGENT_EVENT_ID\"");
        assertEquals("reboot-vm: exit 0: app abcd1234", restarters().forVm(WHY,
                new ServiceSpec.CommandVm(List.of("reboot-vm"), Duration.ofSeconds(10))).restart());
    }

    private Restarters restarters(Restarters.Timeouts timeouts) {
        return new Restarters(scripts.runner(), supervisor, timeouts);
    }

    private Restarters restarters() {
        return restarters(Restarters.Timeouts.DEFAULT);
    }

    @Test
    void systemd_runsSystemctlRestartUnit() throws Exception {
        scripts.recorder("systemctl");
        Restarter r = restarters().forService(WHY, new ServiceSpec.Systemd("app.service"));
        assertEquals("systemctl restart app.service", r.describe());
        assertEquals("systemctl restart app.service: exit 0: systemctl ok", r.restart());
        assertEquals(List.of("systemctl restart app.service"), scripts.calls());
    }

    @Test
    void systemd_unitMissing_failsWithWhatSystemctlSaid() throws Exception {
        scripts.script("systemctl", "echo 'Failed to restart app.service: Unit app.service not found.' >&2; exit 5");
        var e = assertThrows(RestartFailedException.class,
                () -> restarters().forService(WHY, new ServiceSpec.Systemd("app.service")).restart());
        assertEquals("systemctl restart app.service: exit 5: Failed to restart app.service: Unit app.service not found.",
                e.getMessage());
    }

    @Test
    void restartCommand_outputCapturedForTheEvent() throws Exception {
        scripts.script("restart-app", "echo stopping; echo started pid 4242");
        String detail = restarters().forService(WHY, new ServiceSpec.RestartCommand(List.of("restart-app", "--fast"),
                Duration.ofSeconds(60)))
                .restart();
        assertEquals("restart-app --fast: exit 0: stopping | started pid 4242", detail);
        assertEquals(List.of("restart-app --fast"), scripts.calls());
    }

    @Test
    void restartCommand_hangs_killedAfterItsTimeout() throws Exception {
        Path pidFile = dir.resolve("hung.pid");
        scripts.script("restart-app", "echo $$ > '" + pidFile + "'; exec " + Scripts.real("sleep") + " 60");
        var e = assertThrows(RestartFailedException.class, () -> restarters().forService(WHY,
                new ServiceSpec.RestartCommand(List.of("restart-app"), Duration.ofMillis(300))).restart());
        assertEquals("restart-app: timed out after 300ms and was killed", e.getMessage());
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "a retry must never overlap it");
    }

    @Test
    void libvirt_destroysThenStartsTheDomain_withTheUri() throws Exception {
        scripts.recorder("virsh");
        String detail = restarters().forVm(WHY, new ServiceSpec.Libvirt("web01", Optional.of("qemu:///system"))).restart();
        assertEquals(List.of("virsh -c qemu:///system destroy web01", "virsh -c qemu:///system start web01"),
                scripts.calls());
        assertEquals("virsh -c qemu:///system destroy web01: exit 0: virsh ok; virsh -c qemu:///system start web01:"
                + " exit 0: virsh ok", detail);
    }

    @Test
    void libvirt_domainNotRunning_destroyFailureTolerated() throws Exception {
        scripts.script("virsh", """
                case "$1" in
                  destroy) echo "error: Requested operation is not valid: domain is not running" >&2; exit 1 ;;
                  start) echo "Domain 'web01' started" ;;
                esac""");
        String detail = restarters().forVm(WHY, new ServiceSpec.Libvirt("web01", Optional.empty())).restart();
        assertEquals(List.of("virsh destroy web01", "virsh start web01"), scripts.calls());
        assertTrue(detail.startsWith("virsh destroy web01: exit 1: error: Requested operation is not valid: domain is"
                + " not running (tolerated); virsh start web01: exit 0"), detail);
    }

    @Test
    void libvirt_startFails_restartFails() throws Exception {
        scripts.script("virsh", """
                case "$1" in
                  start) echo "error: failed to get domain 'web01'" >&2; exit 1 ;;
                esac""");
        var e = assertThrows(RestartFailedException.class,
                () -> restarters().forVm(WHY, new ServiceSpec.Libvirt("web01", Optional.empty())).restart());
        assertEquals("virsh destroy web01: exit 0; then virsh start web01: exit 1: error: failed to get domain 'web01'",
                e.getMessage());
    }

    @Test
    void xen_destroysThenCreatesFromTheConfig() throws Exception {
        scripts.recorder("xl");
        restarters().forVm(WHY, new ServiceSpec.Xen("dom1", Path.of("/etc/xen/dom1.cfg"))).restart();
        assertEquals(List.of("xl destroy dom1", "xl create /etc/xen/dom1.cfg"), scripts.calls());
    }

    @Test
    void commandVm_runsTheCommand() throws Exception {
        scripts.recorder("reboot-vm");
        restarters().forVm(WHY, new ServiceSpec.CommandVm(List.of("reboot-vm", "web01"), Duration.ofSeconds(300))).restart();
        assertEquals(List.of("reboot-vm web01"), scripts.calls());
    }

    @Test
    void missingBinary_failsSayingWhereItLooked() {
        var e = assertThrows(RestartFailedException.class,
                () -> restarters().forVm(WHY, new ServiceSpec.Libvirt("web01", Optional.empty())).restart());
        assertEquals("program 'virsh' was not found in " + scripts.bin + "; install it, or add its directory to the agent's PATH"
                + " (a restart_command or a VM command may also name it by its absolute path)",
                e.getMessage());
    }

    @Test
    void notAvailable_onlyEc2StopStartOfTheAgentsOwnInstance() {
        var self = new ServiceSpec.Ec2(Optional.empty(), ServiceSpec.Ec2Mode.STOP_START, Optional.empty(), Optional.empty());
        assertTrue(Restarters.notAvailable(self).orElseThrow().contains("Use mode: reboot"));
        assertTrue(Restarters.notAvailable(new ServiceSpec.Ec2(Optional.empty(), ServiceSpec.Ec2Mode.REBOOT,
                Optional.empty(), Optional.empty())).isEmpty());
        assertTrue(Restarters.notAvailable(new ServiceSpec.Ec2(Optional.of(AwsId.instance("i-0123456789abcdef0")),
                ServiceSpec.Ec2Mode.STOP_START, Optional.empty(), Optional.empty())).isEmpty());
        assertTrue(Restarters.notAvailable(new ServiceSpec.Xen("d", Path.of("/x"))).isEmpty());
        assertEquals("ec2 StopInstances+StartInstances i-0123456789abcdef0 in eu-west-1", restarters().forVm(WHY, 
                new ServiceSpec.Ec2(Optional.of(AwsId.instance("i-0123456789abcdef0")), ServiceSpec.Ec2Mode.STOP_START,
                        Optional.of("eu-west-1"), Optional.empty())).describe());
    }
}
