package io.qga.collectors;

/** Makes guest-supplied strings safe as label values. */
public final class LabelValues {
  private static final char REPLACEMENT = '\uFFFD';
  private static final char ELLIPSIS = '\u2026';

  private LabelValues() {}

  /**
   * Replaces control characters (newlines, NUL, DEL, C1) and unpaired surrogates with {@code
   * U+FFFD} and cuts to at most {@code maxLength} UTF-16 chars, ending in an ellipsis when cut.
   * Never splits a surrogate pair, so the result always encodes as valid UTF-8. Null becomes the
   * empty string. Reads at most {@code maxLength + 1} chars of {@code value}, so a 1 MB value costs
   * no more than a short one.
   */
  public static String clean(String value, int maxLength) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be at least 1, got " + maxLength);
    }
    if (value == null) {
      return "";
    }
    if (value.length() <= maxLength && isClean(value)) {
      return value;
    }
    boolean cut = value.length() > maxLength;
    // room for the ellipsis when the value is cut (a 1-char limit has no room for it)
    int room = cut && maxLength > 1 ? maxLength - 1 : maxLength;
    StringBuilder out = new StringBuilder(Math.min(value.length(), maxLength));
    for (int i = 0; i < value.length() && out.length() < room; i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        if (out.length() + 2 > room) {
          break;
        }
        out.append(c).append(value.charAt(++i));
      } else if (Character.isSurrogate(c) || Character.isISOControl(c)) {
        out.append(REPLACEMENT);
      } else {
        out.append(c);
      }
    }
    if (cut && maxLength > 1) {
      out.append(ELLIPSIS);
    }
    return out.toString();
  }

  private static boolean isClean(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        return false;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
