package io.qga.exporter.config;

import java.util.regex.Pattern;

/**
 * The globs of the config ({@code match.domains}, {@code api.command_allow_list}): {@code *}
 * matches any run of characters (also none), {@code ?} one character, everything else itself.
 */
public final class Glob {
  private final String glob;
  private final Pattern pattern;

  private Glob(String glob) {
    this.glob = glob;
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    this.pattern = Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  public static Glob of(String glob) {
    return new Glob(glob);
  }

  /** True when the glob matches the whole text. */
  public static boolean matches(String glob, String text) {
    return of(glob).matches(text);
  }

  public boolean matches(String text) {
    return text != null && pattern.matcher(text).matches();
  }

  @Override
  public String toString() {
    return glob;
  }
}
