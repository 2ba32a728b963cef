package org.gradc.spark;

import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import org.gradc.runtime.Model;

/**
 * Model replicas reused across the tasks of one executor JVM: a task borrows one, overwrites its
 * parameters (and, for local SGD, optimizer state, step and hyper-parameters) with the values it
 * was sent, computes, and gives it back. Tasks that run at once get different replicas, since a
 * model is not thread-safe. Nothing a replica held before is read, so reuse cannot change results.
 */
final class Replicas {
  private static final ConcurrentMap<ModelSource, Queue<Model>> FREE = new ConcurrentHashMap<>();

  private Replicas() {}

  static Model borrow(ModelSource source) {
    Model m = FREE.computeIfAbsent(source, s -> new ConcurrentLinkedQueue<>()).poll();
    return m != null ? m : source.newModel();
  }

  static void release(ModelSource source, Model m) {
    FREE.get(source).add(m);
  }
}
