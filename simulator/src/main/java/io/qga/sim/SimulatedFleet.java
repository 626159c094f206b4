package io.qga.sim;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Many simulated guests, one unix socket each at {@code DIR/<domain>.sock} (domains {@code vm-001},
 * {@code vm-002}, ...), with a chosen share of hung, slow and hostile agents. Each agent costs one
 * thread that sleeps in accept or read, with a small stack, so a thousand fit in one JVM.
 *
 * <p>Which domain gets which behaviour is drawn from the seed: the same builder settings give the
 * same fleet every time.
 */
public final class SimulatedFleet implements Closeable {
  private final Path dir;
  private final Map<String, SimulatedAgent> agents;

  private SimulatedFleet(Path dir, Map<String, SimulatedAgent> agents) {
    this.dir = dir;
    this.agents = Collections.unmodifiableMap(agents);
  }

  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** How the fleet is made up; defaults: 10 healthy guests of mixed flavours, seed 1. */
  public static final class Builder {
    private final Path dir;
    private int domains = 10;
    private String prefix = "vm-";
    private int hangPercent;
    private int slowPercent;
    private Duration slowDelay = Duration.ofSeconds(2);
    private final Map<HostileMode, Integer> hostile = new LinkedHashMap<>();
    private List<Flavour> flavours;
    private long seed = 1;

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
    }

    public Builder domains(int domains) {
      if (domains < 1) {
        throw new IllegalArgumentException("domains must be at least 1, got " + domains);
      }
      this.domains = domains;
      return this;
    }

    /** Domain names are the prefix and a zero-padded number: {@code vm-001}. */
    public Builder prefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** Share of agents that accept connections and never answer. */
    public Builder hangPercent(int percent) {
      this.hangPercent = percent(percent, "hang");
      return this;
    }

    /** Share of agents that answer everything after {@link #slowDelay}. */
    public Builder slowPercent(int percent) {
      this.slowPercent = percent(percent, "slow");
      return this;
    }

    public Builder slowDelay(Duration slowDelay) {
      this.slowDelay = Objects.requireNonNull(slowDelay, "slowDelay");
      return this;
    }

    /** {@code count} agents mounting {@code mode} (adds up when called again for one mode). */
    public Builder hostile(HostileMode mode, int count) {
      if (count < 0) {
        throw new IllegalArgumentException("hostile count must not be negative, got " + count);
      }
      hostile.merge(Objects.requireNonNull(mode, "mode"), count, Integer::sum);
      return this;
    }

