package io.qga.exporter.action;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.api.FstrimResult;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@code guest-fstrim}: discard unused blocks of every mounted filesystem so thin-provisioned host
 * storage is released.
 *
 * <p>Outcome: succeeded when at least one path was trimmed without error (or the guest listed
 * none); failed when every path reported an error. Per-path errors are always in the details and
 * summarised in {@code error}, so a partial failure is visible without failing the run forever (a
 * read-only mount would otherwise re-trigger a "weekly" rule on every poll).
 *
 * @param minimum the {@code minimum} argument in bytes (free ranges smaller than this are not
 *     discarded), or null to let the guest choose
 */
public record Fstrim(Long minimum) implements Action {
  /** The guest is untrusted: at most this many paths are recorded, each string cut to 512. */
  static final int MAX_PATHS = 256;

  static final int MAX_TEXT = 512;

  public Fstrim {
    if (minimum != null && minimum < 0) {
      throw new IllegalArgumentException("fstrim minimum must not be negative: " + minimum);
    }
  }

  @Override
  public String name() {
    return "fstrim";
  }

  @Override
  public String command() {
    return "guest-fstrim";
  }

  @Override
  public ObjectNode arguments() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    if (minimum != null) {
      o.put("minimum", minimum);
    }
    return o;
  }

  @Override
  public ActionReport run(ActionContext context) {
    FstrimResult result =
        context.agent().fstrim(minimum == null ? OptionalLong.empty() : OptionalLong.of(minimum));
    return report(result);
  }

  static ActionReport report(FstrimResult result) {
    List<PathResult> paths = new ArrayList<>();
    int dropped = 0;
    int failed = 0;
    String firstError = null;
    for (FstrimResult.Path p : result.paths()) {
      if (p == null) {
        continue;
      }
      if (p.error() != null) {
        failed++;
        if (firstError == null) {
          firstError = cut(p.path()) + ": " + cut(p.error());
        }
      }
      if (paths.size() >= MAX_PATHS) {
        dropped++;
        continue;
      }
      Long trimmed = p.trimmed() != null && p.trimmed() >= 0 ? p.trimmed() : null;
      paths.add(new PathResult(cut(p.path()), trimmed, p.minimum(), cutOrNull(p.error())));
    }
    Report details = new Report(paths, dropped);
    int total = paths.size() + dropped;
    List<String> warnings = new ArrayList<>();
    if (dropped > 0) {
      warnings.add("the guest listed " + total + " paths; only the first " + MAX_PATHS + " kept");
    }
    if (failed == 0) {
      return new ActionReport(Outcome.SUCCEEDED, details, null, warnings);
    }
    String error = failed + " of " + total + " paths failed (first: " + firstError + ")";
    Outcome outcome = failed == total ? Outcome.FAILED : Outcome.SUCCEEDED;
    return new ActionReport(outcome, details, error, warnings);
  }

  private static String cut(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 1) + "\u2026";
  }

  private static String cutOrNull(String s) {
    return s == null ? null : cut(s);
  }

  /**
   * One path of the reply. {@code trimmed} is null when the guest did not say (Windows agents send
   * only {@code path} and maybe {@code error}).
   */
  public record PathResult(String path, Long trimmed, Long minimum, String error) {}

  /** The details of an fstrim run; {@code droppedPaths} counts paths beyond the bound. */
  public record Report(List<PathResult> paths, int droppedPaths) implements ActionDetails {
    public Report {
      paths = List.copyOf(paths);
    }

    /** Bytes trimmed in total over the paths that said; null when none said (Windows). */
    public Long trimmedBytes() {
      Long sum = null;
      for (PathResult p : paths) {
        if (p.trimmed() != null) {
          sum = (sum == null ? 0 : sum) + p.trimmed();
        }
      }
      return sum;
    }

    @Override
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      ArrayNode a = o.putArray("paths");
      for (PathResult p : paths) {
        ObjectNode n = a.addObject();
        n.put("path", p.path());
        if (p.trimmed() != null) {
          n.put("trimmed_bytes", p.trimmed());
        }
        if (p.minimum() != null) {
          n.put("minimum", p.minimum());
        }
        if (p.error() != null) {
          n.put("error", p.error());
        }
      }
      Long total = trimmedBytes();
      if (total != null) {
        o.put("trimmed_bytes", total);
      }
      if (droppedPaths > 0) {
        o.put("dropped_paths", droppedPaths);
      }
      return o;
    }
  }
}
