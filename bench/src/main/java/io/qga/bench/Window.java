package io.qga.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What one measured window saw (a floor's or the exporter's). */
final class Window {
  double cpuSeconds;
  long commands;
  Map<String, Long> mix = new TreeMap<>();
  long rssMaxKb;
  long threadsMax;
  String loadStart = "?";
  String loadEnd = "?";
  final List<Double> freshness = new ArrayList<>();
  final Scraper.Stats plain = new Scraper.Stats();
  final Scraper.Stats prometheus = new Scraper.Stats();
  int neverPolled;

  /** The process lived to the end of the window. */
  boolean complete;
}
