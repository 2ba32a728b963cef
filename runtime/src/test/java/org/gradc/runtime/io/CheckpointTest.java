package org.gradc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.gradc.runtime.DType;
import org.gradc.runtime.HandModel;
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

class CheckpointTest {
  @TempDir Path dir;

  static HandModel trained() {
    HandModel m = HandModel.classifier(3, 2, OptimizerKind.ADAM, 0.05);
    m.initialize(11);
    m.feed("x", new float[] {1, 2, 3, -1, 0.5f, 2});
    m.feed("y", new int[] {1, 0});
    m.trainStep();
    m.trainStep();
    return m;
  }

  private static void assertSameBits(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    for (int i = 0; i < a.length; i++) {
      assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "element " + i);
    }
  }

  @Test
  void roundTripIsBitExact() {
    HandModel m = trained();
    float[] w = m.parameter("W");
    w[0] = -0.0f;
    w[1] = Float.intBitsToFloat(0x7fc01234); // a NaN with a payload
    w[2] = Float.MIN_VALUE;
    m.hyperParameter("beta1", 0.8123456789);
    Path f = dir.resolve("m.safetensors");
    Checkpoint.save(m, f, new Provenance("abc123", "0.1.0", 11L, "deadbeef"));
    HandModel back = HandModel.classifier(3, 2, OptimizerKind.ADAM, 0.05);
    Checkpoint.Info info = Checkpoint.load(back, f);
    for (String p : List.of("W", "b")) {
      assertSameBits(m.parameter(p), back.parameter(p));
      for (String s : List.of(".m", ".v")) {
        assertSameBits(
            (float[]) m.tensor(TensorKind.STATE, p + s),
            (float[]) back.tensor(TensorKind.STATE, p + s));
      }
    }
    assertEquals(2, back.steps());
    assertEquals(2, info.step());
    assertEquals(0.8123456789, back.hyperParameter("beta1"));
    assertEquals(0.05, back.hyperParameter("lr"));
    assertEquals(new Provenance("abc123", "0.1.0", 11L, "deadbeef"), info.provenance());
    assertEquals("Softmax", Checkpoint.inspect(f).get("gradc.model"));
  }

  @Test
  void f64AndIntTensorsRoundTrip() {
    List<TensorSpec> t =
        List.of(
            new TensorSpec(
                "d",
                TensorKind.PARAM,
                DType.F64,
                new int[] {3},
                "d",
                new Init(Initializer.NORMAL, List.of(0.0, 1.0)),
                0),
            new TensorSpec("i", TensorKind.STATE, DType.I32, new int[] {2, 2}, "d", null, 0));
    ModelSpec spec = new ModelSpec("Mixed", DType.F64, t, OptimizerKind.SGD, new double[4]);
    SpecModel m = new SpecModel(spec);
    m.initialize(3);
    int[] ints = (int[]) m.tensor(TensorKind.STATE, "i");
    ints[0] = -7;
    ints[3] = Integer.MAX_VALUE;
    Path f = dir.resolve("mixed.safetensors");
    Checkpoint.save(m, f, Provenance.NONE);
    SpecModel back = new SpecModel(spec);
    Checkpoint.load(back, f);
    assertArrayEquals(
        (double[]) m.tensor(TensorKind.PARAM, "d"), (double[]) back.tensor(TensorKind.PARAM, "d"));
    assertArrayEquals(ints, (int[]) back.tensor(TensorKind.STATE, "i"));
  }

  static ModelSpec fixtureSpec() {
    Init zeros = new Init(Initializer.ZEROS, List.of());
    List<TensorSpec> t =
        List.of(
            new TensorSpec("w", TensorKind.PARAM, DType.F32, new int[] {2}, "w", zeros, 0),
            new TensorSpec("b", TensorKind.PARAM, DType.F32, new int[0], "b", zeros, 0));
    return new ModelSpec("Fix", DType.F32, t, OptimizerKind.SGD, new double[] {0.5, 0, 0, 0});
  }

  /**
   * The exact bytes, computed by hand (CRC32s with Python's zlib): u64 LE header length 336, the
   * JSON header padded with 7 spaces, then w = [1.0, -2.0] and b = 0.5 as little-endian f32.
   */
  static final String FIXTURE_HEADER =
      "{\"__metadata__\":{\"gradc.model\":\"Fix\",\"gradc.spec_fingerprint\":\"86cc6ddd\","
          + "\"gradc.optimizer\":\"sgd\","
          + "\"gradc.hyper\":\"lr=0.5,momentum=0.0,nesterov=0.0,weight_decay=0.0\","
          + "\"gradc.step\":\"3\",\"gradc.crc32\":\"332b058b\",\"gradc.seed\":\"7\"},"
          + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
          + "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}       ";

  static byte[] fixtureBytes() {
    byte[] header = FIXTURE_HEADER.getBytes(StandardCharsets.US_ASCII);
    byte[] len = HexFormat.of().parseHex("5001000000000000");
    byte[] data = HexFormat.of().parseHex("0000803f000000c00000003f");
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length);
    return b.put(len).put(header).put(data).array();
  }

  @Test
  void writesTheHandComputedFixture() throws IOException {
    assertEquals(336, FIXTURE_HEADER.length());
    SpecModel m = new SpecModel(fixtureSpec());
    float[] w = m.parameter("w");
    w[0] = 1.0f;
    w[1] = -2.0f;
    m.parameter("b")[0] = 0.5f;
    m.steps(3);
    Path f = dir.resolve("fix.safetensors");
    Checkpoint.save(m, f, new Provenance(null, null, 7L, null));
    assertEquals(
        HexFormat.of().formatHex(fixtureBytes()), HexFormat.of().formatHex(Files.readAllBytes(f)));
    SpecModel back = new SpecModel(fixtureSpec());
    Path g = dir.resolve("given.safetensors");
    Files.write(g, fixtureBytes());
    Checkpoint.load(back, g);
    assertArrayEquals(new float[] {1.0f, -2.0f}, back.parameter("w"));
    assertEquals(0.5f, back.parameter("b")[0]);
    assertEquals(3, back.steps());
  }

  /** A file as another tool (NumPy/PyTorch) writes it: weights only, no gradc metadata. */
  @Test
  void readsForeignWeightsWithoutMetadata() throws IOException {
    HandModel m = trained();
    String header =
        "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]},"
            + "\"W\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]}}";
    ByteBuffer data = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : new float[] {1, 2, 3, 4, 5, 6, 7, 8}) {
      data.putFloat(v);
    }
    Path f = file(header, data.array());
    Checkpoint.load(m, f);
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, m.parameter("W"));
    assertArrayEquals(new float[] {7, 8}, m.parameter("b"));
    assertArrayEquals(new float[6], (float[]) m.tensor(TensorKind.STATE, "W.m"));
    assertEquals(0, m.steps());
  }

  private Path file(String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path f = dir.resolve("crafted.safetensors");
    Files.write(f, b.array());
    return f;
  }

  private String refusal(Model m, Path f) {
    String msg = assertThrows(CheckpointException.class, () -> Checkpoint.load(m, f)).getMessage();
    assertTrue(msg.startsWith(f + ": "), msg);
    return msg.substring(f.toString().length() + 2);
  }

  private String refusal(String header, int dataBytes) throws IOException {
    return refusal(new SpecModel(fixtureSpec()), file(header, new byte[dataBytes]));
  }

  private static String entry(String name, String dtype, String shape, long begin, long end) {
    return "\""
        + name
        + "\":{\"dtype\":\""
        + dtype
        + "\",\"shape\":"
        + shape
        + ",\"data_offsets\":["
        + begin
        + ","
        + end
        + "]}";
  }

  @Test
  void refusesMalformedFilesNamingTheFirstProblem() throws IOException {
    String w = entry("w", "F32", "[2]", 0, 8);
    String b = entry("b", "F32", "[]", 8, 12);
    assertEquals("", refusalOrEmpty("{" + w + "," + b + "}", 12));
    assertEquals(
        "tensor 'w': data_offsets [0, 8] lie outside the 6 data bytes",
        refusal("{" + w + "," + b + "}", 6));
    assertEquals(
        "tensors are not contiguous: 4 unused bytes after the last tensor",
        refusal("{" + w + "," + b + "}", 16));
    assertEquals(
        "tensor 'b' overlaps tensor 'w' in the data",
        refusal("{" + w + "," + entry("b", "F32", "[]", 4, 8) + "}", 8));
    assertEquals(
        "tensors are not contiguous: 4 unused bytes before tensor 'b'",
        refusal("{" + w + "," + entry("b", "F32", "[]", 12, 16) + "}", 16));
    assertEquals(
        "tensor 'w': data_offsets span 8 bytes, but F32 of shape [3] takes 12",
        refusal("{" + entry("w", "F32", "[3]", 0, 8) + "," + b + "}", 12));
    assertEquals(
        "tensor 'w': shape [1, 2] in the file, the model expects [2]",
        refusal("{" + entry("w", "F32", "[1,2]", 0, 8) + "," + b + "}", 12));
    assertEquals(
        "tensor 'w': dtype I32 in the file, the model expects F32",
        refusal("{" + entry("w", "I32", "[2]", 0, 8) + "," + b + "}", 12));
    assertEquals(
        "tensor 'w': unknown dtype \"F33\"",
        refusal("{" + entry("w", "F33", "[2]", 0, 8) + "," + b + "}", 12));
    assertEquals(
        "tensor 'z' is not a parameter or optimizer state of model 'Fix'",
        refusal("{" + w + "," + b + "," + entry("z", "F32", "[]", 12, 16) + "}", 16));
    assertEquals("tensor 'b' (parameter F32[]) is missing", refusal("{" + w + "}", 8));
    assertEquals(
        "tensor 'w': shape is too large",
        refusal("{" + entry("w", "F64", "[4611686018427387904,4]", 0, 8) + "}", 8));
    assertEquals("header is not valid JSON: expected ':' at character 4", refusal("{\"a\"", 0));
    assertEquals("header is not a JSON object", refusal("[1,2]", 0));
    assertEquals(
        "header is not valid JSON: duplicate key \"w\" at character 54",
        refusal("{" + w + "," + w + "}", 8));
    assertEquals(
        "__metadata__ value of \"x\" is not a string", refusal("{\"__metadata__\":{\"x\":1}}", 0));
    assertEquals(
        "header is not valid JSON: nested deeper than 32 at character 33",
        refusal("[".repeat(40) + "]".repeat(40), 0));
  }

  private String refusalOrEmpty(String header, int dataBytes) throws IOException {
    Checkpoint.load(new SpecModel(fixtureSpec()), file(header, new byte[dataBytes]));
    return "";
  }

  @Test
  void refusesBadLengthsAndCorruptData() throws IOException {
    Path f = dir.resolve("short");
    Files.write(f, new byte[5]);
    SpecModel m = new SpecModel(fixtureSpec());
    assertEquals(
        "not a safetensors file: 5 bytes, shorter than the 8-byte header length", refusal(m, f));
    byte[] bytes = fixtureBytes();
    bytes[7] = (byte) 0x80;
    Files.write(f, bytes);
    assertEquals(
        "header length 9223372036854776144 exceeds the limit of 100000000 bytes", refusal(m, f));
    bytes = fixtureBytes();
    bytes[1] = 0x10;
    Files.write(f, bytes);
    assertEquals("header length 4176 runs past the end of the file (356 bytes)", refusal(m, f));
    bytes = fixtureBytes();
    bytes[bytes.length - 1] ^= 1;
    Files.write(f, bytes);
    assertEquals(
        "data CRC32 is 442c351d, the header says 332b058b: the file is corrupt", refusal(m, f));
    bytes = fixtureBytes();
    bytes[8 + FIXTURE_HEADER.indexOf("86cc6ddd") + 7] = (byte) 'e';
    Files.write(f, bytes);
    assertEquals(
        "checkpoint was written for model 'Fix' with optimizer sgd (spec fingerprint 86cc6dde);"
            + " this is model 'Fix' with optimizer sgd (86cc6ddd)",
        refusal(m, f));
    assertEquals(0f, m.parameter("w")[0], "a refused load leaves the model untouched");
    assertEquals(
        "no such file",
        assertThrows(CheckpointException.class, () -> Checkpoint.load(m, dir.resolve("none")))
            .getMessage()
            .replace(dir.resolve("none") + ": ", ""));
  }

  @Test
  void saveIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
    HandModel m = trained();
    Path f = dir.resolve("a.safetensors");
    Checkpoint.save(m, f, Provenance.NONE);
    m.parameter("W")[0] = 42f;
    Checkpoint.save(m, f, Provenance.NONE);
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(f), s.toList());
    }
    HandModel back = HandModel.classifier(3, 2, OptimizerKind.ADAM, 0.05);
    back.load(f);
    assertEquals(42f, back.parameter("W")[0]);
    CheckpointException e =
        assertThrows(
            CheckpointException.class,
            () -> Checkpoint.save(m, dir.resolve("no/such/dir/x.safetensors"), Provenance.NONE));
    assertTrue(e.getMessage().endsWith("cannot write: no such directory"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoint.save(m, f, Provenance.NONE, Map.of("gradc.step", "9")));
  }
}
