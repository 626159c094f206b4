package io.qga.exporter.action;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Sets the guest clock. {@code host}: to the host clock, sent half a round trip ahead so it is
 * right when the guest applies it. {@code rtc}: {@code guest-set-time} without a time, the guest
 * reads its hardware clock (Linux {@code hwclock -s}; Windows {@code w32tm /resync}).
 *
 * <p>The offset (guest minus host) is measured with {@code guest-get-time} before and after, taking
 * the host time at the midpoint of the round trip. A step larger than {@code maxStep} is still made
 * (the guest clock is wrong either way) but is recorded loudly: {@code step_exceeds_max_step: true}
 * and a warning in the audit record.
 *
 * @param maxStep the largest step made without a warning; null for no limit
 */
public record TimeSync(Source source, Duration maxStep) implements Action {

  /** Where the right time comes from. */
  public enum Source {
    HOST,
    RTC;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Source parse(String text) {
      return switch (text == null ? "" : text) {
        case "host" -> HOST;
        case "rtc" -> RTC;
        default ->
            throw new IllegalArgumentException(
                "time_sync source must be host or rtc, not \"" + text + "\"");
      };
    }
  }

  /** After a host sync, an offset still larger than this is reported as a warning. */
  static final long RESIDUAL_WARNING_NANOS = 1_000_000_000L;

  public TimeSync {
    Objects.requireNonNull(source, "source");
    if (maxStep != null && maxStep.isNegative()) {
      throw new IllegalArgumentException("time_sync max_step must not be negative: " + maxStep);
    }
  }

  public static TimeSync host() {
    return new TimeSync(Source.HOST, null);
  }

  @Override
  public String name() {
    return "time_sync";
  }

  @Override
  public String command() {
    return "guest-set-time";
  }

  @Override
  public ObjectNode arguments() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("source", source.wire());
    if (maxStep != null) {
      o.put("max_step_seconds", maxStep.toNanos() / 1e9);
    }
    return o;
  }

  @Override
  public ActionReport run(ActionContext context) {
    Offset before = Offset.measure(context);
    Long step = null;
    if (source == Source.HOST) {
      // The request reaches the guest about half a round trip after we read the host clock.
      long target = context.nowNanos() + before.roundTripNanos() / 2;
      step = -before.offsetNanos();
      context.agent().setTime(OptionalLong.of(target));
    } else {
      context.agent().setTime(OptionalLong.empty());
    }
    Offset after = Offset.measure(context);
    if (step == null) {
      step = after.offsetNanos() - before.offsetNanos();
    }
    boolean exceeds = maxStep != null && Math.abs(step) > maxStep.toNanos();
    List<String> warnings = new ArrayList<>();
    if (exceeds) {
      warnings.add(
          String.format(
              Locale.ROOT,
              "time_sync stepped the guest clock by %.3f s, more than max_step %.3f s",
              step / 1e9,
              maxStep.toNanos() / 1e9));
    }
    if (source == Source.HOST && Math.abs(after.offsetNanos()) > RESIDUAL_WARNING_NANOS) {
      warnings.add(
          String.format(
              Locale.ROOT,
              "the guest clock is still %.3f s off after the sync (something in the guest"
                  + " sets it back?)",
              after.offsetNanos() / 1e9));
    }
    Report details = new Report(source, before, after, step, maxStep, exceeds);
    return new ActionReport(Outcome.SUCCEEDED, details, null, warnings);
  }

  /** A guest clock offset (guest minus host) and the round trip it was measured over. */
  public record Offset(long offsetNanos, long roundTripNanos) {
    static Offset measure(ActionContext context) {
      long t0 = context.nowNanos();
      long guest = context.agent().getTime();
      long t1 = context.nowNanos();
      long rtt = Math.max(0, t1 - t0);
      return new Offset(guest - (t0 + rtt / 2), rtt);
    }
  }

  /** The details of a time sync run. */
  public record Report(
      Source source,
      Offset before,
      Offset after,
      long stepNanos,
      Duration maxStep,
      boolean stepExceedsMaxStep)
      implements ActionDetails {

    @Override
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("source", source.wire());
      o.put("offset_before_seconds", before.offsetNanos() / 1e9);
      o.put("offset_after_seconds", after.offsetNanos() / 1e9);
      o.put("round_trip_seconds", before.roundTripNanos() / 1e9);
      o.put("step_seconds", stepNanos / 1e9);
      if (maxStep != null) {
        o.put("max_step_seconds", maxStep.toNanos() / 1e9);
      }
      o.put("step_exceeds_max_step", stepExceedsMaxStep);
      return o;
    }
  }
}
