package org.trainproof.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.CoordinateSample;
import org.trainproof.checkpoint.TensorManifest;

/**
 * Checkpoints in step order and, per tensor, values at the same positions in every checkpoint:
 * either the ledger's name-seeded {@link CoordinateSample} ({@link #fromLedger}) or positions drawn
 * from an auditor seed and read from the files ({@link #fromArtifacts}). Only tensors present in every
 * checkpoint with one shape and a decodable sample are listed in {@link #tensors()}.
 */
public final class Trajectory {
    private final List<StepCheckpoint> checkpoints;
    private final List<String> tensors;
    private final Map<String, String> dtypes;
    private final Map<String, List<Long>> shapes;
    private final TensorValues values;
    private final long auditorSeed;
    private final int k;
    private final Map<String, long[]> positions = new ConcurrentHashMap<>();
    private final Map<String, double[]> cache = new ConcurrentHashMap<>();
    /** Why the ledger's samples are used although checkpoint files were given (null: none were given, or exact). */
    private final String samplesWhy;

    /** {@link #samplesWhy()} of a ledger whose checkpoints were folded from rank manifests (docs/distributed.md). */
    public static final String SHARDED = "the checkpoints are sharded (folded from rank manifests): verify uses the ledger's samples even"
            + " with --artifacts and does not assemble whole matrices from the shards";
    /** {@link #samplesWhy()} when a checkpoint file named in the ledger is not under --artifacts DIR. */
    public static final String FILES_MISSING = "a checkpoint file named in the ledger is missing under --artifacts DIR (ARTIFACT_MISSING):"
            + " the ledger's samples are used for every checkpoint";

    private Trajectory(List<StepCheckpoint> cps, TensorValues values, long auditorSeed, int k) {
        this(cps, values, auditorSeed, k, null);
    }

    private Trajectory(List<StepCheckpoint> cps, TensorValues values, long auditorSeed, int k, String samplesWhy) {
        this.samplesWhy = samplesWhy;
        List<StepCheckpoint> sorted = new ArrayList<>(cps);
        sorted.sort(Comparator.comparingLong(StepCheckpoint::step));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).step() == sorted.get(i - 1).step()) {
                throw new IllegalArgumentException("two checkpoints at step " + sorted.get(i).step());
            }
        }
        this.checkpoints = List.copyOf(sorted);
        this.values = values;
        this.auditorSeed = auditorSeed;
        this.k = k;
        Map<String, String> dt = new LinkedHashMap<>();
        Map<String, List<Long>> sh = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        if (!sorted.isEmpty()) {
            for (TensorManifest t : sorted.get(0).manifest().tensors()) {
                boolean ok = true;
                for (StepCheckpoint c : sorted) {
                    Optional<TensorManifest> o = c.manifest().tensor(t.name());
                    if (o.isEmpty() || !o.get().shape().equals(t.shape()) || (values == null && o.get().sample() == null)
                            || (values == null && o.get().sample().k() != t.sample().k())) {
                        ok = false;
                        break;
                    }
                }
                if (ok) {
                    names.add(t.name());
                    dt.put(t.name(), t.dtype());
                    sh.put(t.name(), t.shape());
                }
            }
        }
        this.tensors = List.copyOf(names);
        this.dtypes = dt;
        this.shapes = sh;
    }

    public static Trajectory empty() {
        return new Trajectory(List.of(), null, 0, 0);
    }

    /** Samples from the ledger's coordinate samples. */
    public static Trajectory fromLedger(List<StepCheckpoint> checkpoints) {
        return new Trajectory(checkpoints, null, 0, 0);
    }

    /** Samples from the ledger although checkpoint files were given, and why ({@link #SHARDED}, {@link #FILES_MISSING}). */
    public static Trajectory fromLedger(List<StepCheckpoint> checkpoints, String samplesWhy) {
        return new Trajectory(checkpoints, null, 0, 0, samplesWhy);
    }

    /** Why the ledger's samples are used although checkpoint files were given; null otherwise. */
    public String samplesWhy() { return samplesWhy; }

    /** Exact values at k positions per tensor drawn from the auditor's seed ({@link AuditorSample}). */
    public static Trajectory fromArtifacts(List<StepCheckpoint> checkpoints, TensorValues values, long auditorSeed, int k) {
        return new Trajectory(checkpoints, java.util.Objects.requireNonNull(values), auditorSeed, k);
    }

    public int size() { return checkpoints.size(); }
    public long step(int i) { return checkpoints.get(i).step(); }
    public CheckpointManifest manifest(int i) { return checkpoints.get(i).manifest(); }
    public List<StepCheckpoint> checkpoints() { return checkpoints; }
    public List<String> tensors() { return tensors; }
    public String dtype(String tensor) { return dtypes.get(tensor); }
    public List<Long> shape(String tensor) { return shapes.get(tensor); }
    public boolean exact() { return values != null; }

    /** Where the sampled values come from, for reports. */
    public String source() {
        return values == null ? "ledger coordinate samples (tp-sample-v1)" : "checkpoint files at auditor-chosen positions (seed " + auditorSeed + ", k=" + k + ")";
    }

    /** Element count of the tensor. */
    public long count(String tensor) {
        long n = 1;
        for (long d : shapes.get(tensor)) n *= d;
        return n;
    }

    /** Values of the tensor at the trajectory's positions in checkpoint i (same positions for all i). */
    public double[] sample(int i, String tensor) {
        if (values == null) {
            CoordinateSample s = manifest(i).tensor(tensor).orElseThrow().sample();
            return s.values();
        }
        String key = i + "\u0000" + tensor;
        return cache.computeIfAbsent(key, x -> {
            long[] pos = positions.computeIfAbsent(tensor, t -> AuditorSample.positions(auditorSeed, t, count(t), k));
            return values.at(step(i), tensor, pos);
        }).clone();
    }

    /**
     * Exact values of the tensor in checkpoint i at the given ascending row-major positions, read from the file
     * (only when {@link #exact()}; uncached, for checks that need more than the sample, such as W9's matrices).
     */
    public double[] exactValues(int i, String tensor, long[] positions) {
        if (values == null) throw new IllegalStateException("exact values need the checkpoint files; this trajectory has ledger samples only");
        return values.at(step(i), tensor, positions);
    }

    /** The tensor's manifest in checkpoint i. */
    public TensorManifest tensor(int i, String name) {
        return manifest(i).tensor(name).orElseThrow();
    }

    /** Index of the checkpoint at the step, or −1. */
    public int indexOf(long step) {
        for (int i = 0; i < checkpoints.size(); i++) if (checkpoints.get(i).step() == step) return i;
        return -1;
    }
}
