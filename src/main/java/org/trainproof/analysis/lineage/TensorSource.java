package org.trainproof.analysis.lineage;

import java.util.List;

/**
 * Read access to one model's tensors, as the lineage tests need it: names in source order, shapes,
 * whether a tensor holds real numbers, whole small tensors, and a gathered sub-matrix of a 2-D
 * tensor (selected rows × selected columns) so large matrices are subsampled while streaming.
 */
public interface TensorSource {
    /** How errors and reports name this model (a path or a label). */
    String label();

    /** Tensor names in source order. */
    List<String> names();

    long[] shape(String name);

    /** True when the elements decode to real numbers (float dtypes); integer tensors are not compared. */
    boolean floating(String name);

    /** Every value in row-major order. Requires the tensor to fit in one array. */
    double[] values(String name);

    /**
     * Values of a 2-D tensor at {@code rows} × {@code cols} (null: all, in order): {@code out[i][j] =
     * T[rows[i]][cols[j]]}. Index arrays must be strictly increasing. The default reads the whole tensor.
     */
    default double[][] gather(String name, int[] rows, int[] cols) {
        long[] s = shape(name);
        if (s.length != 2) throw new IllegalArgumentException(name + " is not 2-D");
        double[] v = values(name);
        int nr = (int) s[0], nc = (int) s[1];
        int[] r = rows == null ? identity(nr) : rows;
        int[] c = cols == null ? identity(nc) : cols;
        double[][] out = new double[r.length][c.length];
        for (int i = 0; i < r.length; i++) {
            int base = r[i] * nc;
            for (int j = 0; j < c.length; j++) out[i][j] = v[base + c[j]];
        }
        return out;
    }

    static int[] identity(int n) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) x[i] = i;
        return x;
    }
}