    /** Flavours handed out round-robin; default a mix, mostly Linux 9.2. */
    public Builder flavours(Flavour... flavours) {
      if (flavours.length == 0) {
        throw new IllegalArgumentException("at least one flavour is needed");
      }
      this.flavours = List.of(flavours);
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    private static int percent(int p, String what) {
      if (p < 0 || p > 100) {
        throw new IllegalArgumentException(what + " percent must be 0..100, got " + p);
      }
      return p;
    }

    /** Creates the directory if needed and starts every agent; on failure none is left running. */
    public SimulatedFleet start() throws IOException {
      int hang = domains * hangPercent / 100;
      int slow = domains * slowPercent / 100;
      int hostileTotal = hostile.values().stream().mapToInt(Integer::intValue).sum();
      if (hang + slow + hostileTotal > domains) {
        throw new IllegalArgumentException(
            hang
                + " hung + "
                + slow
                + " slow + "
                + hostileTotal
                + " hostile agents do not fit in "
                + domains
                + " domains");
      }
      Files.createDirectories(dir);
      List<Flavour> mix =
          flavours != null
              ? flavours
              : List.of(
                  Flavour.LINUX_9_2,
                  Flavour.LINUX_7_2,
                  Flavour.LINUX_9_2,
                  Flavour.LINUX_10_0,
                  Flavour.LINUX_9_2,
                  Flavour.WINDOWS,
                  Flavour.LINUX_9_2,
                  Flavour.LINUX_7_2,
                  Flavour.LINUX_10_0,
                  Flavour.LINUX_2_5);
      // Behaviour per slot, then shuffled so the bad ones are spread over the domain names.
      List<Object> roles = new ArrayList<>();
      for (int i = 0; i < hang; i++) {
        roles.add(HostileMode.NEVER_ANSWERS);
      }
      for (int i = 0; i < slow; i++) {
        roles.add(HostileMode.ANSWER_AFTER);
      }
      hostile.forEach(
          (mode, count) -> {
            for (int i = 0; i < count; i++) {
              roles.add(mode);
            }
          });
      while (roles.size() < domains) {
        roles.add("healthy");
      }
      Collections.shuffle(roles, new Random(seed));
      int width = Math.max(3, String.valueOf(domains).length());
      List<SimulatedGuest> guests = new ArrayList<>();
      for (int i = 0; i < domains; i++) {
        String domain = prefix + String.format("%0" + width + "d", i + 1);
        SimulatedGuest.Builder guest =
            SimulatedGuest.builder(domain)
                .seed(seed * 1_000_003L + i)
                .flavour(mix.get(i % mix.size()));
        if (roles.get(i) instanceof HostileMode mode) {
          guest.hostile(mode);
          if (mode == HostileMode.ANSWER_AFTER) {
            guest.slowDown(slowDelay);
          }
        }
        guests.add(guest.build());
      }
      // Binding a socket and starting its thread is mostly waiting on the kernel: a few at once
      // bring a thousand agents up several times faster than one after another.
      SimulatedAgent[] started = new SimulatedAgent[domains];
      ExecutorService starters = Executors.newFixedThreadPool(Math.min(8, domains));
      try {
        List<Future<?>> pending = new ArrayList<>();
        for (int i = 0; i < domains; i++) {
          int index = i;
          SimulatedGuest guest = guests.get(i);
          pending.add(
              starters.submit(
                  () -> {
                    started[index] =
                        SimulatedAgent.start(dir.resolve(guest.domain() + ".sock"), guest);
                    return null;
                  }));
        }
        for (Future<?> f : pending) {
          f.get();
        }
      } catch (ExecutionException e) {
        closeAll(started);
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw new IllegalStateException("cannot start the fleet: " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        closeAll(started);
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while starting the fleet");
      } finally {
        starters.shutdownNow();
      }
      Map<String, SimulatedAgent> agents = new LinkedHashMap<>();
      for (SimulatedAgent agent : started) {
        agents.put(agent.domain(), agent);
      }
      return new SimulatedFleet(dir, agents);
    }
  }

  private static void closeAll(SimulatedAgent[] agents) {
    for (SimulatedAgent agent : agents) {
      if (agent != null) {
        agent.close();
      }
    }
  }

  public Path dir() {
    return dir;
  }

  /** Agents by domain, in domain order. */
  public Map<String, SimulatedAgent> agents() {
    return agents;
  }

  /** The agent of {@code domain}; throws naming the domain when there is none. */
  public SimulatedAgent agent(String domain) {
    SimulatedAgent agent = agents.get(domain);
    if (agent == null) {
      throw new IllegalArgumentException("no simulated agent for domain " + domain);
    }
    return agent;
  }

  public List<String> domains() {
    return List.copyOf(agents.keySet());
  }

  public int size() {
    return agents.size();
  }

  /** Every domain's channel vanishes at once (a host evacuated, libvirtd restarted). */
  public void removeChannels() {
    agents.values().parallelStream().forEach(SimulatedAgent::removeChannel);
  }

  /** Every domain's channel comes back at once. */
  public void restoreChannels() {
    agents.values().parallelStream().forEach(SimulatedAgent::restoreChannel);
  }

  /** Stops every agent and removes every socket file. */
  @Override
  public void close() {
    agents.values().parallelStream().forEach(SimulatedAgent::close);
  }
}
