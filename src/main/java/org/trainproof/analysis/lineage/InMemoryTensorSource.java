package org.trainproof.analysis.lineage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A model held in memory (tests, synthetic models): name → shape and row-major values, insertion order kept. */
public final class InMemoryTensorSource implements TensorSource {
    private final String label;
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Map<String, double[]> values = new LinkedHashMap<>();

    public InMemoryTensorSource(String label) {
        this.label = label;
    }

    /** Adds (or replaces) a tensor; {@code values.length} must equal the product of {@code shape}. */
    public InMemoryTensorSource put(String name, long[] shape, double[] v) {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != v.length) throw new IllegalArgumentException(name + ": shape has " + n + " elements, values " + v.length);
        shapes.put(name, shape.clone());
        values.put(name, v.clone());
        return this;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public List<String> names() {
        return new ArrayList<>(shapes.keySet());
    }

    @Override
    public long[] shape(String name) {
        long[] s = shapes.get(name);
        if (s == null) throw new IllegalArgumentException("no tensor " + name);
        return s.clone();
    }

    @Override
    public boolean floating(String name) {
        return shapes.containsKey(name);
    }

    @Override
    public double[] values(String name) {
        double[] v = values.get(name);
        if (v == null) throw new IllegalArgumentException("no tensor " + name);
        return v.clone();
    }
}
