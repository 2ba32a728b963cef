package org.gradc.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Threads that split one kernel's rows with the thread running a step: intra-step parallelism.
 * {@code new RowTeam(k)} starts {@code k - 1} daemon workers; {@link Model#team(RowTeam)} attaches
 * the team to a model, whose generated kernels then call {@link #fork} for products large enough to
 * pay (the compiler's rule: {@code org.gradc.compiler.codegen.RowSplit}). The calling thread
 * publishes (kernel, batch, row range) to each worker, runs the first range itself and waits for
 * the others; every range is a whole number of the kernel's row blocks, so each output row is
 * computed by the same code as on one thread and the results are <b>bit-identical to one thread's,
 * whatever {@code k}</b>.
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
   * How long an idle worker (or the caller waiting for one) spins before parking: longer than the
   * gap between two split kernels of a step (the MLP's serial kernels between its two large
   * products take tens of microseconds), short against a human's notion of idle.
   */
  static final long SPIN_NANOS = 200_000;

  private final Worker[] workers;
  private final AtomicBoolean busy = new AtomicBoolean();
  private volatile boolean closed;
  private volatile long forks;

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
    workers = new Worker[threads - 1];
    for (int w = 0; w < workers.length; w++) {
      workers[w] = new Worker();
      Thread t = new Thread(workers[w], "gradc-rows-" + (w + 1));
      t.setDaemon(true);
      workers[w].thread = t;
    }
    for (Worker w : workers) {
      w.thread.start();
    }
  }

  /** How many kernels this team has split so far (a kernel run serially is not counted). */
  public long forks() {
    return forks;
  }

  /** Threads in the team, the calling thread included. */
  public int threads() {
    return workers.length + 1;
  }

  /**
   * Runs {@code model.runRows(kernel, n, lo, hi)} over rows {@code [0, rows)} split across the team
   * of {@code model} in ranges of whole {@code grain}s of rows (the last range ends at {@code
   * rows}), the calling thread taking the first range. Called by generated kernels.
   *
   * @return {@code false}, having run nothing, when the model has no team, a team of one thread,
   *     the rows make fewer than two grains, or the team is busy: the caller then runs the rows
   *     itself
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
      int grains = (rows + grain - 1) / grain;
      int parts = Math.min(workers.length + 1, grains);
      for (int t = 1; t < parts; t++) {
        workers[t - 1].post(
            model,
            kernel,
            n,
            bound(t, parts, grains, grain, rows),
            bound(t + 1, parts, grains, grain, rows));
      }
      Throwable failure = null;
      try {
        model.runRows(kernel, n, 0, bound(1, parts, grains, grain, rows));
      } catch (Throwable e) {
        failure = e;
      }
      for (int t = 1; t < parts; t++) {
        Throwable e = workers[t - 1].await();
        if (failure == null) {
          failure = e;
        }
      }
      if (failure instanceof RuntimeException e) {
        throw e;
      } else if (failure instanceof Error e) {
        throw e;
      } else if (failure != null) {
        throw new IllegalStateException("a row worker failed", failure);
      }
      forks++;
      return true;
    } finally {
      busy.set(false);
    }
  }

  /** First row of part {@code t} of {@code parts}: whole grains, as even as they divide. */
  private static int bound(int t, int parts, int grains, int grain, int rows) {
    return (int) Math.min(rows, (long) grains * t / parts * grain);
  }

  /** Stops and joins the workers; a later {@link #fork} runs nothing (returns {@code false}). */
  @Override
  public void close() {
    closed = true;
    for (Worker w : workers) {
      LockSupport.unpark(w.thread);
    }
    boolean interrupted = false;
    for (Worker w : workers) {
      while (w.thread.isAlive()) {
        try {
          w.thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One worker's mailbox and loop. The caller writes the task's plain fields, then the volatile
   * {@code posted} (publishing them); the worker writes its result, then the volatile {@code done}.
   */
  private final class Worker implements Runnable {
    Thread thread;
    private Model model;
    private int kernel;
    private int n;
    private int lo;
    private int hi;
    private Throwable failure;
    private int generation;
    private volatile int posted;
    private volatile int done;
    private volatile boolean parked;
    private volatile Thread waiter;

    void post(Model model, int kernel, int n, int lo, int hi) {
      this.model = model;
      this.kernel = kernel;
      this.n = n;
      this.lo = lo;
      this.hi = hi;
      this.failure = null;
      posted = ++generation;
      if (parked) {
        LockSupport.unpark(thread);
      }
    }

    /** Waits for the task posted last; its exception, or null. */
    Throwable await() {
      int g = generation;
      long start = System.nanoTime();
      int spins = 0;
      while (done != g) {
        if (++spins % 64 != 0 || System.nanoTime() - start < SPIN_NANOS) {
          Thread.onSpinWait();
          continue;
        }
        waiter = Thread.currentThread();
        if (done != g) {
          LockSupport.park(this);
        }
        waiter = null;
      }
      return failure;
    }

    @Override
    public void run() {
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
          parked = true;
          if (posted == seen && !closed) {
            LockSupport.park(this);
          }
          parked = false;
        }
        seen = posted;
        try {
          model.runRows(kernel, n, lo, hi);
        } catch (Throwable e) {
          failure = e;
        }
        model = null;
        done = seen;
        Thread w = waiter;
        if (w != null) {
          LockSupport.unpark(w);
        }
      }
    }
  }
}
