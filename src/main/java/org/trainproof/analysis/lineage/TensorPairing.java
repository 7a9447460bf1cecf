package org.trainproof.analysis.lineage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.trainproof.TrainproofException;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * Pairs the tensors of model A with those of model B. The rule, in order:
 * <ol>
 *   <li>explicit pairs given with {@code --map A_NAME=B_NAME} (both names must exist);</li>
 *   <li>identical names;</li>
 *   <li>names equal after removing leading wrapper prefixes {@code model.}, {@code module.},
 *       {@code transformer.}, {@code _orig_mod.} (any number, any order), when that normalised
 *       name is unique in both models.</li>
 * </ol>
 * Only floating-point tensors are paired. Pairs whose shapes differ are reported
 * ({@link LineageCodes#SHAPE_MISMATCH}) and skipped; tensors left without a partner are counted.
 */
public final class TensorPairing {
    private static final List<String> WRAPPERS = List.of("model.", "module.", "transformer.", "_orig_mod.");

    /** A pair of same-shape tensors. */
    public record TensorPair(String nameA, String nameB, List<Long> shape) {
        public TensorPair {
            shape = List.copyOf(shape);
        }

        public int rank() {
            return shape.size();
        }

        public long count() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        public int dim(int i) {
            return Math.toIntExact(shape.get(i));
        }
    }

    /** The pairs in A's source order, and findings about what could not be paired. */
    public record Result(List<TensorPair> pairs, List<Finding> findings, int unpairedA, int unpairedB, int shapeMismatches) {
        public Result {
            pairs = List.copyOf(pairs);
            findings = List.copyOf(findings);
        }
    }

    private TensorPairing() {}

    static String normalise(String name) {
        String n = name;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String w : WRAPPERS) {
                if (n.startsWith(w) && n.length() > w.length()) {
                    n = n.substring(w.length());
                    changed = true;
                }
            }
        }
        return n;
    }

    public static Result pair(TensorSource a, TensorSource b, Map<String, String> explicit) {
        List<String> namesA = a.names().stream().filter(a::floating).toList();
        List<String> namesB = b.names().stream().filter(b::floating).toList();
        Set<String> setB = new HashSet<>(namesB);
        Set<String> allA = new HashSet<>(a.names()), allB = new HashSet<>(b.names());
        for (Map.Entry<String, String> e : explicit.entrySet()) {
            if (!allA.contains(e.getKey())) throw TrainproofException.usage("--map: no tensor '" + e.getKey() + "' in " + a.label());
            if (!allB.contains(e.getValue())) throw TrainproofException.usage("--map: no tensor '" + e.getValue() + "' in " + b.label());
        }
        Map<String, List<String>> normA = new HashMap<>(), normB = new HashMap<>();
        for (String n : namesA) normA.computeIfAbsent(normalise(n), k -> new ArrayList<>()).add(n);
        for (String n : namesB) normB.computeIfAbsent(normalise(n), k -> new ArrayList<>()).add(n);

        Map<String, String> chosen = new LinkedHashMap<>();
        Set<String> usedB = new HashSet<>(explicit.values());
        for (String n : namesA) {
            String m = explicit.get(n);
            if (m == null && setB.contains(n) && !usedB.contains(n)) m = n;
            if (m == null) {
                List<String> ca = normA.get(normalise(n)), cb = normB.get(normalise(n));
                if (ca != null && ca.size() == 1 && cb != null && cb.size() == 1 && !usedB.contains(cb.get(0))) m = cb.get(0);
            }
            if (m != null) {
                chosen.put(n, m);
                usedB.add(m);
            }
        }
        List<TensorPair> pairs = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        int mismatches = 0;
        for (Map.Entry<String, String> e : chosen.entrySet()) {
            long[] sa = a.shape(e.getKey()), sb = b.shape(e.getValue());
            if (!Arrays.equals(sa, sb)) {
                mismatches++;
                findings.add(Finding.of(LineageCodes.SHAPE_MISMATCH, Severity.WARNING,
                                "shapes differ (" + Arrays.toString(sa) + " in A, " + Arrays.toString(sb) + " in B" + 
                                (e.getKey().equals(e.getValue()) ? "" : ", B name '" + e.getValue() + "'") + "); not compared")
                        .at(Location.NONE.withTensor(e.getKey()))
                        .withMismatch(Arrays.toString(sa), Arrays.toString(sb)));
                continue;
            }
            List<Long> shape = new ArrayList<>();
            for (long d : sa) shape.add(d);
            pairs.add(new TensorPair(e.getKey(), e.getValue(), shape));
        }
        int unA = (int) namesA.stream().filter(n -> !chosen.containsKey(n)).count();
        int unB = (int) namesB.stream().filter(n -> !usedB.contains(n)).count();
        if (unA + unB > 0) {
            List<String> exA = namesA.stream().filter(n -> !chosen.containsKey(n)).limit(3).toList();
            List<String> exB = namesB.stream().filter(n -> !usedB.contains(n)).limit(3).toList();
            findings.add(Finding.of(LineageCodes.UNPAIRED_TENSORS, Severity.INFO,
                    unA + " tensor(s) of A and " + unB + " of B have no partner by name (e.g. A " + exA + ", B " + exB
                            + "); pair them with --map A_NAME=B_NAME"));
        }
        int nonFloat = (a.names().size() - namesA.size()) + (b.names().size() - namesB.size());
        if (nonFloat > 0) {
            findings.add(Finding.of(LineageCodes.SKIPPED_TENSORS, Severity.INFO,
                    nonFloat + " non-floating-point tensor(s) (counters, integer buffers) not compared"));
        }
        return new Result(pairs, findings, unA, unB, mismatches);
    }
}
