package org.gradc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.gradc.runtime.HandModel;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.SplitMix64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates a valid checkpoint thousands of times (bit flips, JSON-significant bytes, truncation,
 * insertion, deletion, header-length edits): loading must either succeed or throw {@link
 * CheckpointException} — never another exception, never a hang.
 */
class CheckpointFuzzTest {
  @TempDir Path dir;

  private static final byte[] JSONISH = "\"{}[],:0123456789-+eE. \\tnul".getBytes();

  @Test
  void mutatedCheckpointsAreRefusedCleanly() throws IOException {
    Path good = dir.resolve("good.safetensors");
    Checkpoint.save(CheckpointTest.trained(), good, new Provenance("h", "v", 1L, "d"));
    Checkpoint.load(HandModel.classifier(3, 2, OptimizerKind.ADAM, 0.05), good);
    byte[] base = Files.readAllBytes(good);
    Path f = Path.of("mutant.safetensors");
    int[] outcome = new int[2];
    // a failed load leaves the model untouched, so one model serves every mutation
    HandModel model = HandModel.classifier(3, 2, OptimizerKind.ADAM, 0.05);
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          for (int i = 0; i < 3000; i++) {
            SplitMix64 r = SplitMix64.derive(2024, i);
            byte[] m = base.clone();
            int count = 1 + r.nextInt(3);
            for (int k = 0; k < count; k++) {
              m = mutate(m, r);
            }
            try {
              Checkpoint.load(model, f, new BytesChannel(m));
              outcome[0]++;
            } catch (CheckpointException expected) {
              assertTrue(expected.getMessage().startsWith(f.toString() + ": "));
              assertTrue(!expected.getMessage().contains("\n"), expected.getMessage());
              outcome[1]++;
            } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
              fail("mutation " + i + " threw " + e + " for bytes " + Arrays.toString(m), e);
            }
          }
        });
    // most mutations must be refused (the CRC covers the data, the header is strict)
    assertTrue(outcome[1] > 2500, "refused " + outcome[1] + ", loaded " + outcome[0]);
  }

  private static byte[] mutate(byte[] m, SplitMix64 r) {
    if (m.length == 0) {
      return new byte[] {(byte) r.nextInt(256)};
    }
    int at = r.nextInt(m.length);
    switch (r.nextInt(8)) {
      case 0 -> m[at] ^= (byte) (1 << r.nextInt(8));
      case 1 -> m[at] = (byte) r.nextInt(256);
      case 2 -> {
        // land in the header, where JSON syntax matters
        int h = 8 + r.nextInt(Math.max(1, Math.min(m.length - 8, 400)));
        if (h < m.length) {
          m[h] = JSONISH[r.nextInt(JSONISH.length)];
        }
      }
      case 3 -> m = Arrays.copyOf(m, r.nextInt(m.length));
      case 4 -> {
        byte[] out = new byte[m.length + 1 + r.nextInt(8)];
        System.arraycopy(m, 0, out, 0, at);
        for (int i = at; i < at + out.length - m.length; i++) {
          out[i] = JSONISH[r.nextInt(JSONISH.length)];
        }
        System.arraycopy(m, at, out, at + out.length - m.length, m.length - at);
        m = out;
      }
      case 5 -> {
        int len = Math.min(m.length - at, 1 + r.nextInt(16));
        byte[] out = new byte[m.length - len];
        System.arraycopy(m, 0, out, 0, at);
        System.arraycopy(m, at + len, out, at, m.length - at - len);
        m = out;
      }
      case 6 -> {
        if (m.length >= 8) {
          long n = 0;
          for (int i = 7; i >= 0; i--) {
            n = (n << 8) | (m[i] & 0xff);
          }
          n += r.nextInt(17) - 8;
          if (r.nextInt(4) == 0) {
            n = r.nextLong();
          }
          for (int i = 0; i < 8; i++) {
            m[i] = (byte) (n >>> (8 * i));
          }
        }
      }
      default -> {
        // a digit somewhere in the header: offsets, shapes and numbers
        for (int tries = 0; tries < 50; tries++) {
          int h = 8 + r.nextInt(Math.max(1, m.length - 8));
          if (h < m.length && m[h] >= '0' && m[h] <= '9') {
            m[h] = (byte) ('0' + r.nextInt(10));
            break;
          }
        }
      }
    }
    return m;
  }
}
