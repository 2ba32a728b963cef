package org.gradc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  @TempDir Path dir;

  /** An IDX file of unsigned bytes with the given extents and values 0, 1, 2, ... mod 256. */
  static byte[] idx(int... dims) {
    int count = 1;
    for (int d : dims) {
      count *= d;
    }
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + count);
    b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    for (int i = 0; i < count; i++) {
      b.put((byte) (i * 7 % 10));
    }
    return b.array();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  private Path file(String name, byte[] data) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, data);
    return p;
  }

  @Test
  void readsRawAndGzippedMnistLayout() throws IOException {
    Path images = file("images", idx(3, 4, 5));
    Path labels = file("labels.gz", gzip(idx(3)));
    Dataset d = Datasets.idx(images, labels);
    assertEquals(3, d.size());
    FloatColumn x = (FloatColumn) d.column("x");
    assertArrayEquals(new int[] {4, 5}, x.rowShape());
    assertEquals(7f, x.data()[1]);
    assertArrayEquals(new int[] {0, 7, 4}, ((IntColumn) d.column("y")).data());
    Dataset gz = Datasets.idx(file("images.gz", gzip(idx(3, 4, 5))), labels);
    assertArrayEquals(x.data(), ((FloatColumn) gz.column("x")).data());
    assertEquals(1f / 255f, ((FloatColumn) d.normalize(255f).column("x")).data()[3]);
  }

  @Test
  void largeFileReadsAcrossChunks() throws IOException {
    Path images = file("images", idx(1000, 28, 28));
    Path labels = file("labels", idx(1000));
    Dataset d = Datasets.idx(images, labels);
    float[] x = ((FloatColumn) d.column("x")).data();
    assertEquals(784000, x.length);
    assertEquals((783999L * 7 % 10), (long) x[783999]);
  }

  private String error(byte[] images, byte[] labels) throws IOException {
    Path i = file("img", images);
    Path l = file("lab", labels);
    return assertThrows(DataException.class, () -> Datasets.idx(i, l))
        .getMessage()
        .replace(dir.toString() + "/", "");
  }

  @Test
  void malformedFilesNameTheFile() throws IOException {
    byte[] bad = idx(3, 4, 5);
    bad[1] = 1;
    assertEquals(
        "img: not an IDX file: expected magic 00 00 <type 08|09|0B|0C|0D|0E> <rank>, found 00 01"
            + " 08 03",
        error(bad, idx(3)));
    byte[] good = idx(3, 4, 5);
    assertEquals(
        "img: truncated: dimensions [3, 4, 5] need 60 bytes of data, the file has 59",
        error(Arrays.copyOf(good, good.length - 1), idx(3)));
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertEquals(
        "img: dimensions [3, 4, 5] need 60 bytes of data, but the file has more",
        error(longer, idx(3)));
    byte[] zero = idx(3, 4, 5);
    zero[8] = 0;
    zero[9] = 0;
    zero[10] = 0;
    zero[11] = 0;
    assertEquals("img: dimension 1 is 0; expected a positive extent", error(zero, idx(3)));
    byte[] huge = idx(3, 4, 5);
    Arrays.fill(huge, 4, 16, (byte) 0x7f);
    assertEquals("img: dimensions [2139062143, 2139062143, 0] are too large", error(huge, idx(3)));
    assertEquals("img holds 3 examples but lab holds 4 labels", error(good, idx(4)));
    assertEquals(
        "lab: expected a 1-dimensional label file, found dimensions [3, 1]",
        error(good, idx(3, 1)));
    assertEquals("img: not an IDX file: shorter than its 4-byte magic", error(new byte[2], idx(3)));
    byte[] gz = gzip(good);
    assertEquals("img: truncated gzip stream", error(Arrays.copyOf(gz, gz.length - 12), idx(3)));
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(12 + 4 * v.length);
    b.put((byte) 0).put((byte) 0).put((byte) 0x0D).put((byte) 2).putInt(v.length / 2).putInt(2);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  @Test
  void otherElementTypes() throws IOException {
    Path images = file("f32", floats(1.5f, -2f, 3f, 4f));
    Dataset d = Datasets.idx(images, file("labels", idx(2)));
    assertArrayEquals(new float[] {1.5f, -2f, 3f, 4f}, ((FloatColumn) d.column("x")).data());
    assertEquals(
        "img: value 1 is NaN; expected a finite number",
        error(floats(1f, Float.NaN, 0f, 0f), idx(2)));
    assertEquals(
        "lab: expected integer labels, found IDX type 0d (floats)",
        error(idx(2, 3, 3), floats(1f, 2f)));
  }

  @Test
  void dividingWhileReadingEqualsNormalizeBitForBit() throws IOException {
    byte[] raw = idx(300, 28, 28);
    for (int i = 16; i < raw.length; i++) {
      raw[i] = (byte) (i * 31); // all 256 byte values
    }
    Path labels = file("labels", idx(300));
    for (Path images : new Path[] {file("images", raw), file("images.gz", gzip(raw))}) {
      float[] expected =
          ((FloatColumn) Datasets.idx(images, labels).normalize(255f).column("x")).data();
      float[] divided = ((FloatColumn) Datasets.idx(images, labels, 255f).column("x")).data();
      assertArrayEquals(expected, divided, images.toString());
    }
  }

  /**
   * The gzip trailer's size only sizes the first allocation: a trailer that lies either way still
   * reads every value (too small: the array grows; too large: capped by the header's count).
   */
  @Test
  void lyingGzipTrailerOnlyChangesTheFirstAllocation() throws IOException {
    byte[] raw = idx(100, 28, 28);
    float[] expected =
        ((FloatColumn) Datasets.idx(file("i", raw), file("l", idx(100))).column("x")).data();
    for (int isize : new int[] {0, 20, Integer.MAX_VALUE, -1}) {
      byte[] gz = gzip(raw);
      ByteBuffer.wrap(gz, gz.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(isize);
      Path images = file("lie.gz", gz);
      // GZIPInputStream checks the trailer at the end of the stream: a lying one is reported
      DataException e =
          assertThrows(DataException.class, () -> Datasets.idx(images, file("l", idx(100))));
      assertTrue(e.getMessage().startsWith(images.toString()), e.getMessage());
    }
    assertEquals(78400, expected.length);
  }
}
