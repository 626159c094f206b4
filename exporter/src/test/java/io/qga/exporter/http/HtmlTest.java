package io.qga.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlTest {
  @Test
  void escapesEverythingThatCouldOpenMarkup() {
    assertThat(Html.escape("<a href='x' onclick=\"y\">&amp;</a>"))
        .isEqualTo("&lt;a href=&#39;x&#39; onclick=&quot;y&quot;&gt;&amp;amp;&lt;/a&gt;");
    assertThat(Html.escape(null)).isEmpty();
    assertThat(Html.escape("web-1 \u00e9")).isEqualTo("web-1 \u00e9");
  }
}
