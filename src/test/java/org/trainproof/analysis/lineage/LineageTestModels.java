package org.trainproof.analysis.lineage;

/** Public entry to the synthetic test models for tests in other packages. */
public final class LineageTestModels {
    private static final SyntheticModels RECIPE = new SyntheticModels(64, 256, 4, 100);

    private LineageTestModels() {}

    public static InMemoryTensorSource scratch(String label, long seed) {
        return RECIPE.scratch(label, seed);
    }

    /** Hidden units permuted in every block, noise 0.3 relative, gains reset to 1. */
    public static InMemoryTensorSource disguised(InMemoryTensorSource a, String label, long seed) {
        return RECIPE.derived(a, label, seed, 0.3, true, true);
    }
}
