package io.qga.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.util.Map;
import java.util.TreeMap;

/** The {@link FleetHost} process's stdin and stdout: counts of the requests its agents received. */
record FleetLink(Writer in, BufferedReader out) {
  long count() throws IOException {
    in.write("count\n");
    in.flush();
    return Long.parseLong(expect("count ").substring("count ".length()).trim());
  }

  Map<String, Long> mix() throws IOException {
    in.write("mix\n");
    in.flush();
    Map<String, Long> m = new TreeMap<>();
    for (String part : expect("mix").split(" ")) {
      int eq = part.lastIndexOf('=');
      if (eq > 0) {
        m.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
      }
    }
    return m;
  }

  String expect(String prefix) throws IOException {
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IOException("the fleet process ended before printing " + prefix.trim());
  }

  void close() throws IOException {
    in.close();
  }
}
