package io.qga.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The payloads of hostile agents. Large ones are streamed to a {@link ConnectionOutput} piece by
 * piece: a 50 MiB reply or a 100 000-deep nesting costs this JVM a 64 KiB buffer, not the reply.
 */
final class HostileReplies {
  static final int MIB = 1024 * 1024;

  /** Writes one JSON string literal (quotes included) as a hostile agent would. */
  interface Label {
    void write(ConnectionOutput out, int index) throws IOException;
  }

  private HostileReplies() {}

  /** A valid {@code {"return": [...]}} line of exactly {@code size} bytes, newline included. */
  static void sized(ConnectionOutput out, long size) throws IOException {
    long start = out.count();
    out.write("{\"return\": [");
    String closing = "]}\n";
    for (int i = 0; ; i++) {
      String element = (i == 0 ? "" : ", ") + interfaceJson(i);
      if (out.count() - start + element.length() + closing.length() > size) {
        break;
      }
      out.write(element);
    }
    // JSON allows whitespace before the closing bracket: pad to the exact size.
    out.repeat(' ', size - closing.length() - (out.count() - start));
    out.write(closing);
    out.flush();
  }

  /** guest-network-get-interfaces with {@code count} plausible interfaces. */
  static void interfaces(ConnectionOutput out, int count) throws IOException {
    out.write("{\"return\": [");
    for (int i = 0; i < count; i++) {
      out.write((i == 0 ? "" : ", ") + interfaceJson(i));
    }
    out.write("]}\n");
    out.flush();
  }

  /** guest-get-fsinfo with {@code count} plausible filesystems. */
  static void filesystems(ConnectionOutput out, int count) throws IOException {
    out.write("{\"return\": [");
    for (int i = 0; i < count; i++) {
      out.write(
          (i == 0 ? "" : ", ")
              + "{\"name\": \"vd"
              + i
              + "\", \"total-bytes\": 10737418240, \"mountpoint\": \"/mnt/fs"
              + i
              + "\", \"disk\": [], \"used-bytes\": "
              + (1048576L * (i + 1))
              + ", \"type\": \"ext4\"}");
    }
    out.write("]}\n");
    out.flush();
  }

  /** {@code {"return": [[[...]]]}} nested {@code depth} arrays deep. */
  static void deep(ConnectionOutput out, int depth) throws IOException {
    out.write("{\"return\": ");
    out.repeat('[', depth);
    out.repeat(']', depth);
    out.write("}\n");
    out.flush();
  }

  /** 0xFF bytes until the client goes away or the server closes (then an IOException ends it). */
  static void endlessSentinels(ConnectionOutput out) throws IOException {
    while (true) {
      out.repeat(0xFF, 64 * 1024);
      out.flush();
    }
  }

  /**
   * Writes the reply to {@code command} with names written by {@code label}; false (and nothing
   * written) when the command carries no names.
   */
  static boolean labelled(ConnectionOutput out, String command, Label label) throws IOException {
    switch (command) {
      case "guest-network-get-interfaces" -> {
        out.write("{\"return\": [");
        for (int i = 0; i < 2; i++) {
          out.write(i == 0 ? "{\"name\": " : ", {\"name\": ");
          label.write(out, i);
          out.write(", \"hardware-address\": \"52:54:00:12:34:5" + i + "\", \"ip-addresses\": [");
          out.write("{\"ip-address-type\": \"ipv4\", \"ip-address\": ");
          label.write(out, i + 2);
          out.write(", \"prefix\": 24}], \"statistics\": " + statisticsJson(i) + "}");
        }
        out.write("]}\n");
      }
      case "guest-get-fsinfo" -> {
        out.write("{\"return\": [");
        for (int i = 0; i < 2; i++) {
          out.write(i == 0 ? "{\"name\": " : ", {\"name\": ");
          label.write(out, i);
          out.write(", \"mountpoint\": ");
          label.write(out, i + 1);
          out.write(", \"type\": ");
          label.write(out, i + 2);
          out.write(", \"used-bytes\": 1073741824, \"total-bytes\": 10737418240, \"disk\": []}");
        }
        out.write("]}\n");
      }
      case "guest-get-users" -> {
        out.write("{\"return\": [");
        for (int i = 0; i < 2; i++) {
          out.write(i == 0 ? "{\"user\": " : ", {\"user\": ");
          label.write(out, i);
          out.write(", \"login-time\": 1700000000.5}");
        }
        out.write("]}\n");
      }
      case "guest-get-host-name" -> {
        out.write("{\"return\": {\"host-name\": ");
        label.write(out, 0);
        out.write("}}\n");
      }
      case "guest-get-osinfo" -> {
        String[] fields = {"id", "name", "pretty-name", "version-id", "kernel-release", "machine"};
        out.write("{\"return\": {");
        for (int i = 0; i < fields.length; i++) {
          out.write((i == 0 ? "\"" : ", \"") + fields[i] + "\": ");
          label.write(out, i);
        }
        out.write("}}\n");
      }
      case "guest-get-timezone" -> {
        out.write("{\"return\": {\"zone\": ");
        label.write(out, 0);
        out.write(", \"offset\": 3600}}\n");
      }
      default -> {
        return false;
      }
    }
    out.flush();
    return true;
  }

  /** Names of 1 MiB: a letter per index, repeated. */
  static final Label HUGE =
      (out, index) -> {
        out.write('"');
        out.repeat('a' + index % 26, MIB);
        out.write('"');
      };

