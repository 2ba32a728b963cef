package org.gradc.compiler.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes safetensors files the way another tool would, straight from the format's description (an
 * 8-byte little-endian header length, a JSON header of dtype/shape/data_offsets, the raw
 * little-endian data), without any gradc code: the files {@code --import} is tested with.
 */
final class HandWrittenSafeTensors {
  private record Tensor(String dtype, long[] shape, byte[] data) {}

  private final Map<String, Tensor> tensors = new LinkedHashMap<>();

  HandWrittenSafeTensors f32(String name, long[] shape, float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    tensors.put(name, new Tensor("F32", shape, b.array()));
    return this;
  }

  HandWrittenSafeTensors i64(String name, long[] shape, long... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    tensors.put(name, new Tensor("I64", shape, b.array()));
    return this;
  }

  Path write(Path file) throws IOException {
    StringBuilder json = new StringBuilder("{");
    long at = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      StringBuilder shape = new StringBuilder();
      for (long x : t.shape()) {
        shape.append(shape.length() > 0 ? ", " : "").append(x);
      }
      json.append(json.length() > 1 ? ", " : "").append('"').append(e.getKey()).append("\": ");
      json.append("{\"dtype\": \"").append(t.dtype()).append("\", \"shape\": [").append(shape);
      json.append("], \"data_offsets\": [").append(at).append(", ");
      at += t.data().length;
      json.append(at).append("]}");
    }
    byte[] header = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + (int) at).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header);
    tensors.values().forEach(t -> b.put(t.data()));
    return Files.write(file, b.array());
  }
}
