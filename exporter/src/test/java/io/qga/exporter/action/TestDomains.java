package io.qga.exporter.action;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.qga.client.AgentChannel;
import io.qga.client.api.Filesystem;
import io.qga.client.api.FreezeStatus;
import io.qga.client.api.GuestAgent;
import io.qga.client.api.GuestInfo;
import io.qga.client.api.HostName;
import io.qga.client.api.NetworkInterface;
import io.qga.client.api.OsInfo;
import io.qga.client.api.Timezone;
import io.qga.client.api.User;
import io.qga.collectors.DomainSamples;
import io.qga.collectors.GuestRecord;
import io.qga.collectors.Limits;
import io.qga.exporter.runtime.DomainDirectory;
import io.qga.exporter.runtime.DomainHandle;
import io.qga.exporter.runtime.DomainListener;
import io.qga.exporter.runtime.GuestData;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A domain directory for tests: domains over any channel, state and samples set by the test. */
public final class TestDomains implements DomainDirectory {
  private final Map<String, TestDomain> domains = new ConcurrentSkipListMap<>();
  private final List<DomainListener> listeners = new CopyOnWriteArrayList<>();

  public TestDomain add(String name, AgentChannel channel) {
    TestDomain d = new TestDomain(name, channel);
    domains.put(name, d);
    return d;
  }

  public void remove(String name) {
    domains.remove(name);
    listeners.forEach(l -> l.onDomainRemoved(name));
  }

  public TestDomain get(String name) {
    return domains.get(name);
  }

  public List<DomainListener> listeners() {
    return listeners;
  }

  @Override
  public Optional<DomainHandle> find(String name) {
    return Optional.ofNullable(domains.get(name));
  }

  @Override
  public Collection<DomainHandle> all() {
    return List.copyOf(domains.values());
  }

  @Override
  public void addListener(DomainListener listener) {
    listeners.add(listener);
  }

  private static final ObjectMapper DECODER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /** One domain; the test plays the poller. */
  public static final class TestDomain implements DomainHandle {
    private final String name;
    private final GuestAgent agent;
    private volatile AgentState state =
        new AgentState(true, "7.2.22", Instant.now(), null, null, false);
    private final Map<String, DomainSamples> samples = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> replies = new ConcurrentHashMap<>();

    TestDomain(String name, AgentChannel channel) {
      this.name = name;
      this.agent = new GuestAgent(channel);
    }

    public void setState(boolean up, boolean frozen) {
      state = new AgentState(up, "7.2.22", Instant.now(), null, null, frozen);
    }

    public void setSamples(String collector, DomainSamples s) {
      samples.put(collector, s);
    }

    public void setReply(String command, JsonNode reply) {
      replies.put(command, reply);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Optional<String> uuid() {
      return Optional.empty();
    }

    @Override
    public String channel() {
      return agent.channel().describe();
    }

    @Override
    public GuestAgent agent() {
      return agent;
    }

    @Override
    public AgentState state() {
      return state;
    }

    /**
     * The typed data a poller would keep: the records of the samples set, and the replies set (JSON
     * as an agent sends it) decoded with the client's records and bounded by the collectors'
     * default limits.
     */
    @Override
    public GuestData guest() {
      GuestData g = GuestData.EMPTY;
      for (DomainSamples s : samples.values()) {
        g = g.with(s.record());
      }
      if (replies.containsKey("guest-info")) {
        g = g.withCommands(decode("guest-info", GuestInfo.class));
      }
      if (replies.containsKey("guest-get-osinfo")
          || replies.containsKey("guest-get-host-name")
          || replies.containsKey("guest-get-timezone")) {
        HostName host = decode("guest-get-host-name", HostName.class);
        g =
            g.with(
                GuestRecord.Os.of(
                    decode("guest-get-osinfo", OsInfo.class),
                    host == null ? null : host.hostName(),
                    decode("guest-get-timezone", Timezone.class)));
      }
      if (replies.containsKey("guest-network-get-interfaces")) {
        g =
            g.with(
                GuestRecord.Interfaces.of(
                    List.of(decode("guest-network-get-interfaces", NetworkInterface[].class)),
                    Limits.DEFAULT));
      }
      if (replies.containsKey("guest-get-fsinfo")) {
        g =
            g.with(
                GuestRecord.Filesystems.of(
                    List.of(decode("guest-get-fsinfo", Filesystem[].class)), Limits.DEFAULT));
      }
      if (replies.containsKey("guest-get-users")) {
        g =
            g.with(
                GuestRecord.Users.of(
                    List.of(decode("guest-get-users", User[].class)), Limits.DEFAULT));
      }
      if (replies.containsKey("guest-fsfreeze-status")) {
        g =
            g.with(
                new GuestRecord.Freeze(
                    FreezeStatus.parse(replies.get("guest-fsfreeze-status").asText())));
      }
      return g;
    }

    private <T> T decode(String command, Class<T> type) {
      JsonNode reply = replies.get(command);
      try {
        return reply == null ? null : DECODER.treeToValue(reply, type);
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(command + ": " + e.getMessage(), e);
      }
    }
  }
}
