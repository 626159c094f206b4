package io.qga.collectors;

/** Makes guest-supplied strings safe as label values. */
public final class LabelValues {
  private LabelValues() {}

  /**
   * Replaces control characters (newlines, NUL, ...) and unpaired surrogates with {@code U+FFFD}
   * and cuts to at most {@code maxLength} characters (ending in an ellipsis when cut). Null
   * becomes the empty string.
   */
  public static String clean(String value, int maxLength) {
    if (value == null) {
      return "";
    }
    int limit = Math.min(value.length(), maxLength);
    StringBuilder out = new StringBuilder(limit);
    for (int i = 0; i < value.length() && out.length() < maxLength; i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        if (out.length() + 2 > maxLength) {
          break;
        }
        out.append(c).append(value.charAt(++i));
      } else if (Character.isSurrogate(c) || Character.isISOControl(c)) {
        out.append('\uFFFD');
      } else {
        out.append(c);
      }
    }
    if (out.length() < value.length() && value.length() > maxLength && maxLength > 1) {
      out.setLength(Math.min(out.length(), maxLength - 1));
      out.append('\u2026');
    }
    return out.toString();
  }
}
