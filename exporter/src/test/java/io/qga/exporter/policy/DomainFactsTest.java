package io.qga.exporter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qga.collectors.DomainSamples;
import io.qga.collectors.GuestRecord;
import io.qga.exporter.action.FakeChannel;
import io.qga.exporter.action.TestDomains;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Policy facts come from the typed guest data, not from metric names or reply text. */
class DomainFactsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void factsReadTheTypedOsFilesystemsTimeAndFreezeState() throws Exception {
    TestDomains domains = new TestDomains();
    TestDomains.TestDomain d = domains.add("vm", new FakeChannel("vm"));
    d.setReply("guest-get-osinfo", JSON.readTree("{\"id\":\"debian\"}"));
    d.setReply(
        "guest-get-fsinfo",
        JSON.readTree(
            "[{\"name\":\"vda1\",\"mountpoint\":\"/\",\"type\":\"ext4\",\"used-bytes\":100,\"total-bytes\":1000},{\"name\":\"vdb\",\"mountpoint\":\"/da\\n"
                + "ta\",\"type\":\"xfs\",\"used-bytes\":9,\"total-bytes\":10},"
                + "{\"name\":\"vdc\",\"mountpoint\":\"/empty\",\"type\":\"xfs\",\"used-bytes\":0,\"total-bytes\":0},"
                + "{\"name\":\"vdd\",\"mountpoint\":\"/old\",\"type\":\"xfs\"}]"));
    d.setSamples(
        "time", new DomainSamples(java.util.List.of(), Map.of(), new GuestRecord.TimeOffset(-2.5)));

    DomainFacts facts = DomainFacts.of(d, 1.0);

    assertThat(facts.osId()).isEqualTo("debian");
    assertThat(facts.timeOffsetSeconds()).isEqualTo(-2.5);
    assertThat(facts.previousTimeOffsetSeconds()).isEqualTo(1.0);
    // a guest's newline in a mountpoint never reaches a decision's reason
    assertThat(facts.usedRatios())
        .containsExactlyInAnyOrderEntriesOf(Map.of("/", 0.1, "/da\uFFFDta", 0.9));
  }

  @Test
  void aPollsRecordGivesOnlyItsOwnKindOfFact() {
    assertThat(DomainFacts.timeOffset(new GuestRecord.TimeOffset(3.0))).isEqualTo(3.0);
    assertThat(DomainFacts.timeOffset(new GuestRecord.TimeOffset(Double.NaN))).isNull();
    assertThat(DomainFacts.timeOffset(new GuestRecord.Vcpus(1, 0))).isNull();
    assertThat(DomainFacts.usedRatios(new GuestRecord.TimeOffset(3.0))).isNull();
  }
}
