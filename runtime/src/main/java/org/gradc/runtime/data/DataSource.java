package org.gradc.runtime.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradc.runtime.SplitMix64;

/**
 * Training (and, where the source has one, test) data named by a one-line spec, as the {@code gradc
 * --data} option takes it:
 *
 * <ul>
 *   <li>{@code synthetic:xor}, {@code synthetic:spirals}, {@code synthetic:linear}, with optional
 *       {@code ?n=1000&noise=0.1&seed=0&features=4&classes=2} ({@code classes} for spirals):
 *       generated training data, and test data of n/4 rows from an independent seed.
 *   <li>{@code csv:FILE?label=COL} (or {@code target=COL} for regression; {@code features=a,b,c};
 *       {@code delimiter=;}): training data only.
 *   <li>{@code text:FILE?length=T}: each non-empty line one example, as byte ids {@code '\n' + line
 *       + '\n'} padded with zeros or cut to T + 1; {@code x} the first T ids, {@code y} the T that
 *       follow ({@link TextLines}). Training data only.
 *   <li>{@code idx:IMAGES,LABELS} (optional {@code ?scale=255} divides the pixels): training data
 *       only.
 *   <li>{@code fashion-mnist} or {@code fashion-mnist:DIR}: the four files of the Debian package
 *       {@code dataset-fashion-mnist} (default directory {@value #FASHION_MNIST}), pixels divided
 *       by 255; training and test data.
 * </ul>
 *
 * @param test {@code null} when the source has none
 */
public record DataSource(String description, Dataset train, Dataset test) {
  public static final String FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

  private static final String USAGE =
      "expected synthetic:xor|spirals|linear, csv:FILE?label=COL, text:FILE?length=T,"
          + " idx:IMAGES,LABELS or fashion-mnist[:DIR]";

  /**
   * Opens {@code spec}.
   *
   * @throws DataException for an unknown or malformed spec, or unreadable data
   */
  public static DataSource open(String spec) {
    int colon = spec.indexOf(':');
    String kind = colon < 0 ? spec : spec.substring(0, colon);
    String rest = colon < 0 ? "" : spec.substring(colon + 1);
    switch (kind) {
      case "synthetic":
        return synthetic(spec, rest);
      case "csv":
        return csv(spec, rest);
      case "text":
        return text(spec, rest);
      case "idx":
        return idx(spec, rest);
      case "fashion-mnist":
        return fashionMnist(Path.of(rest.isEmpty() ? FASHION_MNIST : rest));
      default:
        throw new DataException("unknown data source '" + spec + "'; " + USAGE);
    }
  }

  private static Map<String, String> query(String spec, String q, List<String> allowed) {
    Map<String, String> m = new LinkedHashMap<>();
    if (q == null || q.isEmpty()) {
      return m;
    }
    for (String kv : q.split("&")) {
      String[] p = kv.split("=", 2);
      if (p.length != 2 || !allowed.contains(p[0])) {
        throw new DataException(
            "data source '" + spec + "': unknown option '" + p[0] + "'; options are " + allowed);
      }
      m.put(p[0], p[1]);
    }
    return m;
  }

