package org.gradc.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated header of a safetensors file: tensor entries (dtype, shape, byte range) and the
 * {@code __metadata__} strings. Reading checks the structure completely — header length bound,
 * UTF-8, JSON, entry fields, byte sizes against shapes, offsets inside the file, tensors contiguous
 * and non-overlapping, no bytes after the last one — and allocates nothing larger than the header
 * itself.
 */
final class SafeTensorsHeader {
  /** The safetensors reference implementation's bound on the header length. */
  static final long MAX_HEADER = 100_000_000L;

  record Entry(String name, String dtype, long[] shape, long begin, long end) {
    long elements() {
      long n = 1;
      for (long e : shape) {
        n *= e;
      }
      return n;
    }

    String shapeString() {
      StringBuilder s = new StringBuilder("[");
      for (int i = 0; i < shape.length; i++) {
        s.append(i > 0 ? ", " : "").append(shape[i]);
      }
      return s.append(']').toString();
    }
  }

  final List<Entry> entries;
  final Map<String, String> metadata;
  final long dataStart;
  final long dataLength;

  private SafeTensorsHeader(
      List<Entry> entries, Map<String, String> metadata, long dataStart, long dataLength) {
    this.entries = entries;
    this.metadata = metadata;
    this.dataStart = dataStart;
    this.dataLength = dataLength;
  }

  static int width(String dtype) {
    switch (dtype) {
      case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3":
        return 1;
      case "I16", "U16", "F16", "BF16":
        return 2;
      case "I32", "U32", "F32":
        return 4;
      case "I64", "U64", "F64":
        return 8;
      default:
        return 0;
    }
  }

  static SafeTensorsHeader read(SeekableByteChannel ch, Path file) throws IOException {
    long size = ch.size();
    if (size < 8) {
      throw fail(
          file,
          "not a safetensors file: " + size + " bytes, shorter than the 8-byte header length");
    }
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, len, 0, file);
    long n = len.flip().getLong();
    if (n < 0 || n > MAX_HEADER) {
      throw fail(
          file,
          "header length "
              + Long.toUnsignedString(n)
              + " exceeds the limit of "
              + MAX_HEADER
              + " bytes");
    }
    if (n > size - 8) {
      throw fail(
          file, "header length " + n + " runs past the end of the file (" + size + " bytes)");
    }
    ByteBuffer hb = ByteBuffer.allocate((int) n);
    readFully(ch, hb, 8, file);
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(hb.flip())
              .toString();
    } catch (CharacterCodingException e) {
      throw fail(file, "header is not valid UTF-8");
    }
    Object root;
    try {
      root = Json.parse(text);
    } catch (Json.ParseError e) {
      throw fail(file, "header is not valid JSON: " + e.getMessage());
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw fail(file, "header is not a JSON object");
    }
    long dataLength = size - 8 - n;
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = (String) e.getKey();
      if (name.equals("__metadata__")) {
        if (!(e.getValue() instanceof Map<?, ?> meta)) {
          throw fail(file, "__metadata__ is not an object of strings");
        }
        for (Map.Entry<?, ?> m : meta.entrySet()) {
          if (!(m.getValue() instanceof String v)) {
            throw fail(file, "__metadata__ value of \"" + m.getKey() + "\" is not a string");
          }
          metadata.put((String) m.getKey(), v);
        }
      } else {
        entries.add(entry(file, name, e.getValue(), dataLength));
      }
    }
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long at = 0;
    Entry previous = null;
    for (Entry t : sorted) {
      if (t.begin() < at) {
        throw fail(
            file,
            "tensor '" + t.name() + "' overlaps tensor '" + previous.name() + "' in the data");
      }
      if (t.begin() > at) {
        throw fail(
            file,
            "tensors are not contiguous: "
                + (t.begin() - at)
                + " unused bytes before tensor '"
                + t.name()
                + "'");
      }
      at = t.end();
      previous = t;
    }
    if (at != dataLength) {
      throw fail(
          file,
          "tensors are not contiguous: "
              + (dataLength - at)
              + " unused bytes after the last tensor");
    }
    return new SafeTensorsHeader(entries, metadata, 8 + n, dataLength);
  }

  private static Entry entry(Path file, String name, Object value, long dataLength) {
    String where = "tensor '" + name + "'";
    if (!(value instanceof Map<?, ?> m)) {
      throw fail(file, where + ": entry is not an object");
    }
    for (Object k : m.keySet()) {
      if (!List.of("dtype", "shape", "data_offsets").contains(k)) {
        throw fail(file, where + ": unknown field \"" + k + "\"");
      }
    }
    if (!(m.get("dtype") instanceof String dtype)) {
      throw fail(file, where + ": dtype is missing or not a string");
    }
    int width = width(dtype);
    if (width == 0) {
      throw fail(file, where + ": unknown dtype \"" + dtype + "\"");
    }
    long[] shape = longs(file, where, "shape", m.get("shape"), -1);
    long[] offsets = longs(file, where, "data_offsets", m.get("data_offsets"), 2);
    long elements = 1;
    try {
      for (long e : shape) {
        elements = Math.multiplyExact(elements, e);
      }
      long bytes = Math.multiplyExact(elements, (long) width);
      if (offsets[0] > offsets[1] || offsets[1] > dataLength) {
        throw fail(
            file,
            where
                + ": data_offsets ["
                + offsets[0]
                + ", "
                + offsets[1]
                + "] lie outside the "
                + dataLength
                + " data bytes");
      }
      if (offsets[1] - offsets[0] != bytes) {
        throw fail(
            file,
            where
                + ": data_offsets span "
                + (offsets[1] - offsets[0])
                + " bytes, but "
                + dtype
                + " of shape "
                + new Entry(name, dtype, shape, 0, 0).shapeString()
                + " takes "
                + bytes);
      }
    } catch (ArithmeticException overflow) {
      throw fail(file, where + ": shape is too large");
    }
    return new Entry(name, dtype, shape, offsets[0], offsets[1]);
  }

  private static long[] longs(Path file, String where, String field, Object v, int count) {
    if (!(v instanceof List<?> list) || (count >= 0 && list.size() != count)) {
      throw fail(
          file,
          where
              + ": "
              + field
              + " is missing or not "
              + (count >= 0 ? "a list of " + count + " integers" : "a list of integers"));
    }
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Long l) || l < 0) {
        throw fail(file, where + ": " + field + " holds " + list.get(i) + ", not an integer >= 0");
      }
      out[i] = l;
    }
    return out;
  }

  static void readFully(SeekableByteChannel ch, ByteBuffer b, long position, Path file)
      throws IOException {
    ch.position(position);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw fail(file, "file ended early (it changed while being read?)");
      }
    }
  }

  static CheckpointException fail(Path file, String message) {
    return new CheckpointException(file + ": " + message);
  }
}
