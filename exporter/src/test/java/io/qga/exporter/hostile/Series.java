package io.qga.exporter.hostile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sample line of a Prometheus text scrape. The parser is strict on purpose: a label value that
 * a guest managed to break out of (a raw newline, an unescaped quote) makes it throw, which is what
 * the hostile suite wants to notice.
 */
record Series(String name, Map<String, String> labels, double value) {

  static List<Series> parse(String text) {
    List<Series> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        out.add(parseLine(line));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "scrape line "
                + lineNo
                + " is not a sample ("
                + e.getMessage()
                + "): "
                + (line.length() > 200 ? line.substring(0, 200) + "..." : line),
            e);
      }
    }
    return out;
  }

  private static Series parseLine(String line) {
    int i = 0;
    while (i < line.length()
        && (Character.isLetterOrDigit(line.charAt(i))
            || line.charAt(i) == '_'
            || line.charAt(i) == ':')) {
      i++;
    }
    String name = line.substring(0, i);
    if (name.isEmpty()) {
      throw new IllegalArgumentException("no metric name");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq);
        if (!label.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
          throw new IllegalArgumentException("bad label name " + label);
        }
        if (line.charAt(eq + 1) != '"') {
          throw new IllegalArgumentException("label value not quoted");
        }
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        while (true) {
          char c = line.charAt(j);
          if (c == '\\') {
            char n = line.charAt(j + 1);
            switch (n) {
              case 'n' -> value.append('\n');
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              default -> throw new IllegalArgumentException("bad escape \\" + n);
            }
            j += 2;
          } else if (c == '"') {
            j++;
            break;
          } else {
            value.append(c);
            j++;
          }
        }
        labels.put(label, value.toString());
        i = j;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      i++;
    }
    if (line.charAt(i) != ' ') {
      throw new IllegalArgumentException("no space before the value");
    }
    String rest = line.substring(i + 1);
    int space = rest.indexOf(' ');
    String value = space < 0 ? rest : rest.substring(0, space);
    return new Series(name, Map.copyOf(labels), parseValue(value));
  }

  private static double parseValue(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }

  /** The value of the first series named {@code name} whose labels include {@code labels}. */
  static Double find(List<Series> scrape, String name, String... labels) {
    for (Series s : scrape) {
      if (s.name().equals(name) && matches(s, labels)) {
        return s.value();
      }
    }
    return null;
  }

  /** The sum over every series named {@code name} whose labels include {@code labels}. */
  static double sum(List<Series> scrape, String name, String... labels) {
    double total = 0;
    for (Series s : scrape) {
      if (s.name().equals(name) && matches(s, labels)) {
        total += s.value();
      }
    }
    return total;
  }

  private static boolean matches(Series s, String... labels) {
    for (int k = 0; k + 1 < labels.length; k += 2) {
      if (!labels[k + 1].equals(s.labels().get(labels[k]))) {
        return false;
      }
    }
    return true;
  }
}