  /** Valid JSON strings whose values break naive exposition writers and log lines. */
  static final Label NASTY =
      new Label() {
        private final String[] values = {
          "\"eth0\\n# HELP qga_up injected\\nqga_up{domain=\\\"victim\\\"} 1\"",
          "\"quote\\\"and\\\\backslash}{,=\"",
          "\"nul\\u0000byte\"",
          "\"lone\\ud800surrogate\"",
          "\"line\\u2028separator\\r\\ttab\"",
          "\"\"",
          "\"\\u00e9\\u4e2d\\ud83d\\ude00 emoji\"",
        };

        @Override
        public void write(ConnectionOutput out, int index) throws IOException {
          out.write(values[index % values.length]);
        }
      };

  /** Strings with raw bytes that are not UTF-8 (no 0xFF: that is the sync sentinel). */
  static final Label INVALID_UTF8 =
      new Label() {
        private final byte[][] values = {
          bytes("\"bad", 0xC3, 0x28, "\""),
          bytes("\"cont", 0xA0, 0xA1, "\""),
          bytes("\"surrogate", 0xED, 0xA0, 0x80, "\""),
          bytes("\"overlong", 0xC0, 0xAF, "\""),
          bytes("\"fe", 0xFE, 0xFE, "\""),
          bytes("\"truncated", 0xE2, 0x82, "\""),
        };

        @Override
        public void write(ConnectionOutput out, int index) throws IOException {
          out.write(values[index % values.length]);
        }
      };

  private static byte[] bytes(Object... parts) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof String s) {
        b.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
      } else {
        b.write((Integer) part);
      }
    }
    return b.toByteArray();
  }

  /**
   * The reply to {@code command} with numbers no counter or size can hold: 1e400, -1, 2^64,
   * fractions. Null for commands without numbers.
   */
  static byte[] badNumbers(String command) {
    String body =
        switch (command) {
          case "guest-network-get-interfaces" ->
              "[{\"name\": \"eth0\", \"hardware-address\":"
                  + " \"52:54:00:12:34:56\", \"ip-addresses\": [{\"ip-address-type\": \"ipv4\","
                  + " \"ip-address\": \"10.0.0.2\", \"prefix\": 1e400}], \"statistics\":"
                  + " {\"rx-bytes\": 1e400, \"rx-packets\": -1, \"rx-errs\": 18446744073709551616,"
                  + " \"rx-dropped\": 1.5, \"tx-bytes\": -9223372036854775809, \"tx-packets\":"
                  + " 99999999999999999999999999999999, \"tx-errs\": -0, \"tx-dropped\": 1E+400}}]";
          case "guest-get-fsinfo" ->
              "[{\"name\": \"vda1\", \"mountpoint\": \"/\", \"type\": \"ext4\", \"used-bytes\": -1,"
                  + " \"total-bytes\": 1e400, \"disk\": []}, {\"name\": \"vdb\", \"mountpoint\":"
                  + " \"/srv\", \"type\": \"xfs\", \"used-bytes\": 18446744073709551616,"
                  + " \"total-bytes\": 0.5, \"disk\": []}]";
          case "guest-get-time" -> "1e400";
          case "guest-get-users" ->
              "[{\"user\": \"root\", \"login-time\": -1}, {\"user\":"
                  + " \"eve\", \"login-time\": 1e400}]";
          case "guest-get-memory-block-info" -> "{\"size\": -1}";
          case "guest-get-memory-blocks" ->
              "[{\"phys-index\": -1, \"online\": true},"
                  + " {\"phys-index\": 1e400, \"online\": false}]";
          case "guest-get-vcpus" ->
              "[{\"logical-id\": -1, \"online\": true}, {\"logical-id\":"
                  + " 1e400, \"online\": true}]";
          case "guest-get-load" -> "{\"load1m\": 1e400, \"load5m\": -1, \"load15m\": -1e400}";
          case "guest-get-timezone" -> "{\"zone\": \"UTC\", \"offset\": 1e400}";
          case "guest-get-cpustats" ->
              "[{\"type\": \"linux\", \"cpu\": -1, \"user\": 1e400,"
                  + " \"nice\": -1, \"system\": 18446744073709551616, \"idle\": 0.25}]";
          case "guest-get-diskstats" ->
              "[{\"name\": \"vda\", \"major\": -1, \"minor\": 1e400,"
                  + " \"stats\": {\"read-sectors\": 1e400, \"write-sectors\": -1}}]";
          case "guest-fstrim" ->
              "{\"paths\": [{\"path\": \"/\", \"trimmed\": -1, \"minimum\":" + " 1e400}]}";
          default -> null;
        };
    return body == null
        ? null
        : ("{\"return\": " + body + "}\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static String interfaceJson(int i) {
    return "{\"name\": \"eth"
        + i
        + "\", \"ip-addresses\": [{\"ip-address-type\": \"ipv4\", \"ip-address\": \"10."
        + ((i >> 16) & 0xFF)
        + "."
        + ((i >> 8) & 0xFF)
        + "."
        + (i & 0xFF)
        + "\", \"prefix\": 8}], \"statistics\": "
        + statisticsJson(i)
        + ", \"hardware-address\": \"52:54:00:"
        + String.format("%02x:%02x:%02x", (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF)
        + "\"}";
  }

  private static String statisticsJson(int i) {
    return "{\"tx-packets\": "
        + (i * 10L)
        + ", \"tx-errs\": 0, \"rx-bytes\": "
        + (i * 1500L)
        + ", \"rx-dropped\": 0, \"rx-packets\": "
        + (i * 11L)
        + ", \"rx-errs\": 0, \"tx-bytes\": "
        + (i * 1400L)
        + ", \"tx-dropped\": 0}";
  }
}
