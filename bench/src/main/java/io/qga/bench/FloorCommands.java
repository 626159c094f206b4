package io.qga.bench;

import java.nio.file.Path;

/** The command lines of the floors {@link Bench} runs after the exporter, on the same agents. */
final class FloorCommands {
  private FloorCommands() {}

  /** bench/floor/floor.c, built by bench/run.sh. */
  static String[] nativeFloor(String binary, Path plan, String agents, int seconds) {
    return new String[] {
      binary,
      plan.toString(),
      agents,
      String.valueOf(seconds),
      String.valueOf(NativeFloor.timeoutMillis())
    };
  }

  /** {@link NioFloor}: one Java thread, a JDK Selector, the project's codec. */
  static String[] nioFloor(String classpath, Path plan, String agents, int seconds) {
    return new String[] {
      "java",
      "-Xmx64m",
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-cp",
      classpath,
      NioFloor.class.getName(),
      plan.toString(),
      agents,
      String.valueOf(seconds),
      String.valueOf(NativeFloor.timeoutMillis())
    };
  }

  /**
   * bench/floor/VirtualFloor.java (FloorClient's loop on virtual threads) on Java 21+:
   * $BENCH_JAVA21, default Temurin 25 in /usr/lib/jvm.
   */
  static String[] virtualThreadFloor(String classpath, String agents, int seconds) {
    String java21 =
        System.getenv().getOrDefault("BENCH_JAVA21", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    return new String[] {
      java21,
      "-Xss256k",
      "-cp",
      classpath,
      "bench/floor/VirtualFloor.java",
      agents,
      String.valueOf(seconds + 2)
    };
  }

  /** {@link FloorClient}: a thread and an AgentSession per agent. */
  static String[] javaFloor(String classpath, String agents, int seconds) {
    return new String[] {
      "java",
      "-Xss256k",
      "-cp",
      classpath,
      FloorClient.class.getName(),
      agents,
      String.valueOf(seconds + 2)
    };
  }
}
