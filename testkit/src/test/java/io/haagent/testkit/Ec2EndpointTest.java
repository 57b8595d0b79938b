package io.haagent.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The endpoint over plain HTTP, as the Query API and IMDSv2 define the wire; the SDK's view is tested in failover. */
class Ec2EndpointTest {
    private final Ec2Endpoint ec2 = Ec2Endpoint.start();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        ec2.close();
    }

    private HttpResponse<String> post(String... keyValues) throws Exception {
        String form = Stream.concat(Stream.of("Version", "2016-11-15"), Stream.of(keyValues))
                .collect(Collectors.collectingAndThen(Collectors.toList(), l -> {
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < l.size(); i += 2) {
                        b.append(i == 0 ? "" : "&").append(URLEncoder.encode(l.get(i), StandardCharsets.UTF_8))
                                .append('=').append(URLEncoder.encode(l.get(i + 1), StandardCharsets.UTF_8));
                    }
                    return b.toString();
                }));
        return http.send(HttpRequest.newBuilder(ec2.endpoint().resolve("/"))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String between(String xml, String open, String close) {
        int a = xml.indexOf(open);
        int b = xml.indexOf(close, a + open.length());
        assertTrue(a >= 0 && b > a, open + " in " + xml);
        return xml.substring(a + open.length(), b);
    }

    @Test
    void attachThenDescribe_readsAttachingOnceThenAttached_inEc2Xml() throws Exception {
        String i = ec2.addInstance();
        String eni = ec2.addEni("10.0.1.50");
        assertTrue(i.matches("i-[0-9a-f]{17}"), i);
        assertTrue(eni.matches("eni-[0-9a-f]{17}"), eni);

        var attach = post("Action", "AttachNetworkInterface", "NetworkInterfaceId", eni, "InstanceId", i,
                "DeviceIndex", "1");
        assertEquals(200, attach.statusCode(), attach.body());
        assertTrue(attach.body().contains("<AttachNetworkInterfaceResponse xmlns=\"" + Ec2Endpoint.NAMESPACE + "\">"),
                attach.body());
        assertTrue(between(attach.body(), "<requestId>", "</requestId>").matches("[0-9a-f-]{36}"), attach.body());
        String attachmentId = between(attach.body(), "<attachmentId>", "</attachmentId>");

        var first = post("Action", "DescribeNetworkInterfaces", "NetworkInterfaceId.1", eni);
        assertTrue(first.body().startsWith("<?xml"), first.body());
        assertTrue(first.body().contains("<DescribeNetworkInterfacesResponse xmlns=\"" + Ec2Endpoint.NAMESPACE + "\">"));
        String att = between(first.body(), "<attachment>", "</attachment>");
        assertEquals(attachmentId, between(att, "<attachmentId>", "</attachmentId>"));
        assertEquals(i, between(att, "<instanceId>", "</instanceId>"));
        assertEquals("1", between(att, "<deviceIndex>", "</deviceIndex>"));
        assertEquals("attaching", between(att, "<status>", "</status>"));
        var second = post("Action", "DescribeNetworkInterfaces", "NetworkInterfaceId.1", eni);
        assertEquals("attached", between(between(second.body(), "<attachment>", "</attachment>"), "<status>",
                "</status>"));
        assertEquals("in-use", ec2.eniView(eni).status());
        assertEquals(List.of("AttachNetworkInterface", "DescribeNetworkInterfaces", "DescribeNetworkInterfaces"),
                ec2.actions());
        assertEquals(eni, ec2.calls().getFirst().param("NetworkInterfaceId"));
    }

    @Test
    void stuckDetaching_normalDetachNeverCompletes_forceDoes() throws Exception {
        String a = ec2.addInstance();
        String eni = ec2.addEni("10.0.1.50");
        ec2.attach(eni, a, 1);
        ec2.stuckDetaching(eni);
        String attachmentId = between(post("Action", "DescribeNetworkInterfaces", "NetworkInterfaceId.1", eni).body(),
                "<attachmentId>", "</attachmentId>");

        assertEquals(200, post("Action", "DetachNetworkInterface", "AttachmentId", attachmentId).statusCode());
        for (int n = 0; n < 5; n++) {
            post("Action", "DescribeNetworkInterfaces", "NetworkInterfaceId.1", eni);
        }
        assertEquals(Optional.of("detaching"), ec2.eniView(eni).attachmentStatus());

        assertEquals(200, post("Action", "DetachNetworkInterface", "AttachmentId", attachmentId, "Force", "true")
                .statusCode());
        var after = post("Action", "DescribeNetworkInterfaces", "NetworkInterfaceId.1", eni).body();
        assertTrue(after.contains("<status>available</status>") && !after.contains("<attachment>"), after);
        assertEquals("true", ec2.calls("DetachNetworkInterface").get(1).param("Force"));
    }

    @Test
    void failAttach_givesEc2ErrorXmlThatManyTimes_thenAttaches() throws Exception {
        String b = ec2.addInstance();
        String eni = ec2.addEni("10.0.1.50");
        ec2.failAttach(1, "IncorrectState");
        ec2.transitionReads(0);

        var failed = post("Action", "AttachNetworkInterface", "NetworkInterfaceId", eni, "InstanceId", b,
                "DeviceIndex", "1");
        assertEquals(400, failed.statusCode());
        assertTrue(failed.body().contains("<Response><Errors><Error><Code>IncorrectState</Code><Message>"),
                failed.body());
        assertTrue(failed.body().contains("<RequestID>"), failed.body());

        ec2.failAttach(1, "InternalError", 500);
        assertEquals(500, post("Action", "AttachNetworkInterface", "NetworkInterfaceId", eni, "InstanceId", b,
                "DeviceIndex", "1").statusCode());

        assertEquals(200, post("Action", "AttachNetworkInterface", "NetworkInterfaceId", eni, "InstanceId", b,
                "DeviceIndex", "1").statusCode());
        assertEquals(Optional.of("attached"), ec2.eniView(eni).attachmentStatus());
        var again = post("Action", "AttachNetworkInterface", "NetworkInterfaceId", eni, "InstanceId", b,
                "DeviceIndex", "1");
        assertTrue(again.body().contains("<Code>InvalidNetworkInterface.InUse</Code>"), again.body());
        var missing = post("Action", "DescribeNetworkInterfaces", "NetworkInterfaceId.1", "eni-00000000000000bad");
        assertTrue(missing.body().contains("<Code>InvalidNetworkInterfaceID.NotFound</Code>"), missing.body());
    }

    @Test
    void assignPrivateIp_withReassignment_movesItFromTheOtherEni() throws Exception {
        String eniA = ec2.addEni("10.0.1.10");
        String eniB = ec2.addEni("10.0.1.11");
        ec2.assignIp(eniA, "10.0.1.100");

        var refused = post("Action", "AssignPrivateIpAddresses", "NetworkInterfaceId", eniB,
                "PrivateIpAddress.1", "10.0.1.100");
        assertEquals(400, refused.statusCode(), refused.body());

        var moved = post("Action", "AssignPrivateIpAddresses", "NetworkInterfaceId", eniB,
                "PrivateIpAddress.1", "10.0.1.100", "AllowReassignment", "true");
        assertEquals(200, moved.statusCode(), moved.body());
        assertTrue(moved.body().contains("<assignedPrivateIpAddressesSet><item><privateIpAddress>10.0.1.100"),
                moved.body());
        assertEquals(List.of("10.0.1.10"), ec2.eniView(eniA).privateIps());
        assertEquals(List.of("10.0.1.11", "10.0.1.100"), ec2.eniView(eniB).privateIps());
    }

    @Test
    void imdsV2_tokenThenInstanceId_withoutTokenIs401() throws Exception {
        String i = ec2.addInstance();
        ec2.imdsInstanceId(i);
        URI base = ec2.endpoint();

        var noToken = http.send(HttpRequest.newBuilder(base.resolve("/latest/meta-data/instance-id")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, noToken.statusCode());
        var token = http.send(HttpRequest.newBuilder(base.resolve("/latest/api/token"))
                .header("X-aws-ec2-metadata-token-ttl-seconds", "21600")
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, token.statusCode());
        assertEquals("21600", token.headers().firstValue("X-aws-ec2-metadata-token-ttl-seconds").orElseThrow());
        var id = http.send(HttpRequest.newBuilder(base.resolve("/latest/meta-data/instance-id"))
                .header("X-aws-ec2-metadata-token", token.body()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, id.statusCode());
        assertEquals(i, id.body());
        assertEquals(List.of("GET /latest/meta-data/instance-id token=missing", "PUT /latest/api/token ttl=21600",
                "GET /latest/meta-data/instance-id token=ok"), ec2.imdsRequests());
        assertEquals(List.of(), ec2.actions(), "IMDS is not in the API call log");
    }

    @Test
    void imdsV2_identityDocument_namesInstanceZoneAndType_onlyWithToken() throws Exception {
        String i = ec2.addInstance();
        ec2.imdsInstanceId(i);
        ec2.imdsInstanceType("m6i.large");
        URI doc = ec2.endpoint().resolve("/latest/dynamic/instance-identity/document");

        assertEquals(401, http.send(HttpRequest.newBuilder(doc).GET().build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
        var token = http.send(HttpRequest.newBuilder(ec2.endpoint().resolve("/latest/api/token"))
                .header("X-aws-ec2-metadata-token-ttl-seconds", "60")
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        var answer = http.send(HttpRequest.newBuilder(doc).header("X-aws-ec2-metadata-token", token.body()).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode());
        assertTrue(answer.body().contains("\"instanceId\" : \"" + i + "\""), answer.body());
        assertTrue(answer.body().contains("\"availabilityZone\" : \"us-east-1a\""), answer.body());
        assertTrue(answer.body().contains("\"instanceType\" : \"m6i.large\""), answer.body());
    }
}
