package org.gradc.spark;

import java.io.Serializable;

/**
 * One training row read from the DataFrame: its stable index (its position in the DataFrame as
 * read) and, per model input in spec order, a {@code float[]} or {@code int[]}.
 */
record PackedRow(long index, Object[] values) implements Serializable {}
