package org.gradc.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Threads that split one kernel's rows with the thread running a step: intra-step parallelism.
 * {@code new RowTeam(k)} starts {@code k - 1} daemon workers; {@link Model#team(RowTeam)} attaches
 * the team to a model, whose generated kernels then call {@link #fork} for products large enough to
 * pay (the compiler's rule: {@code org.gradc.compiler.codegen.RowSplit}). The calling thread
 * publishes (kernel, batch, rows) to the workers, and then it and every worker that is running
 * claim chunks of the rows in turn until none are left; the caller waits for the chunks others
 * claimed. Every chunk is a whole number of the kernel's row blocks, so each output row is computed
 * by the same code as on one thread and the results are <b>bit-identical to one thread's, whatever
 * {@code k} and whichever thread ran which chunk</b>. Claiming (rather than a fixed half each) lets
 * the caller go on alone while a worker is not scheduled (a loaded machine, more threads than
 * cores): then the caller does more chunks instead of waiting for a time slice.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>The thread calling a model's entry points (the step's thread) owns the team while a step
 *       runs: it is the only caller of {@link #fork}. A team busy with one fork (another model on
 *       another thread sharing it) makes a second, concurrent fork return {@code false}, and that
 *       kernel runs serially: sharing a team is safe, just not parallel.
 *   <li>A worker only runs {@link Model#runRows} for the rows it was given, and only between the
 *       caller's publication and its return from {@code fork}: the caller's writes before {@code
 *       fork} (inputs, hyper-parameters, the step count) are visible to the worker, and the
 *       worker's writes are visible to the caller after it.
 *   <li>An exception (or error) thrown in a worker's range is rethrown on the calling thread by
 *       {@code fork}, after every range has finished; the first range's own exception wins.
 *   <li>Idle workers spin for {@link #SPIN_NANOS} (a step's kernels come microseconds apart) and
 *       then park, so an idle team costs no CPU. {@link #close} stops and joins them; it must not
 *       run while a fork does. The workers are daemons, so a team never closed does not keep the
 *       JVM alive.
 * </ul>
 */
public final class RowTeam implements AutoCloseable {
  /**
   * How long an idle worker (or the caller waiting for a claimed chunk) spins before parking:
   * longer than the gap between two split kernels of a step (the MLP's serial kernels between its
   * two large products take tens of microseconds), short against a human's notion of idle. The
   * system property {@code gradc.rowTeam.spinNanos} overrides it (for measurements: spinning costs
   * CPU that other processes on a loaded machine would use).
   */
  static final long SPIN_NANOS = Long.getLong("gradc.rowTeam.spinNanos", 100_000);

  /**
   * Chunks per thread a fork's rows are cut into (fewer when the rows have fewer grains): enough
   * for a late worker to still take a share and for a slow one to hold up little, few enough that a
   * chunk's fixed cost (a call, the kernel's lets) stays small against its rows.
   */
  static final int CHUNKS_PER_THREAD = 4;

  private final Thread[] workers;
  private final AtomicBoolean busy = new AtomicBoolean();
  private volatile boolean closed;
  private volatile long forks;

  // the fork in progress: plain fields published by the volatile write of posted
  private Model model;
  private int kernel;
  private int n;
  private int rows;
  private int grain;
  private int grains;
  private int chunks;

  /** The generation posted last (1, 2, ...); workers wait for it to change. */
  private volatile int posted;

  /** The generation (high 32 bits) and the next chunk to claim (low 32 bits). */
  private final AtomicLong next = new AtomicLong();

  /** Chunks of the current fork finished (run or failed). */
  private final AtomicInteger finished = new AtomicInteger();

  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile Thread waiter;

  /**
   * A team of {@code threads} threads in all: the caller of {@link #fork} and {@code threads - 1}
   * workers.
   *
   * @throws IllegalArgumentException unless {@code threads >= 1}
   */
  public RowTeam(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("a team has at least one thread, was " + threads);
    }
    workers = new Thread[threads - 1];
    for (int w = 0; w < workers.length; w++) {
      workers[w] = new Thread(this::work, "gradc-rows-" + (w + 1));
      workers[w].setDaemon(true);
    }
    for (Thread t : workers) {
      t.start();
    }
  }

  /** Threads in the team, the calling thread included. */
  public int threads() {
    return workers.length + 1;
  }

  /** How many kernels this team has split so far (a kernel run serially is not counted). */
  public long forks() {
    return forks;
  }

  /**
   * Runs {@code model.runRows(kernel, n, lo, hi)} over rows {@code [0, rows)}, in chunks of whole
   * {@code grain}s of rows (the last ends at {@code rows}) claimed by the calling thread and the
   * workers of {@code model}'s team. Called by generated kernels.
   *
   * @return {@code false}, having run nothing, when the model has no team, a team of one thread,
   *     the rows make fewer than two grains, or the team is busy or closed: the caller then runs
   *     the rows itself
   */
  public static boolean fork(Model model, int kernel, int n, int rows, int grain) {
    RowTeam team = model.team;
    if (team == null || team.workers.length == 0 || rows < 2 * grain) {
      return false;
    }
    return team.split(model, kernel, n, rows, grain);
  }

  private boolean split(Model model, int kernel, int n, int rows, int grain) {
    if (closed || !busy.compareAndSet(false, true)) {
      return false;
    }
    try {
      this.model = model;
      this.kernel = kernel;
      this.n = n;
      this.rows = rows;
      this.grain = grain;
      this.grains = (rows + grain - 1) / grain;
      this.chunks = Math.min(grains, CHUNKS_PER_THREAD * threads());
      int g = posted + 1;
      finished.set(0);
      failure.set(null);
      next.set((long) g << 32);
      posted = g;
      // a parked worker wakes up; for a spinning one this leaves a permit, one spurious wake later
      for (Thread w : workers) {
        LockSupport.unpark(w);
      }
      claim(g, model, kernel, n, rows, grain, grains, chunks);
      awaitChunks();
      this.model = null;
      Throwable e = failure.getAndSet(null);
      if (e instanceof RuntimeException r) {
        throw r;
      } else if (e instanceof Error r) {
        throw r;
      } else if (e != null) {
        throw new IllegalStateException("a kernel's rows failed", e);
      }
      forks++;
      return true;
    } finally {
      busy.set(false);
    }
  }

  /** Claims and runs chunks of generation {@code g} until none are left. */
  private void claim(
      int g, Model model, int kernel, int n, int rows, int grain, int grains, int chunks) {
    while (true) {
      long v = next.get();
      if ((int) (v >>> 32) != g || (int) v >= chunks) {
        return;
      }
      if (!next.compareAndSet(v, v + 1)) {
        continue;
      }
      int c = (int) v;
      try {
        model.runRows(
            kernel,
            n,
            bound(c, chunks, grains, grain, rows),
            bound(c + 1, chunks, grains, grain, rows));
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
      if (finished.incrementAndGet() == chunks) {
        Thread w = waiter;
        if (w != null) {
          LockSupport.unpark(w);
        }
      }
    }
  }

  /** Waits until every chunk of the current fork has finished. */
  private void awaitChunks() {
    long start = System.nanoTime();
    int spins = 0;
    while (finished.get() != chunks) {
      if (++spins % 64 != 0 || System.nanoTime() - start < SPIN_NANOS) {
        Thread.onSpinWait();
        continue;
      }
      waiter = Thread.currentThread();
      if (finished.get() != chunks) {
        LockSupport.park(this);
      }
      waiter = null;
    }
  }

  /** First row of chunk {@code c}: whole grains, as even as they divide. */
  private static int bound(int c, int chunks, int grains, int grain, int rows) {
    return (int) Math.min(rows, (long) grains * c / chunks * grain);
  }

  /** A worker's loop: wait for a new generation, claim its chunks, wait again. */
  private void work() {
    int seen = 0;
    while (true) {
      long start = System.nanoTime();
      int spins = 0;
      while (posted == seen) {
        if (closed) {
          return;
        }
        if (++spins % 64 != 0 || System.nanoTime() - start < SPIN_NANOS) {
          Thread.onSpinWait();
          continue;
        }
        LockSupport.park(this);
      }
      seen = posted;
      // the fields are those of generation seen, or of a later one, whose claims then fail below
      // (a later generation is posted only after every chunk of this one has finished)
      claim(seen, model, kernel, n, rows, grain, grains, chunks);
    }
  }

  /** Stops and joins the workers; a later {@link #fork} runs nothing (returns {@code false}). */
  @Override
  public void close() {
    closed = true;
    for (Thread w : workers) {
      LockSupport.unpark(w);
    }
    boolean interrupted = false;
    for (Thread w : workers) {
      while (w.isAlive()) {
        try {
          w.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
