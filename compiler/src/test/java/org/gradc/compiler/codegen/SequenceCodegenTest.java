package org.gradc.compiler.codegen;

import org.gradc.compiler.diag.SourceFile;
import org.junit.jupiter.api.Test;

/**
 * Unrolled recurrences without embeddings go through today's code generator: loops, families,
 * {@code x[:, t]}, constructors, stack and the prelude cells lower to slices, reshapes and concats.
 * Generated outputs, loss and gradients against the reference evaluator, f32 and f64.
 */
class SequenceCodegenTest {

  private static final String RNN =
      """
      model Rnn
      const T = 6
      const D = 3
      const H = 5
      input  x: float[batch, T, D]
      input  y: int[batch]
      param  Wx: float[D, H] = glorot_uniform
      param  Wh: float[H, H] = glorot_uniform
      param  b:  float[H] = zeros
      param  Wo: float[H, 4] = glorot_uniform
      h[0] = zeros([batch, H])
      for t in 0 .. T {
        h[t + 1] = rnn_cell(x[:, t], h[t], Wx, Wh, b)
      }
      output states = stack(h[1 .. T + 1], axis = 1)
      loss mean(cross_entropy(h[T] @ Wo, y, classes = 4)) + 0.1 * mean(states[:, -2, 1 .. 3])
      """;

  private static final String LSTM =
      """
      model Lstm
      const T = 4
      input  x: float[batch, T, 3]
      input  target: float[batch, 5]
      param  Wx: float[3, 20] = glorot_uniform
      param  Wh: float[5, 20] = glorot_uniform
      param  b:  float[20] = zeros
      h[0] = zeros([batch, 5])
      c[0] = full([batch, 5], 0.5)
      for t in 0 .. T {
        c[t + 1] = lstm_c(x[:, t], h[t], c[t], Wx, Wh, b)
        h[t + 1] = lstm_h(x[:, t], h[t], c[t], Wx, Wh, b)
      }
      loss mse(h[T], target)
      """;

  private static final String GRU =
      """
      model Gru
      const T = 3
      input  x: float[batch, T, 2]
      param  W: float[2, 12] = glorot_uniform
      param  U: float[4, 12] = glorot_uniform
      param  bw: float[12] = zeros
      param  bu: float[12] = ones
      h[0] = ones([batch, 4])
      for t in 0 .. T {
        h[t + 1] = gru_cell(x[:, t], h[t], W, U, bw, bu)
      }
      loss mean(h[T] ^ 2)
      """;

  @Test
  void rnnOverAFloatSequence() throws Exception {
    check("rnn.grad", RNN);
  }

  @Test
  void lstmOverAFloatSequence() throws Exception {
    check("lstm.grad", LSTM);
  }

  @Test
  void gruOverAFloatSequence() throws Exception {
    check("gru.grad", GRU);
  }

  private static void check(String name, String text) throws Exception {
    for (Precision p : Precision.values()) {
      SourceDifferentialTest.check(new SourceFile(name, text), p);
    }
  }
}
