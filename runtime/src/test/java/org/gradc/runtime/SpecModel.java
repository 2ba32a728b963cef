package org.gradc.runtime;

/** A model with buffers for any spec and no arithmetic: for initializer and checkpoint tests. */
public final class SpecModel extends Model {
  private final Object[] buffers;

  public SpecModel(ModelSpec spec) {
    super(spec);
    buffers = new Object[spec.tensors().size()];
    allocate(1);
    initialize(0);
  }

  @Override
  protected Object buffer(int slot) {
    return buffers[slot];
  }

  @Override
  protected void allocate(int n) {
    for (int i = 0; i < buffers.length; i++) {
      TensorSpec t = spec().tensors().get(i);
      if (t.batched() || buffers[i] == null) {
        int size = t.size(n);
        buffers[i] =
            switch (t.dtype()) {
              case F32 -> new float[size];
              case F64 -> new double[size];
              case I32 -> new int[size];
            };
      }
    }
  }

  @Override
  protected void runForward(int n) {}

  @Override
  protected double runGradients(int n) {
    return 0;
  }

  @Override
  protected double runTrainStep(int n) {
    return 0;
  }

  @Override
  protected Model newInstance() {
    return new SpecModel(spec());
  }
}
