package io.qga.exporter.action;

import com.fasterxml.jackson.databind.JsonNode;
import io.qga.client.AgentChannel;
import io.qga.client.api.GuestAgent;
import io.qga.collectors.DomainSamples;
import io.qga.exporter.runtime.DomainDirectory;
import io.qga.exporter.runtime.DomainHandle;
import io.qga.exporter.runtime.DomainListener;
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

  /** One domain; the test plays the poller. */
  public static final class TestDomain implements DomainHandle {
    private final String name;
    private final GuestAgent agent;
    private volatile AgentState state = new AgentState(true, "7.2.22", Instant.now(), null, null, false);
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

    @Override
    public Map<String, DomainSamples> lastSamples() {
      return Map.copyOf(samples);
    }

    @Override
    public Optional<JsonNode> lastReply(String command) {
      return Optional.ofNullable(replies.get(command));
    }
  }
}
