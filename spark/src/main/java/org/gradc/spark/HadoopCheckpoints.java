package org.gradc.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.gradc.runtime.Model;
import org.gradc.runtime.io.Checkpoint;
import org.gradc.runtime.io.CheckpointException;
import org.gradc.runtime.io.Provenance;

/**
 * Checkpoints of a Spark run in a directory of any Hadoop {@link FileSystem} (local, HDFS, S3A,
 * ...), in the runtime's safetensors format ({@link Checkpoint}): {@code step-<12
 * digits>.safetensors}, one per checkpointed step. A checkpoint is written to a hidden temporary
 * name in the same directory, then renamed, so a reader never sees a partial file; older
 * checkpoints are deleted after the new one is in place. The newest complete file is the one {@link
 * #loadLatest} reads.
 */
final class HadoopCheckpoints {
  private static final String PREFIX = "step-";
  private static final String SUFFIX = ".safetensors";

  private final Path dir;
  private final Configuration conf;

  HadoopCheckpoints(String dir, Configuration conf) {
    this.dir = new Path(dir);
    this.conf = conf;
  }

  /** Writes {@code model} with {@code extra} metadata as the checkpoint of its current step. */
  void save(Model model, Provenance provenance, Map<String, String> extra) {
    String name = String.format("%s%012d%s", PREFIX, model.steps(), SUFFIX);
    java.nio.file.Path local = null;
    try {
      FileSystem fs = dir.getFileSystem(conf);
      fs.mkdirs(dir);
      local = Files.createTempFile("gradc-checkpoint", SUFFIX);
      Checkpoint.save(model, local, provenance, extra);
      Path tmp = new Path(dir, "." + name + ".tmp");
      Path target = new Path(dir, name);
      fs.copyFromLocalFile(false, true, new Path(local.toUri()), tmp);
      fs.delete(target, false);
      if (!fs.rename(tmp, target)) {
        throw new IOException("rename of " + tmp + " to " + target + " failed");
      }
      for (FileStatus s : fs.listStatus(dir)) {
        String n = s.getPath().getName();
        if (n.startsWith(PREFIX) && n.endsWith(SUFFIX) && !n.equals(name)) {
          fs.delete(s.getPath(), false);
        }
      }
    } catch (IOException e) {
      throw new CheckpointException(dir + ": cannot write checkpoint " + name + ": " + e, e);
    } finally {
      deleteQuietly(local);
    }
  }

  /**
   * Loads the newest checkpoint of the directory into {@code model}.
   *
   * @throws CheckpointException when there is none, or it does not fit the model
   */
  Checkpoint.Info loadLatest(Model model) {
    java.nio.file.Path local = null;
    try {
      FileSystem fs = dir.getFileSystem(conf);
      Path latest = null;
      if (fs.exists(dir)) {
        for (FileStatus s : fs.listStatus(dir)) {
          String n = s.getPath().getName();
          if (n.startsWith(PREFIX)
              && n.endsWith(SUFFIX)
              && (latest == null || n.compareTo(latest.getName()) > 0)) {
            latest = s.getPath();
          }
        }
      }
      if (latest == null) {
        throw new CheckpointException(
            dir + ": no checkpoint (" + PREFIX + "*" + SUFFIX + ") to resume from");
      }
      local = Files.createTempFile("gradc-checkpoint", SUFFIX);
      fs.copyToLocalFile(false, latest, new Path(local.toUri()), true);
      try {
        return Checkpoint.load(model, local);
      } catch (CheckpointException e) {
        // name the checkpoint, not the local copy
        throw new CheckpointException(
            latest + ": " + e.getMessage().replace(local + ": ", "").replace(local.toString(), ""),
            e);
      }
    } catch (IOException e) {
      throw new CheckpointException(dir + ": cannot read checkpoint: " + e, e);
    } finally {
      deleteQuietly(local);
    }
  }

  private static void deleteQuietly(java.nio.file.Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // a leftover temporary file is harmless
      }
    }
  }
}