  private static double number(String spec, Map<String, String> q, String key, double dflt) {
    String v = q.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new DataException(
          "data source '" + spec + "': option " + key + " expects a number, found \"" + v + "\"");
    }
  }

  private static int count(String spec, Map<String, String> q, String key, int dflt) {
    double v = number(spec, q, key, dflt);
    if (v < 1 || v != Math.rint(v) || v > 100_000_000) {
      throw new DataException(
          "data source '" + spec + "': option " + key + " expects a positive integer, found " + v);
    }
    return (int) v;
  }

  private static DataSource synthetic(String spec, String rest) {
    int q = rest.indexOf('?');
    String name = q < 0 ? rest : rest.substring(0, q);
    Map<String, String> o =
        query(
            spec,
            q < 0 ? "" : rest.substring(q + 1),
            List.of("n", "noise", "seed", "features", "classes"));
    long seed = (long) number(spec, o, "seed", 0);
    long testSeed = SplitMix64.mix(seed + 1);
    switch (name) {
      case "xor":
        {
          int n = count(spec, o, "n", 1000);
          return new DataSource(
              "XOR, " + n + " points", Datasets.xor(n, seed), Datasets.xor(test(n), testSeed));
        }
      case "spirals":
        {
          int n = count(spec, o, "n", 2000);
          double noise = number(spec, o, "noise", 0.05);
          int classes = count(spec, o, "classes", 2);
          if (classes < 2) {
            throw new DataException("data source '" + spec + "': spirals need classes >= 2");
          }
          return new DataSource(
              classes + " spirals, " + n + " points, noise " + noise,
              Datasets.spirals(n, classes, noise, seed),
              Datasets.spirals(test(n), classes, noise, testSeed));
        }
      case "linear":
        {
          int n = count(spec, o, "n", 1000);
          int f = count(spec, o, "features", 4);
          double noise = number(spec, o, "noise", 0.1);
          // the test set must share the true weights: draw it from the same seed's rows after n
          Dataset all = Datasets.linear(n + test(n), f, noise, seed);
          return new DataSource(
              "noisy linear regression, " + n + " rows, " + f + " features",
              all.slice(0, n),
              all.slice(n, all.size()));
        }
      default:
        throw new DataException(
            "unknown synthetic data '" + name + "'; there are xor, spirals and linear");
    }
  }

  private static int test(int n) {
    return Math.max(1, n / 4);
  }

  private static DataSource csv(String spec, String rest) {
    int q = rest.indexOf('?');
    String file = q < 0 ? rest : rest.substring(0, q);
    if (file.isEmpty()) {
      throw new DataException("data source '" + spec + "': no file; expected csv:FILE?label=COL");
    }
    Map<String, String> o =
        query(
            spec,
            q < 0 ? "" : rest.substring(q + 1),
            List.of("label", "target", "features", "delimiter"));
    CsvLoader l = Datasets.csv(Path.of(file));
    if (o.containsKey("label")) {
      l.label(o.get("label"));
    }
    if (o.containsKey("target")) {
      l.target(o.get("target"));
    }
    if (o.containsKey("features")) {
      l.features(o.get("features").split(","));
    }
    if (o.containsKey("delimiter")) {
      String d = o.get("delimiter");
      if (d.length() != 1) {
        throw new DataException("data source '" + spec + "': delimiter must be one character");
      }
      l.delimiter(d.charAt(0));
    }
    return new DataSource(file, l.load(), null);
  }

  private static DataSource text(String spec, String rest) {
    int q = rest.indexOf('?');
    String file = q < 0 ? rest : rest.substring(0, q);
    Map<String, String> o = query(spec, q < 0 ? "" : rest.substring(q + 1), List.of("length"));
    if (file.isEmpty() || !o.containsKey("length")) {
      throw new DataException(
          "data source '"
              + spec
              + "': expected text:FILE?length=T (T the model's sequence length)");
    }
    TextLines t = Datasets.text(Path.of(file), count(spec, o, "length", 1));
    return new DataSource(t.describe(Path.of(file)), t.data(), null);
  }

  private static DataSource idx(String spec, String rest) {
    int q = rest.indexOf('?');
    String files = q < 0 ? rest : rest.substring(0, q);
    Map<String, String> o = query(spec, q < 0 ? "" : rest.substring(q + 1), List.of("scale"));
    String[] f = files.split(",");
    if (f.length != 2 || f[0].isEmpty() || f[1].isEmpty()) {
      throw new DataException(
          "data source '" + spec + "': expected idx:IMAGES,LABELS (two files, comma-separated)");
    }
    float scale = o.containsKey("scale") ? (float) number(spec, o, "scale", 1) : 1f;
    Dataset d = Datasets.idx(Path.of(f[0]), Path.of(f[1]), scale);
    return new DataSource(f[0], d, null);
  }

  /** The Fashion-MNIST files in {@code dir} (gzipped or not), pixels divided by 255. */
  public static DataSource fashionMnist(Path dir) {
    Path[] p = new Path[4];
    String[] names = {
      "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
    };
    for (int i = 0; i < 4; i++) {
      Path gz = dir.resolve(names[i] + ".gz");
      Path raw = dir.resolve(names[i]);
      p[i] = Files.exists(gz) ? gz : Files.exists(raw) ? raw : null;
      if (p[i] == null) {
        throw new DataException(
            "Fashion-MNIST not found: no "
                + gz
                + "; install it with 'apt-get install dataset-fashion-mnist', or pass"
                + " fashion-mnist:DIR or idx:IMAGES,LABELS");
      }
    }
    return new DataSource(
        "Fashion-MNIST (" + dir + ")",
        Datasets.idx(p[0], p[1], 255f),
        Datasets.idx(p[2], p[3], 255f));
  }
}
