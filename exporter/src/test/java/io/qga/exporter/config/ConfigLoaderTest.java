package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentAddress;
import io.qga.collectors.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Config parse(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, dir);
  }

  private List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("expected problems, the config loaded:\n" + yaml);
  }

  @Test
  void emptyFileGivesDefaults() throws Exception {
    assertThat(parse("")).isEqualTo(Config.defaults());
    assertThat(parse("# only a comment\n")).isEqualTo(Config.defaults());
    assertThat(parse("server:\ndiscovery:\n")).isEqualTo(Config.defaults());
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    Config c = Config.defaults();
    assertThat(c.server().listen()).hasToString("0.0.0.0:9920");
    assertThat(c.discovery().refreshInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.discovery().libvirt())
        .isEqualTo(new LibvirtConfig(false, Path.of("/run/libvirt/qemu"), "qemu:///system", true));
    assertThat(c.agent())
        .isEqualTo(
            new AgentConfig(
                Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMinutes(5), 2L << 20));
    assertThat(c.collectors().byName()).hasSize(11);
    assertThat(c.collectors().interval("memory_blocks")).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.collectors().interval("network")).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.limits()).isEqualTo(Limits.DEFAULT);
    assertThat(c.api().enabled()).isFalse();
    assertThat(c.api().allowsCommand("guest-get-fsinfo")).isTrue();
    assertThat(c.api().allowsCommand("guest-network-get-interfaces")).isTrue();
    assertThat(c.api().allowsCommand("guest-exec")).isFalse();
    assertThat(c.api().maxBody()).isEqualTo(65536);
    assertThat(c.policyDefaults()).isEqualTo(new PolicyDefaults(2, ZoneId.of("UTC")));
    assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/qga-exporter"));
  }

  @Test
  void shippedConfigLoadsAndEqualsTheDefaults() throws Exception {
    Path shipped = Path.of("..", "config.yaml");
    assertThat(shipped).exists();
    Config c = ConfigLoader.load(shipped);
    assertThat(c).isEqualTo(Config.defaults());
  }

  @Test
  void shippedConfigExamplesLoadWhenUncommented() throws Exception {
    // The commented examples under "key: []" must be valid too: uncomment them.
    Files.writeString(dir.resolve("ansible.token"), "secret\n");
    StringBuilder out = new StringBuilder();
    boolean inExample = false;
    for (String line : Files.readAllLines(Path.of("..", "config.yaml"))) {
      if (inExample && line.matches("\\s*#  .*")) {
        line = line.replaceFirst("#", " ");
      } else {
        inExample = line.endsWith(": []");
        line = inExample ? line.substring(0, line.length() - 3) : line;
      }
      out.append(line).append('\n');
    }
    String uncommented =
        out.toString()
            .replace("/etc/qga-exporter/ansible.token", dir.resolve("ansible.token").toString());
    Config c = ConfigLoader.parse(uncommented, dir);
    assertThat(c.discovery().statics()).hasSize(2);
    assertThat(c.discovery().globs()).hasSize(1);
    assertThat(c.api().tokens()).hasSize(2);
    assertThat(c.policies()).extracting(Policy::name).containsExactly("weekly-trim", "clock-drift");
  }

  @Test
  void fullConfigIsReadIntoRecords() throws Exception {
    Files.writeString(dir.resolve("cert.pem"), "x");
    Files.writeString(dir.resolve("key.pem"), "x");
    Files.writeString(dir.resolve("ops.token"), "x");
    Config c =
        parse(
            """
            server:
              listen: "[::1]:9921"
              tls: {certificate: cert.pem, key: key.pem}
              metrics_auth: {sha256: "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"}
            discovery:
              refresh_interval: 1m30s
              static:
                - {domain: web-1, socket: /run/qga/web-1.sock}
                - {domain: db-1, vsock: "3:1234"}
              globs: [{pattern: "/run/qga/*.sock"}]
              libvirt: {enabled: true, run_dir: /tmp/lv, uri: "qemu:///session", use_libvirt_channel: false}
            agent: {command_timeout: 500ms, connect_timeout: 2s, backoff_max: 1h}
            collectors:
              network: {enabled: false}
              users: {interval: 2m}
            limits: {max_interfaces: 8, max_label_length: 64}
            api:
              tokens:
                - {name: ops, token_file: ops.token, role: admin}
              command_allow_list: [guest-info]
              fsfreeze_default_deadline: 30s
              fsfreeze_max_deadline: 5m
              max_body: 1MiB
              job_retention: 2h
              max_wait: 10s
            policy_defaults: {max_concurrent: 3, timezone: Europe/Berlin}
            policies:
              - name: weekly-trim
                match: {domains: ["web-*"], os_ids: [debian], require_support: false}
                schedule: "0 0 3 ? * SUN"
                action: {fstrim: {minimum: 1048576}}
                windows: ["Sun 02:00-05:00"]
                jitter: 10m
                max_concurrent: 1
                timezone: America/New_York
              - name: clock-drift
                when: {time_offset_above: 1s, agent_connected: true, clock_jumped_above: 5s,
                       filesystem_used_ratio_above: 0.9, since_last_success_above: 7d}
                action: {time_sync: {source: rtc, max_step: 10m}}
                cooldown: 10m
                dry_run: true
            state_dir: state
            """);
    assertThat(c.server().listen()).isEqualTo(new ListenAddress("::1", 9921));
    assertThat(c.server().tls())
        .contains(new ServerConfig.Tls(dir.resolve("cert.pem"), dir.resolve("key.pem")));
    assertThat(c.server().metricsAuth())
        .contains(
            new TokenSource.Sha256(
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
    assertThat(c.discovery().refreshInterval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.discovery().statics())
        .containsExactly(
            new StaticDomain("web-1", AgentAddress.unix("/run/qga/web-1.sock")),
            new StaticDomain("db-1", new AgentAddress.Vsock(3, 1234)));
    assertThat(c.discovery().globs()).containsExactly(new GlobPattern("/run/qga/*.sock"));
    assertThat(c.discovery().libvirt())
        .isEqualTo(new LibvirtConfig(true, Path.of("/tmp/lv"), "qemu:///session", false));
    assertThat(c.agent().commandTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.collectors().enabled("network")).isFalse();
    assertThat(c.collectors().interval("network")).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.collectors().interval("users")).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.collectors().enabled("disk")).isTrue();
    assertThat(c.limits()).isEqualTo(new Limits(8, 16, 64, 64, 64, 512, 64));
    assertThat(c.api().tokens())
        .containsExactly(
            new ApiToken("ops", new TokenSource.File(dir.resolve("ops.token")), Role.ADMIN));
    assertThat(c.api().allowsCommand("guest-ping")).isFalse();
    assertThat(c.api().maxBody()).isEqualTo(1 << 20);
    assertThat(c.policyDefaults()).isEqualTo(new PolicyDefaults(3, ZoneId.of("Europe/Berlin")));
    Policy trim = c.policies().get(0);
    assertThat(trim.match()).isEqualTo(new PolicyMatch(List.of("web-*"), List.of("debian"), false));
    assertThat(trim.schedule()).contains("0 0 3 ? * SUN");
    assertThat(trim.when()).isEmpty();
    assertThat(trim.action()).isEqualTo(new PolicyAction.Fstrim(1048576));
    assertThat(trim.windows()).containsExactly(MaintenanceWindow.parse("Sun 02:00-05:00"));
    assertThat(trim.jitter()).isEqualTo(Duration.ofMinutes(10));
    assertThat(trim.maxConcurrent(c.policyDefaults())).isEqualTo(1);
    assertThat(trim.zone(c.policyDefaults())).isEqualTo(ZoneId.of("America/New_York"));
    Policy drift = c.policies().get(1);
    assertThat(drift.match()).isEqualTo(PolicyMatch.ALL);
    assertThat(drift.when().orElseThrow().timeOffsetAbove()).contains(Duration.ofSeconds(1));
    assertThat(drift.when().orElseThrow().agentConnected()).contains(true);
    assertThat(drift.when().orElseThrow().clockJumpedAbove()).contains(Duration.ofSeconds(5));
    assertThat(drift.when().orElseThrow().filesystemUsedRatioAbove().getAsDouble()).isEqualTo(0.9);
    assertThat(drift.when().orElseThrow().sinceLastSuccessAbove()).contains(Duration.ofDays(7));
    assertThat(drift.action())
        .isEqualTo(new PolicyAction.TimeSync(PolicyAction.TimeSource.RTC, Duration.ofMinutes(10)));
    assertThat(drift.cooldown()).isEqualTo(Duration.ofMinutes(10));
    assertThat(drift.dryRun()).isTrue();
    assertThat(drift.maxConcurrent()).isEqualTo(OptionalInt.empty());
    assertThat(drift.maxConcurrent(c.policyDefaults())).isEqualTo(3);
    assertThat(drift.timezone()).isEqualTo(Optional.empty());
    assertThat(c.stateDir()).isEqualTo(dir.resolve("state"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = "||",
      textBlock =
          """
          # yaml                                                      | expected problem
          intervall: 1                                                || /: unknown key 'intervall' (valid: server, discovery, agent, collectors, limits, api, policy_defaults, policies, state_dir, log)
          server: 5                                                   || /server: must be a mapping (keys: listen, tls, metrics_auth, allowed_hosts, header_timeout, idle_timeout, max_connections), got the number 5
          server: {listen: "localhost"}                               || /server/listen: "localhost" is not host:port (e.g. 0.0.0.0:9920, 127.0.0.1:9920, [::]:9920)
          server: {listen: "0.0.0.0:99999"}                           || /server/listen: "0.0.0.0:99999": port 99999 is out of range 0..65535
          server: {listen: "[::]"}                                    || /server/listen: "[::]" is not host:port (IPv6: [::]:9920, [::1]:9920)
          server: {listen: 9920}                                      || /server/listen: must be a string, got the number 9920 (quote it if you meant text)
          server: {tls: {certificate: /nonexistent/c.pem, key: /nonexistent/k.pem}} || /server/tls/certificate: certificate file /nonexistent/c.pem does not exist ;; /server/tls/key: key file /nonexistent/k.pem does not exist
          server: {tls: {key: /nonexistent/k.pem}}                    || /server/tls: missing required key 'certificate' (a PEM certificate chain file) ;; /server/tls/key: key file /nonexistent/k.pem does not exist
          server: {metrics_auth: {token: hunter2}}                    || /server/metrics_auth/token: a plain token is not allowed in the config (config files get copied, diffed and logged): put it in a file readable only by the exporter (token_file: PATH), or give its SHA-256 (sha256: HEX, from `printf %s TOKEN | sha256sum`)
          server: {metrics_auth: {sha256: abc}}                       || /server/metrics_auth/sha256: must be 64 hex digits (the SHA-256 of the token, from `printf %s TOKEN | sha256sum`), got 3 characters
          server: {metrics_auth: {}}                                  || /server/metrics_auth: needs token_file (a file holding the token) or sha256 (64 hex digits of the token's SHA-256)
          discovery: {refresh_interval: 30}                           || /discovery/refresh_interval: "30" is not a duration (use 500ms, 15s, 2m, 1h)
          discovery: {refresh_interval: 0s}                           || /discovery/refresh_interval: must be longer than 0, got "0s"
          discovery: {static: [{socket: /a.sock}]}                    || /discovery/static/0: missing required key 'domain' (the domain name used in metrics and the API)
          discovery: {static: [{domain: a}]}                          || /discovery/static/0: needs socket (a unix socket path) or vsock ("CID:PORT", e.g. "3:1234")
          discovery: {static: [{domain: a, socket: /a, vsock: "3:4"}]} || /discovery/static/0: give either socket or vsock, not both
          discovery: {static: [{domain: a, vsock: "3"}]}              || /discovery/static/0/vsock: "3" is not a vsock address (use CID:PORT, e.g. 3:1234)
          discovery: {static: [{domain: a, vsock: 3:12}]}             || /discovery/static/0/vsock: must be a quoted string "CID:PORT" (e.g. vsock: "3:1234"; unquoted, YAML may read 3:12 as a number), got the number 192
          discovery: {static: [{domain: a, socket: /a}, {domain: a, socket: /b}]} || /discovery/static/1/domain: duplicate domain 'a' (first at /discovery/static/0)
          discovery: {static: {domain: a}}                            || /discovery/static: must be a list (- item), got a mapping
          discovery: {globs: [{pattern: /run/qga/a.sock}]}            || /discovery/globs/0/pattern: "/run/qga/a.sock" has no * (the text the first * matches is the domain name; for one socket use discovery.static)
          discovery: {globs: [{path: /run/*.sock}]}                   || /discovery/globs/0: unknown key 'path' (valid: pattern) ;; /discovery/globs/0: missing required key 'pattern' (a socket path with *, e.g. /run/qga/*.sock)
          discovery: {libvirt: {enabled: yes please}}                 || /discovery/libvirt/enabled: must be true or false, got "yes please"
          discovery: {libvirt: {uri: ""}}                             || /discovery/libvirt/uri: must not be blank (e.g. qemu:///system)
          discovery: {libvirt: {use_libvirt_channel: 1}}              || /discovery/libvirt/use_libvirt_channel: must be true or false, got the number 1
          agent: {command_timeout: -5s}                               || /agent/command_timeout: "-5s" is negative (durations are >= 0)
          agent: {connect_timeout: 1 s}                               || /agent/connect_timeout: "1 s" is not a duration (use 500ms, 15s, 2m, 1h)
          agent: {backoff_max: 5min}                                  || /agent/backoff_max: "5min" is not a duration (use 500ms, 15s, 2m, 1h)
          collectors: {network: {interval: "15"}}                     || /collectors/network/interval: "15" is not a duration (use 500ms, 15s, 2m, 1h)
          collectors: {network: {intervall: 15s}}                     || /collectors/network: unknown key 'intervall' (valid: enabled, interval)
          collectors: {networks: {}}                                  || /collectors: unknown collector 'networks' (valid: network, filesystem, users, memory_blocks, vcpus, os, time, fsfreeze, load, cpu, disk)
          collectors: {disk: {enabled: "no"}}                         || /collectors/disk/enabled: must be true or false, got "no"
          limits: {max_interfaces: 0}                                 || /limits/max_interfaces: is out of range (1 to 100000), got 0
          limits: {max_users: -1}                                     || /limits/max_users: must not be negative (1 to 100000), got -1
          limits: {max_label_length: 10000}                           || /limits/max_label_length: is out of range (1 to 4096), got 10000
          limits: {max_cpus: 1.5}                                     || /limits/max_cpus: must be a whole number, got the number 1.5
          api: {tokens: [{name: a, token: x, role: admin}]}           || /api/tokens/0/token: a plain token is not allowed in the config (config files get copied, diffed and logged): put it in a file readable only by the exporter (token_file: PATH), or give its SHA-256 (sha256: HEX, from `printf %s TOKEN | sha256sum`)
          api: {tokens: [{name: a, token_file: /nonexistent.token, role: admin}]} || /api/tokens/0/token_file: token file /nonexistent.token does not exist
          api: {tokens: [{name: a, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, role: root}]} || /api/tokens/0/role: "root" is not a role (valid: reader, operator, admin)
          api: {tokens: [{sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, role: reader}]} || /api/tokens/0: missing required key 'name' (who uses the token; written to the audit log)
          api: {tokens: [{name: a, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}]} || /api/tokens/0: missing required key 'role' (reader, operator or admin)
          api: {tokens: [{name: a, role: reader}]}                    || /api/tokens/0: needs token_file (a file holding the token) or sha256 (64 hex digits of the token's SHA-256)
          api: {tokens: [{name: "a b", sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, role: reader}]} || /api/tokens/0/name: "a b" must be 1 to 64 of A-Z a-z 0-9 _ . @ -
          api: {tokens: [{name: a, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, role: reader}, {name: b, sha256: 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08, role: admin}]} || /api/tokens/1: the same token as /api/tokens/0: each name needs its own token (the audit log names who acted)
          api: {tokens: [{name: a, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, role: reader}, {name: a, sha256: 0f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, role: admin}]} || /api/tokens/1/name: duplicate token name 'a' (first at /api/tokens/0)
          api: {command_allow_list: ["guest exec"]}                   || /api/command_allow_list/0: "guest exec" is not a command name or glob (e.g. guest-info, guest-get-*)
          api: {command_allow_list: guest-info}                       || /api/command_allow_list: must be a list (- item), got the string "guest-info"
          api: {fsfreeze_default_deadline: 20m}                       || /api/fsfreeze_default_deadline: 20m is longer than fsfreeze_max_deadline (10m)
          api: {fsfreeze_max_deadline: 0}                             || /api/fsfreeze_max_deadline: must be longer than 0, got 0
          agent: {max_reply_size: 20MiB}                              || /agent/max_reply_size: "20MiB" is out of range (4096 to 10485760 bytes)
          agent: {max_reply_size: 1KiB}                               || /agent/max_reply_size: "1KiB" is out of range (4096 to 10485760 bytes)
          api: {max_body: 64KB}                                       || /api/max_body: "64KB" is not a size (use 512B, 64KiB, 10MiB, 1GiB)
          api: {max_body: 1GiB}                                       || /api/max_body: "1GiB" is out of range (1 to 67108864 bytes)
          api: {max_body: 65536}                                      || /api/max_body: "65536" is not a size (use 512B, 64KiB, 10MiB, 1GiB)
          api: {job_retention: forever}                               || /api/job_retention: "forever" is not a duration (use 500ms, 15s, 2m, 1h)
          api: {max_wait: -1m}                                        || /api/max_wait: "-1m" is negative (durations are >= 0)
          policy_defaults: {max_concurrent: 0}                        || /policy_defaults/max_concurrent: is out of range (1 to 10000), got 0
          policy_defaults: {timezone: Mars/Olympus}                   || /policy_defaults/timezone: "Mars/Olympus" is not a time zone (use UTC or an IANA id like Europe/Berlin)
          policies: {name: a}                                         || /policies: must be a list (- item), got a mapping
          policies: [{schedule: "0 0 3 ? * SUN", action: {fstrim: {}}}] || /policies/0: missing required key 'name' ([a-z0-9_-]+, unique)
          policies: [{name: Weekly Trim, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}}] || /policies/0/name: "Weekly Trim" must be 1 to 64 of a-z 0-9 _ -
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}}, {name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}}] || /policies/1/name: duplicate policy name 'a' (first at /policies/0)
          policies: [{name: a, action: {fstrim: {}}}]                 || /policies/0: needs a schedule (cron) or a when (conditions), or both
          policies: [{name: a, schedule: "0 0 3 ? * SUN"}]            || /policies/0: needs an action (valid: fstrim, time_sync)
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {reboot: {}}}] || /policies/0/action: unknown action 'reboot' (valid: fstrim, time_sync)
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}, time_sync: {}}}] || /policies/0/action: has 2 actions (fstrim, time_sync): a rule runs exactly one
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {minimum: -1}}}] || /policies/0/action/fstrim/minimum: must not be negative (at least 0), got -1
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {time_sync: {source: ntp}}}] || /policies/0/action/time_sync/source: "ntp" is not a time source (valid: host, rtc)
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {time_sync: {max_step: 0s}}}] || /policies/0/action/time_sync/max_step: must be longer than 0, got "0s"
          policies: [{name: a, schedule: "0 0 3 * * SUN", action: {fstrim: {}}}] || /policies/0/schedule: "0 0 3 * * SUN" is not a Quartz cron expression: Support for specifying both a day-of-week AND a day-of-month parameter is not implemented. (fields: seconds minutes hours day-of-month month day-of-week [year], one of day-of-month/day-of-week is ?, e.g. "0 0 3 ? * SUN"; 6 fields are read as Quartz, a crontab line has 5 fields and no seconds)
          policies: [{name: a, schedule: "0 0 3 30 2 ?", action: {fstrim: {}}}] || /policies/0/schedule: "0 0 3 30 2 ?" never fires
          policies: [{name: a, when: {}, action: {fstrim: {}}}]       || /policies/0/when: sets no condition (valid: time_offset_above, filesystem_used_ratio_above, since_last_success_above, agent_connected, clock_jumped_above)
          policies: [{name: a, when: {time_offset_above: 1}, action: {fstrim: {}}}] || /policies/0/when/time_offset_above: "1" is not a duration (use 500ms, 15s, 2m, 1h)
          policies: [{name: a, when: {filesystem_used_ratio_above: 90}, action: {fstrim: {}}}] || /policies/0/when/filesystem_used_ratio_above: must be from 0 to 1 (a ratio, e.g. 0.9 for 90%), got 90
          policies: [{name: a, when: {since_last_success_above: -7d}, action: {fstrim: {}}}] || /policies/0/when/since_last_success_above: "-7d" is negative (durations are >= 0)
          policies: [{name: a, when: {agent_connected: "yes"}, action: {fstrim: {}}}] || /policies/0/when/agent_connected: must be true or false, got "yes"
          policies: [{name: a, when: {clock_jumped_above: 0}, action: {fstrim: {}}}] || /policies/0/when/clock_jumped_above: must be longer than 0, got 0
          policies: [{name: a, when: {offset_above: 1s}, action: {fstrim: {}}}] || /policies/0/when: unknown key 'offset_above' (valid: time_offset_above, filesystem_used_ratio_above, since_last_success_above, agent_connected, clock_jumped_above)
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}, cooldown: -10m}] || /policies/0/cooldown: "-10m" is negative (durations are >= 0)
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}, dry_run: maybe}] || /policies/0/dry_run: must be true or false, got "maybe"
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}, max_concurrent: 0}] || /policies/0/max_concurrent: is out of range (1 to 10000), got 0
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}, windows: ["Sun 02:00-02:00"]}] || /policies/0/windows/0: "Sun 02:00-02:00" never opens (start equals end; for a whole day use 00:00-24:00)
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}, windows: ["Sunday 02:00-05:00"]}] || /policies/0/windows/0: "Sunday 02:00-05:00": 'Sunday' is not a day (use Mon Tue Wed Thu Fri Sat Sun, ranges like Mon-Fri, lists like Sat,Sun, or daily)
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}, windows: ["Sun 2am-5am"]}] || /policies/0/windows/0: "Sun 2am-5am" is not a window (use "Sun 02:00-05:00", "Mon-Fri 22:00-02:00", "Sat,Sun 01:00-03:00" or "daily 01:00-03:00")
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}, timezone: CEST}] || /policies/0/timezone: "CEST" is not a time zone (use UTC or an IANA id like Europe/Berlin)
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}, jitter: 5}] || /policies/0/jitter: "5" is not a duration (use 500ms, 15s, 2m, 1h)
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}, match: {domains: []}}] || /policies/0/match/domains: matches no domain (give at least one glob; "*" for every domain)
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}, match: {hosts: [a]}}] || /policies/0/match: unknown key 'hosts' (valid: domains, os_ids, require_support)
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}, match: {require_support: 1}}] || /policies/0/match/require_support: must be true or false, got the number 1
          policies: [{name: a, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}, match: {os_ids: [1]}}] || /policies/0/match/os_ids/0: must be a non-blank string, got the number 1 (quote it if you meant text)
          state_dir: 5                                                || /state_dir: must be a string, got the number 5 (quote it if you meant text)
          """)
  void everyKeyHasItsErrorMessage(String yaml, String expected) {
    assertThat(problems(yaml)).containsExactly(expected.split(" ;; "));
  }

  @Test
  void collectsEveryProblemNotJustTheFirst() {
    assertThat(
            problems(
                """
                agent: {command_timeout: 5}
                collectors:
                  network: {interval: "15"}
                  bogus: {}
                policies:
                  - name: a
                    schedule: "not cron"
                    action: {fstrim: {}}
                """))
        .hasSize(4)
        .contains(
            "/agent/command_timeout: \"5\" is not a duration (use 500ms, 15s, 2m, 1h)",
            "/collectors/network/interval: \"15\" is not a duration (use 500ms, 15s, 2m, 1h)")
        .anyMatch(p -> p.startsWith("/collectors: unknown collector 'bogus'"))
        .anyMatch(
            p -> p.startsWith("/policies/0/schedule: \"not cron\" has 2 fields; a schedule is "));
  }

  @Test
  void stateDirMustNotBeAFile() throws Exception {
    Files.writeString(dir.resolve("f"), "");
    assertThat(problems("state_dir: f"))
        .containsExactly("/state_dir: " + dir.resolve("f") + " is a file, not a directory");
  }

  @Test
  void tokenFileMustBeARegularFile() {
    assertThat(problems("api: {tokens: [{name: a, token_file: ., role: admin}]}"))
        .containsExactly("/api/tokens/0/token_file: token file " + dir + " is not a regular file");
  }

  @Test
  void tokenFileIsResolvedAgainstTheConfigDirectory() throws Exception {
    Files.writeString(dir.resolve("t"), "secret");
    Config c = parse("api: {tokens: [{name: a, token_file: t, role: reader}]}");
    assertThat(c.api().tokens().get(0).source()).isEqualTo(new TokenSource.File(dir.resolve("t")));
    assertThat(c.api().enabled()).isTrue();
  }

  @Test
  void invalidYamlNamesTheLine() {
    assertThat(problems("server:\n  listen: [\n"))
        .singleElement()
        .asString()
        .startsWith("/: invalid YAML: ")
        .contains("line ");
  }

  @Test
  void duplicateKeysAreErrors() {
    assertThat(problems("agent:\n  command_timeout: 5s\n  command_timeout: 6s\n"))
        .singleElement()
        .asString()
        .contains("duplicate key command_timeout");
  }

  @Test
  void aScalarDocumentIsNotAConfig() {
    assertThat(problems("hello"))
        .containsExactly(
            "/: the config must be a mapping of sections (server, discovery, agent, collectors,"
                + " limits, api, policy_defaults, policies, state_dir, log), got the string"
                + " \"hello\"");
  }

  @Test
  void yamlBombsAreRefused() {
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (int i = 0; i < 60; i++) {
      bomb.append((char) ('b' + i % 20))
          .append(i)
          .append(": &n")
          .append(i)
          .append(" [*a, *a, *a, *a, *a]\n");
    }
    assertThat(problems(bomb.toString()))
        .singleElement()
        .asString()
        .startsWith("/: invalid YAML: ")
        .contains("alias");
    assertThat(problems("a: " + "[".repeat(100) + "]".repeat(100)))
        .singleElement()
        .asString()
        .startsWith("/: invalid YAML: ")
        .containsIgnoringCase("nesting");
  }

  @Test
  void bigFilesAreRefusedBeforeParsing() throws Exception {
    Path big = dir.resolve("big.yaml");
    Files.writeString(big, "# " + "x".repeat(ConfigLoader.MAX_BYTES) + "\n");
    assertThatThrownBy(() -> ConfigLoader.load(big))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("a config file may have at most " + ConfigLoader.MAX_BYTES);
  }

  @Test
  void missingFileIsAProblem() {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(missing))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).problems())
        .isEqualTo(List.of(new ConfigProblem("/", "cannot read " + missing + ": no such file")));
  }

  @Test
  void nonUtf8FileIsAProblem() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.write(bad, new byte[] {'a', ':', ' ', (byte) 0xFF, '\n'});
    assertThatThrownBy(() -> ConfigLoader.load(bad)).hasMessageContaining("not UTF-8 text");
  }

  @Test
  void yamlTypeTagsAreNotConstructed() {
    assertThat(
            problems("server: !!javax.script.ScriptEngineManager [!!java.net.URL [\"http://x\"]]"))
        .singleElement()
        .asString()
        .startsWith("/: invalid YAML: ");
  }

  @Test
  void collectorsEntryMayBeEmpty() throws Exception {
    Config c = parse("collectors:\n  network:\n  users: {}\n");
    assertThat(c.collectors()).isEqualTo(CollectorsConfig.DEFAULT);
  }

  @Test
  void zeroDurationsWhereAllowed() throws Exception {
    Config c =
        parse(
            "policies: [{name: a, when: {time_offset_above: 0}, action: {fstrim: {}}, cooldown: 0,"
                + " jitter: 0s}]");
    assertThat(c.policies().get(0).cooldown()).isZero();
    assertThat(c.policies().get(0).when().orElseThrow().timeOffsetAbove()).contains(Duration.ZERO);
  }
}
