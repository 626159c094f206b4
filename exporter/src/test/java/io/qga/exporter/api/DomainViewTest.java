package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.READER;
import static io.qga.exporter.api.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole JSON of {@code GET /api/v1/domains/{domain}} for awkward guest replies, compared as
 * text: the domain view built from typed records must say exactly what the view built from the
 * recorded reply text said (the expected text was produced by that earlier view).
 */
class DomainViewTest {
  @TempDir Path stateDir;
  ApiTestServer server;

  @BeforeEach
  void setUp() throws Exception {
    server = new ApiTestServer(stateDir);
    server.addGuest("web-1");
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
  }

  @Test
  void theDomainViewIsTheSameJsonForAwkwardReplies() throws Exception {
    server.start();
    var d = server.domains.get("web-1");
    String longName = "n".repeat(600);
    d.setReply(
        "guest-info",
        ApiTestServer.JSON.readTree(
            "{\"version\":\"7.2.22\",\"supported_commands\":[{\"name\":\"guest-sync\",\"enabled\":true},"
                + "{\"name\":\"guest-exec\",\"enabled\":false},{\"enabled\":true},"
                + "{\"name\":\"guest-get-osinfo\",\"enabled\":true,\"success-response\":true}]}"));
    d.setReply(
        "guest-get-host-name", ApiTestServer.JSON.readTree("{\"host-name\":\"web-1\\n<b>\"}"));
    d.setReply(
        "guest-get-osinfo",
        ApiTestServer.JSON.readTree(
            "{\"id\":\"mswindows\",\"name\":\"Microsoft Windows\",\"pretty-name\":\"Windows Server"
                + " 2022\","
                + "\"version-id\":\"2022\",\"kernel-release\":\"20348\",\"machine\":\"x86_64\","
                + "\"variant\":\"server\"}"));
    d.setReply(
        "guest-get-timezone",
        ApiTestServer.JSON.readTree("{\"zone\":\"W. Europe\",\"offset\":-7200}"));
    d.setReply(
        "guest-network-get-interfaces",
        ApiTestServer.JSON.readTree(
            "[{\"name\":\"lo\",\"ip-addresses\":[{\"ip-address\":\"127.0.0.1\",\"ip-address-type\":\"ipv4\",\"prefix\":8},"
                + "{\"ip-address\":\"::1\",\"ip-address-type\":\"ipv6\",\"prefix\":128}]},"
                + "{\"name\":\""
                + longName
                + "\",\"hardware-address\":\"52:54:00:12:34:56\",\"ip-addresses\":["
                + "{\"ip-address\":\"192.0.2.10\",\"ip-address-type\":\"ipv4\",\"prefix\":24},"
                + "{\"ip-address\":\"$(reboot)\",\"ip-address-type\":\"ipv4\",\"prefix\":24},"
                + "{\"ip-address\":\"fe80::1%eth0\",\"ip-address-type\":\"ipv6\"},"
                + "{\"ip-address\":\"127.0.1.1\",\"ip-address-type\":\"ipv4\",\"prefix\":8}],"
                + "\"statistics\":{\"rx-bytes\":1,\"tx-bytes\":2}},"
                + "{\"name\":\"eth1\"}]"));
    d.setReply(
        "guest-get-fsinfo",
        ApiTestServer.JSON.readTree(
            "[{\"name\":\"vda1\",\"mountpoint\":\"/\",\"type\":\"ext4\",\"used-bytes\":100,\"total-bytes\":1000,"
                + "\"disk\":[{\"dev\":\"/dev/vda1\",\"bus-type\":\"virtio\",\"bus\":0,\"target\":0,\"unit\":0,"
                + "\"serial\":\"abc\"}]},{\"name\":\"\\\\\\\\?\\\\Volume{1}\\\\\",\"mountpoint\":\"System"
                + " Reserved\",\"type\":\"NTFS\",\"disk\":[]},"
                + "{\"name\":\"vdb\",\"mountpoint\":\"/data\",\"type\":\"xfs\",\"used-bytes\":-5,\"total-bytes\":10},"
                + "{\"name\":\"vdc\",\"mountpoint\":\"/full\",\"type\":\"xfs\",\"used-bytes\":20,\"total-bytes\":10}]"));
    d.setReply(
        "guest-get-users",
        ApiTestServer.JSON.readTree(
            "[{\"user\":\"alice\",\"login-time\":1700000000.5},{\"user\":\"bob\",\"domain\":\"CORP\","
                + "\"login-time\":1700000001},{\"user\":\"carol\"}]"));
    d.setReply("guest-fsfreeze-status", ApiTestServer.JSON.readTree("\"frozen\""));

    ObjectNode detail = (ObjectNode) json(server.get("/api/v1/domains/web-1", READER));
    // these depend on the run: the socket's temp path and the test domain's start time
    assertThat(detail.remove("channel").asText()).endsWith("web-1.sock");
    assertThat(detail.remove("last_success").isTextual()).isTrue();
    String text = ApiTestServer.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(detail);
    assertThat(text).isEqualTo(EXPECTED.replace("LONG", "n".repeat(511) + "\u2026"));
  }

