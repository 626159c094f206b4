package io.qga.exporter.poll;

import io.qga.client.api.GuestAgent;
import io.qga.collectors.CollectContext;
import io.qga.collectors.Collector;
import io.qga.collectors.MetricFamily;
import io.qga.collectors.SampleSink;
import java.util.List;

/** Calls one command and exports its {@code value} as {@code qga_test_<name>}. */
record FakeCollector(String name, String command) implements Collector {

  MetricFamily family() {
    return MetricFamily.gauge("qga_test_" + name, "Test value of " + name);
  }

  @Override
  public List<String> commands() {
    return List.of(command);
  }

  @Override
  public void collect(GuestAgent agent, CollectContext context, SampleSink out) {
    out.gauge(family(), agent.execute(command, null).path("value").asDouble());
  }
}
