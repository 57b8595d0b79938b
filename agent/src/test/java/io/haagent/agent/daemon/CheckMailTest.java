package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.agent.mail.Mail;
import io.haagent.checker.CheckFlip;
import io.haagent.checker.CheckState;
import io.haagent.checker.probe.CheckResult;
import io.haagent.config.CheckSpec;
import io.haagent.config.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which check flips become check_down / check_up mail. */
class CheckMailTest {
    private static final long SECOND = 1_000_000_000L;
    private final List<Mail> mailed = new ArrayList<>();
    private final Set<String> stopped = new java.util.HashSet<>();
    private final CheckMail mail = new CheckMail("web01", mailed::add, stopped::contains);

    private static CheckSpec tcp() {
        return new CheckSpec.Tcp(new HostPort("127.0.0.1", 8080),
                new CheckSpec.CheckTiming(Duration.ofSeconds(1), Duration.ofMillis(500), 1, 1));
    }

    private static CheckFlip flip(String check, CheckState from, CheckState to, long at) {
        CheckResult r = to == CheckState.UP ? CheckResult.up("connected", Duration.ofMillis(1))
                : CheckResult.down("connect refused", Duration.ofMillis(1));
        return new CheckFlip(check, from, to, 1, r, at, at);
    }

    private List<String> subjects() {
        return mailed.stream().map(Mail::summary).toList();
    }

    @Test
    void aServiceChildsCheck_downAtBoot_isNoNews_butADownAfterItWasUpIs() {
        mail.apply(Map.of("app", tcp()), Set.of("app"));
        mail.flipped(flip("app", CheckState.UNKNOWN, CheckState.DOWN, SECOND)); // the child is still starting
        mail.flipped(flip("app", CheckState.DOWN, CheckState.UP, 2 * SECOND));
        assertEquals(List.of(), subjects(), "an agent start mails nothing for the children it starts");

        mail.flipped(flip("app", CheckState.UP, CheckState.DOWN, 10 * SECOND));
        mail.flipped(flip("app", CheckState.DOWN, CheckState.UP, 15 * SECOND));
        assertEquals(List.of("check app DOWN for 0ms: connect refused", "check app UP after 5s down: connected"),
                subjects());
    }

    @Test
    void aCheckNoServiceStarts_downAtBoot_isMailed() {
        mail.apply(Map.of("disk", tcp()), Set.of());
        mail.flipped(flip("disk", CheckState.UNKNOWN, CheckState.DOWN, SECOND));
        assertEquals(List.of("check disk DOWN for 0ms: connect refused"), subjects());
    }

    @Test
    void aCheckOfAServiceAnOperatorStopped_goingDown_isTheStop_notNews() {
        mail.apply(Map.of("app", tcp()), Set.of("app"));
        mail.flipped(flip("app", CheckState.UNKNOWN, CheckState.UP, SECOND));
        stopped.add("app"); // haagent ctl stop app
        mail.flipped(flip("app", CheckState.UP, CheckState.DOWN, 10 * SECOND));
        stopped.remove("app"); // haagent ctl start app
        mail.flipped(flip("app", CheckState.DOWN, CheckState.UP, 20 * SECOND));
        assertEquals(List.of(), subjects(), "an operator's stop and start mail nothing for its checks");

        mail.flipped(flip("app", CheckState.UP, CheckState.DOWN, 30 * SECOND));
        assertEquals(List.of("check app DOWN for 0ms: connect refused"), subjects(), "once started, a DOWN is news again");
    }
}
