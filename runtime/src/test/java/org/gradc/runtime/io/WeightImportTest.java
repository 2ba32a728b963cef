package org.gradc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gradc.runtime.DType;
import org.gradc.runtime.Init;
import org.gradc.runtime.Initializer;
import org.gradc.runtime.Model;
import org.gradc.runtime.ModelSpec;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.SpecModel;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weight import from safetensors files that no gradc code wrote: every file here is assembled byte
 * by byte from the format's documentation (8-byte little-endian header length, JSON header with
 * dtype/shape/data_offsets, raw little-endian data), with PyTorch's {@code state_dict} names and
 * layouts.
 */
class WeightImportTest {
  @TempDir Path dir;

  /** One tensor of a hand-written file: name, dtype, shape, raw little-endian bytes. */
  record Raw(String name, String dtype, long[] shape, byte[] data) {}

  /** Writes a safetensors file by hand, exactly as the format's README describes it. */
  static Path write(Path file, List<Raw> tensors) throws IOException {
    StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
    long at = 0;
    for (Raw t : tensors) {
      StringBuilder shape = new StringBuilder();
      for (long e : t.shape()) {
        shape.append(shape.length() > 0 ? "," : "").append(e);
      }
      json.append(",\"").append(t.name()).append("\":{\"dtype\":\"").append(t.dtype());
      json.append("\",\"shape\":[").append(shape).append("],\"data_offsets\":[");
      json.append(at).append(',').append(at + t.data().length).append("]}");
      at += t.data().length;
    }
    json.append('}');
    byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + (int) at).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header);
    for (Raw t : tensors) {
      b.put(t.data());
    }
    Files.write(file, b.array());
    return file;
  }

  static Raw f32(String name, long[] shape, float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      b.putFloat(x);
    }
    return new Raw(name, "F32", shape, b.array());
  }

  static Raw f64(String name, long[] shape, double... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double x : v) {
      b.putDouble(x);
    }
    return new Raw(name, "F64", shape, b.array());
  }

  /** 16-bit patterns as F16 or BF16. */
  static Raw bits16(String name, String dtype, long[] shape, int... v) {
    ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int x : v) {
      b.putShort((short) x);
    }
    return new Raw(name, dtype, shape, b.array());
  }

  static Raw i64(String name, long[] shape, long... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long x : v) {
      b.putLong(x);
    }
    return new Raw(name, "I64", shape, b.array());
  }

  static long[] s(long... shape) {
    return shape;
  }

  /**
   * x[batch, 2] → W1[2, 3] + b1[3] → batch-norm-like gamma, beta, mu, var[3] → W2[3, 1] + b2[1],
   * trained with Adam (so it has optimizer state).
   */
  static SpecModel model(DType precision) {
    List<TensorSpec> t = new ArrayList<>();
    t.add(new TensorSpec("x", TensorKind.INPUT, precision, new int[] {-1, 2}, "x", null, 0));
    Init zeros = new Init(Initializer.ZEROS, List.of());
    String[][] params = {
      {"W1", "2,3"},
      {"b1", "3"},
      {"gamma", "3"},
      {"beta", "3"},
      {"mu", "3"},
      {"var", "3"},
      {"W2", "3,1"},
      {"b2", "1"}
    };
    for (String[] p : params) {
      int[] shape = java.util.Arrays.stream(p[1].split(",")).mapToInt(Integer::parseInt).toArray();
      t.add(new TensorSpec(p[0], TensorKind.PARAM, precision, shape, p[0], zeros, 0));
    }
    for (String[] p : params) {
      int[] shape = java.util.Arrays.stream(p[1].split(",")).mapToInt(Integer::parseInt).toArray();
      for (String st : List.of("m", "v")) {
        t.add(new TensorSpec(p[0] + "." + st, TensorKind.STATE, precision, shape, p[0], null, 0));
      }
    }
    t.add(new TensorSpec("y", TensorKind.OUTPUT, precision, new int[] {-1, 1}, "y", null, 0));
    double[] hyper =
        OptimizerKind.ADAM.hyperParameters().stream()
            .mapToDouble(OptimizerKind.HyperParameter::defaultValue)
            .toArray();
    return new SpecModel(new ModelSpec("Net", precision, t, OptimizerKind.ADAM, hyper));
  }

  /** PyTorch's nn.Sequential(Linear(2, 3), BatchNorm1d(3), ReLU(), Linear(3, 1)).state_dict(). */
  Path pytorchStateDict() throws IOException {
    return write(
        dir.resolve("net.safetensors"),
        List.of(
            // Linear(2, 3).weight is [out, in] = [3, 2]: row o holds the weights into unit o.
            f32("0.weight", s(3, 2), 1, 2, 3, 4, 5, 6),
            f32("0.bias", s(3), 0.5f, -0.5f, 0.25f),
            // F16 1.0, -2.0, 65504 (largest half); BF16 of 1.5f, -0.0, 3.0.
            bits16("1.weight", "F16", s(3), 0x3c00, 0xc000, 0x7bff),
            bits16("1.bias", "BF16", s(3), 0x3fc0, 0x8000, 0x4040),
            f64("1.running_mean", s(3), 0.1, 0.2, 0.3),
            f32("1.running_var", s(3), 1, 2, 3),
            i64("1.num_batches_tracked", s(), 7),
            f32("3.weight", s(1, 3), 7, 8, 9),
            f32("3.bias", s(1), -1)));
  }

  static WeightImport pytorchMapping(Path file) {
    return WeightImport.from(file)
        .map("0.weight", "W1")
        .transpose("W1")
        .map("0.bias", "b1")
        .map("1.weight", "gamma")
        .map("1.bias", "beta")
        .map("1.running_mean", "mu")
        .map("1.running_var", "var")
        .map("3.weight", "W2")
        .transpose("W2")
        .map("3.bias", "b2")
        .ignore("*.num_batches_tracked");
  }

  @Test
  void pytorchStateDictLoadsThroughAMapping() throws IOException {
    SpecModel m = model(DType.F32);
    ((float[]) m.tensor(TensorKind.STATE, "W1.m"))[0] = 9; // stale optimizer state
    m.steps(12);
    WeightImport.Result r = pytorchMapping(pytorchStateDict()).into(m);
    // W1[i][o] = weight[o][i].
    assertArrayEquals(new float[] {1, 3, 5, 2, 4, 6}, m.parameter("W1"));
    assertArrayEquals(new float[] {0.5f, -0.5f, 0.25f}, m.parameter("b1"));
    assertArrayEquals(new float[] {1, -2, 65504}, m.parameter("gamma"));
    float[] beta = m.parameter("beta");
    assertArrayEquals(new float[] {1.5f, -0f, 3}, beta);
    assertEquals(0x80000000, Float.floatToRawIntBits(beta[1]), "BF16 -0 stays -0");
    assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f}, m.parameter("mu"));
    assertArrayEquals(new float[] {1, 2, 3}, m.parameter("var"));
    assertArrayEquals(new float[] {7, 8, 9}, m.parameter("W2"));
    assertArrayEquals(new float[] {-1}, m.parameter("b2"));
    assertEquals(0f, ((float[]) m.tensor(TensorKind.STATE, "W1.m"))[0]);
    assertEquals(0, m.steps());
    assertEquals(List.of("1.num_batches_tracked"), r.ignored());
    assertEquals(16, r.zeroed().size());
    assertEquals("pt", r.metadata().get("format"));
    assertEquals(
        "imported 8 tensors (2 transposed); ignored 1: 1.num_batches_tracked", r.summary());
  }

  @Test
  void f64ModelWidensEveryFloatTypeExactly() throws IOException {
    SpecModel m = model(DType.F64);
    pytorchMapping(pytorchStateDict()).into(m);
    assertArrayEquals(
        new double[] {0.1, 0.2, 0.3}, (double[]) m.tensor(TensorKind.PARAM, "mu"), 0.0);
    assertArrayEquals(
        new double[] {1, 3, 5, 2, 4, 6}, (double[]) m.tensor(TensorKind.PARAM, "W1"), 0.0);
  }

  @Test
  void identicallyNamedTensorsNeedNoMapping() throws IOException {
    SpecModel m = model(DType.F32);
    List<Raw> ts = new ArrayList<>();
    for (String p : List.of("b1", "gamma", "beta", "mu", "var")) {
      ts.add(f32(p, s(3), 1, 2, 3));
    }
    ts.add(f32("W1", s(2, 3), 1, 2, 3, 4, 5, 6));
    ts.add(f32("W2", s(3, 1), 1, 2, 3));
    ts.add(f32("b2", s(1), 4));
    ts.add(f32("W1.m", s(2, 3), 6, 5, 4, 3, 2, 1));
    Path f = write(dir.resolve("same.safetensors"), ts);
    WeightImport.Result r = WeightImport.from(f).into(m);
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, m.parameter("W1"));
    assertArrayEquals(new float[] {6, 5, 4, 3, 2, 1}, (float[]) m.tensor(TensorKind.STATE, "W1.m"));
    assertEquals(15, r.zeroed().size());
  }

  @Test
  void everyMismatchIsOneLineNamingTheTensorAndTheModelStaysUnchanged() throws IOException {
    SpecModel m = model(DType.F32);
    m.initialize(3);
    float[] before = m.parameter("W1").clone();
    Path f =
        write(
            dir.resolve("bad.safetensors"),
            List.of(
                f32("0.weight", s(3, 2), 1, 2, 3, 4, 5, 6), // not transposed
                f32("0.bias", s(4), 1, 2, 3, 4), // wrong shape
                i64("1.num_batches_tracked", s(), 7), // an integer into a float tensor
                f32("extra", s(1), 1), // nothing takes it
                f32("3.weight", s(1, 3), 7, 8, 9)));
    WeightImportException e =
        assertThrows(
            WeightImportException.class,
            () ->
                WeightImport.from(f)
                    .map("0.weight", "W1")
                    .map("0.bias", "b1")
                    .map("1.num_batches_tracked", "gamma")
                    .map("1.running_mean", "mu") // not in the file
                    .map("3.weight", "W9") // not in the model
                    .into(m));
    List<String> p = e.problems();
    String all = String.join("\n", p);
    assertEquals(
        List.of(
            "mapping 1.running_mean -> mu: the file has no tensor '1.running_mean' (it has 0.weight,"
                + " 0.bias, 1.num_batches_tracked, extra, 3.weight)",
            "mapping 3.weight -> W9: model 'Net' has no parameter 'W9'; its parameters are [W1, b1,"
                + " gamma, beta, mu, var, W2, b2]",
            "tensor 'extra' (F32[1]): model 'Net' has no tensor of that name; map it to one, or"
                + " ignore it",
            "tensor '0.weight' -> W1: shape [3, 2] in the file, W1 is F32[2, 3]; it is stored"
                + " transposed ([out, in], as PyTorch's Linear): transpose W1",
            "tensor '0.bias' -> b1: shape [4] in the file, b1 is F32[3]",
            "tensor '1.num_batches_tracked' -> gamma: dtype I64 cannot be imported, a"
                + " floating-point tensor takes F32, F64, F16 or BF16; ignore the tensor if it is"
                + " not a weight",
            "parameter beta (F32[3]): no tensor in the file goes to it",
            "parameter var (F32[3]): no tensor in the file goes to it",
            "parameter W2 (F32[3, 1]): no tensor in the file goes to it",
            "parameter b2 (F32[1]): no tensor in the file goes to it (unused file tensors of a"
                + " fitting shape: [extra])"),
        p,
        all);
    assertTrue(
        e.getMessage().startsWith(f + ": cannot import weights into model 'Net' (10 problems)\n  "),
        e.getMessage());
    assertArrayEquals(before, m.parameter("W1"));
    assertTrue(e instanceof CheckpointException, "the CLI and callers catch CheckpointException");
  }

  @Test
  void aMappingWinsOverTheSameNameAndTheLeftOverTensorIsNamed() throws IOException {
    SpecModel m = model(DType.F32);
    List<Raw> ts = new ArrayList<>();
    for (String p : List.of("b1", "gamma", "beta", "mu", "var")) {
      ts.add(f32(p, s(3), 1, 2, 3));
    }
    ts.add(f32("W1", s(2, 3), 1, 2, 3, 4, 5, 6));
    ts.add(f32("new_W1", s(2, 3), 6, 5, 4, 3, 2, 1));
    ts.add(f32("W2", s(3, 1), 1, 2, 3));
    ts.add(f32("b2", s(1), 4));
    Path f = write(dir.resolve("two.safetensors"), ts);
    WeightImportException e =
        assertThrows(
            WeightImportException.class, () -> WeightImport.from(f).map("new_W1", "W1").into(m));
    assertEquals(
        List.of(
            "tensor 'W1' (F32[2, 3]): W1 receives another tensor by the mapping; ignore this one"),
        e.problems());
    WeightImport.from(f).map("new_W1", "W1").ignore("W1").into(m);
    assertArrayEquals(new float[] {6, 5, 4, 3, 2, 1}, m.parameter("W1"));
  }

  @Test
  void unusedTensorsCanBeAllowedAndAreReported() throws IOException {
    SpecModel m = model(DType.F32);
    List<Raw> ts = new ArrayList<>();
    for (String p : List.of("b1", "gamma", "beta", "mu", "var")) {
      ts.add(f32(p, s(3), 1, 2, 3));
    }
    ts.add(f32("W1", s(2, 3), 1, 2, 3, 4, 5, 6));
    ts.add(f32("W2", s(3, 1), 1, 2, 3));
    ts.add(f32("b2", s(1), 4));
    ts.add(f32("head.weight", s(2), 4, 5));
    Path f = write(dir.resolve("extra.safetensors"), ts);
    assertThrows(WeightImportException.class, () -> WeightImport.from(f).into(m));
    WeightImport.Result r = WeightImport.from(f).allowUnused().into(m);
    assertEquals(List.of("head.weight"), r.unused());
  }

  @Test
  void f64BeyondTheFloatRangeIsRefused() throws IOException {
    SpecModel m = model(DType.F32);
    List<Raw> ts = new ArrayList<>();
    for (String p : List.of("b1", "gamma", "beta", "mu", "var")) {
      ts.add(f64(p, s(3), 1, 2, 3));
    }
    ts.add(f64("W1", s(2, 3), 1, 2, 3, 4, 1e300, 6));
    ts.add(f64("W2", s(3, 1), 1, 2, 3));
    ts.add(f64("b2", s(1), Double.POSITIVE_INFINITY)); // infinity stays infinity: not an overflow
    Path f = write(dir.resolve("big.safetensors"), ts);
    WeightImportException e =
        assertThrows(WeightImportException.class, () -> WeightImport.from(f).into(m));
    assertEquals(
        List.of("tensor 'W1' -> W1: the F64 value at index 4 is beyond the F32 range"),
        e.problems());
    assertEquals(0f, m.parameter("b1")[0], "nothing committed");
  }

  @Test
  void aMalformedFileIsRefusedByTheCheckpointReader() throws IOException {
    Path f = dir.resolve("short.safetensors");
    Files.write(f, new byte[] {1, 2, 3});
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> WeightImport.from(f).into(model(DType.F32)));
    assertTrue(e.getMessage().contains("shorter than the 8-byte header length"), e.getMessage());
    CheckpointException missing =
        assertThrows(
            CheckpointException.class,
            () -> WeightImport.from(dir.resolve("none")).into(model(DType.F32)));
    assertEquals(dir.resolve("none") + ": no such file", missing.getMessage());
  }

  @Test
  void builderRejectsContradictions() {
    WeightImport w = WeightImport.from(dir).map("a", "W1");
    assertThrows(IllegalArgumentException.class, () -> w.map("a", "W2"));
    assertThrows(IllegalArgumentException.class, () -> w.permute("W1", 0, 0));
  }

  @Test
  void permuteMatchesNumpyTranspose() {
    // A [2, 3, 4] tensor permuted with axes (2, 0, 1): out[i][j][k] = in[j][k][i].
    float[] in = new float[24];
    for (int i = 0; i < in.length; i++) {
      in[i] = i;
    }
    float[] out = (float[]) WeightImport.permute(in, new long[] {2, 3, 4}, new int[] {2, 0, 1});
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 2; j++) {
        for (int k = 0; k < 3; k++) {
          assertEquals(in[j * 12 + k * 4 + i], out[i * 6 + j * 3 + k]);
        }
      }
    }
  }

  @Test
  void halfPrecisionDecodesExactly() throws Exception {
    assertEquals(1f, ElementConversion.halfToFloat((short) 0x3c00));
    assertEquals(-2f, ElementConversion.halfToFloat((short) 0xc000));
    assertEquals(65504f, ElementConversion.halfToFloat((short) 0x7bff));
    assertEquals(0x1p-24f, ElementConversion.halfToFloat((short) 0x0001));
    assertEquals(0x1p-14f, ElementConversion.halfToFloat((short) 0x0400));
    assertEquals(0x3ffp-24f, ElementConversion.halfToFloat((short) 0x03ff));
    assertEquals(Float.POSITIVE_INFINITY, ElementConversion.halfToFloat((short) 0x7c00));
    assertEquals(Float.NEGATIVE_INFINITY, ElementConversion.halfToFloat((short) 0xfc00));
    assertTrue(Float.isNaN(ElementConversion.halfToFloat((short) 0x7e00)));
    assertEquals(
        0x80000000, Float.floatToRawIntBits(ElementConversion.halfToFloat((short) 0x8000)));
    assertEquals(1.5f, ElementConversion.bfloat16ToFloat((short) 0x3fc0));
    // On JDK 20+ compare all 65,536 patterns with the JDK's own conversion.
    Method jdk;
    try {
      jdk = Float.class.getMethod("float16ToFloat", short.class);
    } catch (NoSuchMethodException e) {
      return;
    }
    for (int h = 0; h < 0x10000; h++) {
      float want = (float) jdk.invoke(null, (short) h);
      float got = ElementConversion.halfToFloat((short) h);
      assertEquals(
          Float.floatToRawIntBits(want), Float.floatToRawIntBits(got), Integer.toHexString(h));
    }
  }

  @Test
  void largeTensorsAreReadInChunksAndTransposed() throws IOException {
    // 600 x 700 floats (1.6 MB) crosses the 1 MiB read chunk.
    int out = 600;
    int in = 700;
    float[] w = new float[out * in];
    Random r = new Random(5);
    for (int i = 0; i < w.length; i++) {
      w[i] = r.nextFloat();
    }
    List<TensorSpec> t =
        List.of(
            new TensorSpec("W", TensorKind.PARAM, DType.F32, new int[] {in, out}, "W", null, 0));
    Model m =
        new SpecModel(
            new ModelSpec("Big", DType.F32, t, OptimizerKind.SGD, new double[] {0.1, 0, 0, 0}));
    Path f = write(dir.resolve("big.safetensors"), List.of(f32("weight", s(out, in), w)));
    WeightImport.from(f).map("weight", "W").transpose("W").into(m);
    float[] got = m.parameter("W");
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        assertEquals(w[o * in + i], got[i * out + o]);
      }
    }
  }
}
