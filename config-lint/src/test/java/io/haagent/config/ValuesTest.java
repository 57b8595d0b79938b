package io.haagent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {
    @ParameterizedTest
    @CsvSource({"250ms,250", "2s,2000", "1.5s,1500", "5m,300000", "1h30m,5400000", "1d,86400000", "0s,0", "1m30s,90000"})
    void durations_parseOperatorSpelling(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "", "2 s", "s", "5x", "-1s", "1s5", "1.s", "ms5"})
    void durations_rejectWithWhatIsExpected(String text) {
        var e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().contains("500ms"), e.getMessage());
    }

    @Test
    void durations_formatRoundTrips() {
        for (String s : new String[] {"250ms", "2s", "5m", "1h30m", "1d", "0s", "1m30s", "1s500ms"}) {
            assertEquals(s, Durations.format(Durations.parse(s)));
        }
    }

    @Test
    void ipv4_parsesAndPrints() {
        assertEquals("10.0.1.10", Ipv4.parse("10.0.1.10").toString());
        assertEquals("255.255.255.255", Ipv4.parse("255.255.255.255").toString());
        assertTrue(Ipv4.parse("127.0.0.2").isLoopback());
        assertTrue(Ipv4.parse("10.0.1.9").compareTo(Ipv4.parse("10.0.1.10")) < 0);
        assertTrue(Ipv4.parse("200.0.0.1").compareTo(Ipv4.parse("10.0.0.1")) > 0, "compares unsigned");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.1", "10.0.1.256", "10.0.1.1.1", "a.b.c.d", "10.0.1.", "1111.0.0.1", "-1.0.0.0", "10.0.1.10/24"})
    void ipv4_rejectsWithAnExample(String text) {
        var e = assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(text));
        assertTrue(e.getMessage().contains("like 10.0.1.10"), e.getMessage());
    }

    @Test
    void hostPort_andCidr() {
        assertEquals(new HostPort("zk1", 2181), HostPort.parse("zk1:2181"));
        assertEquals(new HostPort("127.0.0.1", 9120), HostPort.parse(" 127.0.0.1:9120 "));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("127.0.0.1:0"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("127.0.0.300:80"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("bad host:80"));
        assertEquals("10.0.1.100/24", Cidr.parse("10.0.1.100/24").toString());
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.1.100"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.1.100/33"));
    }

    @Test
    void awsIds_takeEightOrSeventeenHexDigits() {
        assertEquals("eni-0123456789abcdef0", AwsId.eni("eni-0123456789abcdef0").value());
        assertEquals("eni-01234567", AwsId.eni("eni-01234567").value());
        assertEquals("i-0123456789abcdef0", AwsId.instance("i-0123456789abcdef0").value());
        assertThrows(IllegalArgumentException.class, () -> AwsId.eni("eni-0123456789ABCDEF0"));
        assertThrows(IllegalArgumentException.class, () -> AwsId.eni("eni-012345678"));
        assertThrows(IllegalArgumentException.class, () -> AwsId.eni("i-01234567"));
        assertThrows(IllegalArgumentException.class, () -> AwsId.instance("eni-01234567"));
    }

    @Test
    void inlineSecret_neverPrintsItsValue() {
        Secret s = new Secret.Inline("hunter2");
        assertTrue(!s.toString().contains("hunter2") && !Optional.of(s).toString().contains("hunter2"));
    }
}
