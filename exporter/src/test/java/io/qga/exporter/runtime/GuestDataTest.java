package io.qga.exporter.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.client.api.FreezeStatus;
import io.qga.client.api.GuestInfo;
import io.qga.collectors.GuestRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestDataTest {

  @Test
  void aRecordReplacesOnlyItsOwnKind() {
    GuestData frozen = GuestData.EMPTY.with(new GuestRecord.Freeze(FreezeStatus.FROZEN));
    GuestData both = frozen.with(new GuestRecord.TimeOffset(1.5));

    assertThat(frozen.frozen()).isTrue();
    assertThat(both.frozen()).isTrue();
    assertThat(both.timeOffsetSeconds()).isEqualTo(1.5);
    assertThat(both.with(new GuestRecord.Freeze(FreezeStatus.THAWED)).frozen()).isFalse();
    assertThat(both.with(null)).isSameAs(both);
    assertThat(GuestData.EMPTY.frozen()).isFalse();
    assertThat(GuestData.EMPTY.timeOffsetSeconds()).isNull();
    assertThat(GuestData.EMPTY.filesystemList()).isEmpty();
  }

  @Test
  void commandsAreTheEnabledOnesInTheAgentsOrderBoundedAndCut() {
    List<GuestInfo.SupportedCommand> commands = new ArrayList<>();
    commands.add(new GuestInfo.SupportedCommand("guest-sync", true, true));
    commands.add(new GuestInfo.SupportedCommand("guest-exec", false, true));
    commands.add(new GuestInfo.SupportedCommand(null, true, true));
    commands.add(new GuestInfo.SupportedCommand("c".repeat(10_000), true, true));
    commands.add(new GuestInfo.SupportedCommand("guest-get-fsinfo", true, true));
    for (int i = 0; i < 100_000; i++) {
      commands.add(new GuestInfo.SupportedCommand("guest-x" + i, true, true));
    }

    GuestData d =
        GuestData.EMPTY
            .withCommands(new GuestInfo("9.2.0", commands))
            .with(new GuestRecord.Vcpus(2, 0));

    assertThat(d.commands()).hasSize(GuestData.MAX_COMMANDS - 2);
    assertThat(d.commands().subList(0, 3))
        .containsExactly(
            "guest-sync", "c".repeat(GuestRecord.MAX_TEXT - 1) + "\u2026", "guest-get-fsinfo");
    assertThat(d.vcpus().online()).isEqualTo(2);
  }
}
