package org.gradc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class HistoryTest {
  @TempDir Path dir;

  static History sample(int epochs, boolean accuracy) {
    History h = new History();
    for (int e = 1; e <= epochs; e++) {
      Map<Metric, Double> m = new LinkedHashMap<>();
      m.put(Metric.LOSS, 1.2 / e + 0.05);
      if (accuracy) {
        m.put(Metric.ACCURACY, 1 - 0.5 / e);
      }
      m.put(Metric.VAL_LOSS, 1.3 / e + 0.1 + (e > 7 ? 0.02 * (e - 7) : 0));
      if (accuracy) {
        m.put(Metric.VAL_ACCURACY, 0.97 - 0.5 / e);
      }
      m.put(Metric.LR, 0.001);
      m.put(Metric.SECONDS, 2.5);
      h.add(new Metrics(m));
    }
    return h;
  }

  @Test
  void csvRoundTrips() {
    History h = sample(3, true);
    String csv = h.toCsv();
    assertTrue(
        csv.startsWith("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n1,1.25,0.5,"), csv);
    assertEquals(4, csv.split("\n").length);
    History back = History.fromCsv(csv);
    for (Metric m : h.metrics()) {
      assertArrayEquals(h.values(m), back.values(m));
    }
  }

  @Test
  void svgIsWellFormedWithAxesAndLegend() throws Exception {
    for (History h : new History[] {sample(12, true), sample(1, false), new History()}) {
      String svg = h.toSvg();
      Document doc =
          DocumentBuilderFactory.newInstance()
              .newDocumentBuilder()
              .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
      assertEquals("svg", doc.getDocumentElement().getTagName());
      if (h.size() > 0) {
        assertTrue(svg.contains(">epoch</text>"));
        assertTrue(svg.contains(">training</text>") && svg.contains(">validation</text>"));
        assertTrue(svg.contains("<polyline"));
      }
    }
    assertTrue(sample(12, true).toSvg().contains(">accuracy</text>"));
    Path f = dir.resolve("h.svg");
    sample(12, true).writeSvg(f);
    assertTrue(Files.size(f) > 1000);
  }

  @Test
  void niceSteps() {
    assertEquals(0.2, HistoryChart.niceStep(0.17), 1e-12);
    assertEquals(5, HistoryChart.niceStep(3), 1e-12);
    assertEquals(10, HistoryChart.niceStep(7), 1e-12);
    assertEquals(0.001, HistoryChart.niceStep(0.001), 1e-15);
  }
}