  static final String EXPECTED =
      """
      {
        "name" : "web-1",
        "uuid" : null,
        "route" : "direct",
        "source" : "",
        "up" : true,
        "paused" : false,
        "agent_version" : "7.2.22",
        "last_error" : null,
        "frozen" : false,
        "collectors" : { },
        "supported_commands" : [ "guest-sync", "guest-get-osinfo" ],
        "hostname" : "web-1\\n<b>",
        "os" : {
          "id" : "mswindows",
          "name" : "Microsoft Windows",
          "pretty_name" : "Windows Server 2022",
          "version_id" : "2022",
          "kernel_release" : "20348",
          "machine" : "x86_64"
        },
        "timezone" : {
          "zone" : "W. Europe",
          "offset" : -7200
        },
        "time_offset_seconds" : null,
        "interfaces" : [ {
          "name" : "lo",
          "mac" : null,
          "addresses" : [ {
            "address" : "127.0.0.1",
            "family" : "ipv4",
            "prefix" : 8
          }, {
            "address" : "::1",
            "family" : "ipv6",
            "prefix" : 128
          } ]
        }, {
          "name" : "LONG",
          "mac" : "52:54:00:12:34:56",
          "addresses" : [ {
            "address" : "192.0.2.10",
            "family" : "ipv4",
            "prefix" : 24
          }, {
            "address" : "fe80::1%eth0",
            "family" : "ipv6",
            "prefix" : null
          }, {
            "address" : "127.0.1.1",
            "family" : "ipv4",
            "prefix" : 8
          } ]
        }, {
          "name" : "eth1",
          "mac" : null,
          "addresses" : [ ]
        } ],
        "ip_addresses" : [ "192.0.2.10", "fe80::1%eth0" ],
        "filesystems" : [ {
          "mountpoint" : "/",
          "fstype" : "ext4",
          "device" : "/dev/vda1",
          "size_bytes" : 1000,
          "used_bytes" : 100,
          "avail_bytes" : 900
        }, {
          "mountpoint" : "System Reserved",
          "fstype" : "NTFS",
          "device" : "\\\\\\\\?\\\\Volume{1}\\\\",
          "size_bytes" : null,
          "used_bytes" : null,
          "avail_bytes" : null
        }, {
          "mountpoint" : "/data",
          "fstype" : "xfs",
          "device" : "vdb",
          "size_bytes" : 10,
          "used_bytes" : null,
          "avail_bytes" : null
        }, {
          "mountpoint" : "/full",
          "fstype" : "xfs",
          "device" : "vdc",
          "size_bytes" : 10,
          "used_bytes" : 20,
          "avail_bytes" : null
        } ],
        "users" : [ {
          "user" : "alice",
          "domain" : null,
          "login_time" : 1.7000000005E9
        }, {
          "user" : "bob",
          "domain" : "CORP",
          "login_time" : 1.700000001E9
        }, {
          "user" : "carol",
          "domain" : null,
          "login_time" : null
        } ],
        "last_actions" : { }
      }\
      """;
}
