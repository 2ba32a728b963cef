package org.gradc.runtime.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads one IDX file (the format of MNIST and Fashion-MNIST), raw or gzipped (detected by the gzip
 * magic {@code 1f 8b}). The header is two zero bytes, a type byte ({@code 08} unsigned byte, {@code
 * 09} signed byte, {@code 0B} i16, {@code 0C} i32, {@code 0D} f32, {@code 0E} f64), the number of
 * dimensions, then each extent as a big-endian i32; the values follow, big-endian, row-major.
 *
 * <p>A wrong magic, a zero or absurd extent, a short file or bytes after the data are refused with
 * a {@link DataException} naming the file. Memory grows with the bytes actually read, so a lying
 * header cannot make the reader allocate more than the file holds.
 */
final class IdxReader {
  /** An IDX array: its extents and its values as doubles-in-floats (or ints, for labels). */
  record Array(int[] dims, float[] values, int[] ints) {
    int count() {
      return dims[0];
    }
  }

  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private IdxReader() {}

  static Array read(Path file, boolean asInts) {
    return read(file, asInts, 1f);
  }

  /**
   * Reads {@code file}; float values are divided by {@code divisor} as they are converted ({@code
   * (float) v / divisor}, the same bits as {@link Dataset#normalize(float)}), so no unscaled copy
   * is ever held. The value array is allocated once at its final size when the file's size bounds
   * the data (raw: its length; gzip: the trailer's uncompressed size, at most 1032 times the
   * compressed length, gzip's largest ratio); otherwise it grows with the bytes read.
   */
  static Array read(Path file, boolean asInts, float divisor) {
    long hint = sizeHint(file);
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      InputStream in = raw;
      if (b0 == 0x1f && b1 == 0x8b) {
        in = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
      }
      return read(file, new DataInputStream(in), asInts, divisor, hint);
    } catch (NoSuchFileException e) {
      throw new DataException(file + ": no such file");
    } catch (ZipException e) {
      throw new DataException(file + ": corrupt gzip data (" + e.getMessage() + ")");
    } catch (EOFException e) {
      throw new DataException(file + ": truncated gzip stream");
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * An upper bound the file's own size puts on its uncompressed bytes ({@code Long.MAX_VALUE} when
   * unknown): a hint for the first allocation only; the reader still checks every byte.
   */
  private static long sizeHint(Path file) {
    try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(file)) {
      long size = ch.size();
      ByteBuffer head = ByteBuffer.allocate(2);
      ch.read(head);
      if (size < 18 || (head.get(0) & 0xff) != 0x1f || (head.get(1) & 0xff) != 0x8b) {
        return size;
      }
      ByteBuffer tail = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      ch.position(size - 4);
      ch.read(tail);
      long isize = tail.getInt(0) & 0xffffffffL; // uncompressed size mod 2^32
      return Math.min(isize, 1032 * size);
    } catch (IOException e) {
      return Long.MAX_VALUE; // the read proper reports the problem
    }
  }

  private static Array read(Path file, DataInputStream in, boolean asInts, float divisor, long hint)
      throws IOException {
    byte[] head = new byte[4];
    if (in.readNBytes(head, 0, 4) < 4) {
      throw new DataException(file + ": not an IDX file: shorter than its 4-byte magic");
    }
    int type = head[2] & 0xff;
    int rank = head[3] & 0xff;
    int width = width(type);
    if (head[0] != 0 || head[1] != 0 || width == 0 || rank == 0) {
      throw new DataException(
          String.format(
              "%s: not an IDX file: expected magic 00 00 <type 08|09|0B|0C|0D|0E> <rank>,"
                  + " found %02x %02x %02x %02x",
              file, head[0], head[1], head[2], head[3]));
    }
    if (asInts && (type == 0x0D || type == 0x0E)) {
      throw new DataException(
          String.format("%s: expected integer labels, found IDX type %02x (floats)", file, type));
    }
    int[] dims = new int[rank];
    long count = 1;
    byte[] d = new byte[4 * rank];
    if (in.readNBytes(d, 0, d.length) < d.length) {
      throw new DataException(
          file + ": truncated: header declares " + rank + " dimensions but ends early");
    }
    ByteBuffer dims32 = ByteBuffer.wrap(d);
    for (int i = 0; i < rank; i++) {
      dims[i] = dims32.getInt();
      if (dims[i] <= 0) {
        throw new DataException(
            file + ": dimension " + i + " is " + dims[i] + "; expected a positive extent");
      }
      count *= dims[i];
      if (count > MAX_ELEMENTS) {
        throw new DataException(file + ": dimensions " + dimsString(dims) + " are too large");
      }
    }
    long header = 4 + 4L * rank;
    int first = (int) Math.max(0, Math.min(count, (hint - header) / width));
    float[] values = asInts ? null : new float[first];
    int[] ints = asInts ? new int[first] : null;
    byte[] chunk = new byte[1 << 16];
    long done = 0;
    int carry = 0;
    while (done < count) {
      int want = (int) Math.min(chunk.length - carry, (count - done) * width - carry);
      int got = in.readNBytes(chunk, carry, want);
      if (got < want) {
        long have = done * width + carry + got;
        throw new DataException(
            file
                + ": truncated: dimensions "
                + dimsString(dims)
                + " need "
                + count * width
                + " bytes of data, the file has "
                + have);
      }
      int avail = carry + got;
      int n = avail / width;
      if (asInts) {
        ints = grow(ints, done + n, count);
      } else {
        values = grow(values, done + n, count);
      }
      if (type == 0x08) {
        // the common case (pixels and labels): no per-element dispatch
        if (asInts) {
          unsignedBytes(chunk, n, ints, (int) done);
        } else {
          unsignedBytes(chunk, n, values, (int) done, divisor);
        }
      } else {
        ByteBuffer b = ByteBuffer.wrap(chunk, 0, n * width);
        for (int i = 0; i < n; i++) {
          double v = value(b, type);
          if (asInts) {
            ints[(int) done + i] = (int) v;
          } else {
            if (!Double.isFinite(v)) {
              throw new DataException(
                  file + ": value " + (done + i) + " is " + v + "; expected a finite number");
            }
            values[(int) done + i] = (float) v / divisor;
          }
        }
      }
      done += n;
      carry = avail - n * width;
      System.arraycopy(chunk, n * width, chunk, 0, carry);
    }
    if (in.read() >= 0) {
      throw new DataException(
          file
              + ": dimensions "
              + dimsString(dims)
              + " need "
              + count * width
              + " bytes of data, but the file has more");
    }
    return new Array(dims, values, ints);
  }

  private static float[] grow(float[] a, long need, long count) {
    if (need <= a.length) {
      return a;
    }
    return java.util.Arrays.copyOf(a, (int) Math.min(count, Math.max(need, 2L * a.length)));
  }

  private static int[] grow(int[] a, long need, long count) {
    if (need <= a.length) {
      return a;
    }
    return java.util.Arrays.copyOf(a, (int) Math.min(count, Math.max(need, 2L * a.length)));
  }

  private static int width(int type) {
    switch (type) {
      case 0x08:
      case 0x09:
        return 1;
      case 0x0B:
        return 2;
      case 0x0C:
      case 0x0D:
        return 4;
      case 0x0E:
        return 8;
      default:
        return 0;
    }
  }

  private static double value(ByteBuffer b, int type) {
    switch (type) {
      case 0x08:
        return b.get() & 0xff;
      case 0x09:
        return b.get();
      case 0x0B:
        return b.getShort();
      case 0x0C:
        return b.getInt();
      case 0x0D:
        return b.getFloat();
      default:
        return b.getDouble();
    }
  }

  static String dimsString(int[] dims) {
    return Column.shapeString(dims);
  }

  // The conversions are methods of their own, called once per 64 KB chunk, so that the JIT
  // compiles them after a few chunks even where on-stack replacement is off (gradc train turns it
  // off for the kernels' sake): a loop over a whole file inside one call would stay interpreted.

  /** {@code out[at + i] = bytes[i] & 0xff} for {@code i < n}. */
  private static void unsignedBytes(byte[] bytes, int n, int[] out, int at) {
    for (int i = 0; i < n; i++) {
      out[at + i] = bytes[i] & 0xff;
    }
  }

  /** {@code out[at + i] = (bytes[i] & 0xff) / divisor} for {@code i < n}. */
  private static void unsignedBytes(byte[] bytes, int n, float[] out, int at, float divisor) {
    for (int i = 0; i < n; i++) {
      out[at + i] = (bytes[i] & 0xff) / divisor;
    }
  }
}
