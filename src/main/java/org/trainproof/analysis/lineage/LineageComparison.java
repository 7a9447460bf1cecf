package org.trainproof.analysis.lineage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.trainproof.analysis.lineage.HiddenLayerTest.HiddenLayer;
import org.trainproof.analysis.lineage.TensorPairing.TensorPair;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Outcome;
import org.trainproof.verdict.Report;
import org.trainproof.verdict.Severity;

/**
 * {@code compare A B}: is one model derived from the other? Pairs tensors, runs the norm-gain test
 * (W8) on vectors and the permutation and matching tests (X1) on hidden layers, and decides:
 * <ul>
 *   <li><b>dependent</b> (exit 6): some check has combined p below α/k (Bonferroni over the k checks
 *       that ran) and its effect size at or above its floor ({@link LineageConfig});</li>
 *   <li><b>no evidence of dependence</b> (exit 0): checks ran on enough data and none did — never
 *       "independent": only the compared tensors and these statistics were tested;</li>
 *   <li><b>inconclusive</b> (exit 5): too few compatible tensors (no non-constant vector of at least
 *       {@code minVectorLength} entries and no hidden layer).</li>
 * </ul>
 */
public final class LineageComparison {
    /** Checks with fewer compared coordinates than this say too little to support "no evidence". */
    static final long MIN_VECTOR_COORDINATES = 64;

    public enum Verdict { DEPENDENT, NO_EVIDENCE, INCONCLUSIVE }

    /** Everything {@code compare} found. {@code norm} is null when no vector was compared. */
    public record Result(String labelA, String labelB, LineageConfig config, TensorPairing.Result pairing,
            NormGainTest.Result norm, List<HiddenLayerTest.Result> layers, List<Finding> skipped,
            Verdict verdict, List<CheckResult> checks, int checksRun) {

        /** The report in the project's format (command "compare"). */
        public Report toReport() {
            String subject = labelA + " vs " + labelB;
            Outcome o;
            String statement;
            switch (verdict) {
                case DEPENDENT -> {
                    o = Outcome.INCONSISTENT;
                    statement = "DEPENDENT: B is statistically dependent on A (" + dependentChecks()
                            + "); consistent with one being derived from the other or sharing its initialisation";
                }
                case NO_EVIDENCE -> {
                    o = Outcome.CONSISTENT;
                    statement = "NO EVIDENCE OF DEPENDENCE at alpha " + fmt(config.alpha())
                            + " on the compared tensors (not a demonstration of independence)";
                }
                default -> {
                    o = Outcome.INCONCLUSIVE;
                    statement = "INCONCLUSIVE: too few compatible tensors to test dependence";
                }
            }
            List<String> notChecked = List.of(
                    "activation matching (X2) and LAP-aligned CKA (X3): need forward passes",
                    "tokenizer lineage (T1)",
                    "tensors of rank > 2, and 2-D tensors that are not part of a hidden layer by the pairing rule");
            Map<String, String> params = new LinkedHashMap<>();
            params.put("permutations", Integer.toString(config.permutations()));
            params.put("auditor seed", config.seed() + " (reproduce with --seed " + config.seed() + ")");
            params.put("alpha", fmt(config.alpha()));
            params.put("alpha_per_check", checksRun == 0 ? "-" : fmt(config.alpha() / checksRun));
            params.put("max_units", Integer.toString(config.maxUnits()));
            params.put("max_coords", Integer.toString(config.maxCoords()));
            params.put("effect_floors", "norm r " + fmt(config.normEffectFloor()) + ", permutation excess cosine "
                    + fmt(config.permEffectFloor()) + ", matching rho " + fmt(config.matchEffectFloor()));
            return Report.of("compare", subject, checks, o, statement, notChecked, params);
        }

        private String dependentChecks() {
            List<String> ids = new ArrayList<>();
            for (CheckResult c : checks) if (c.status() == CheckStatus.FAIL) ids.add(c.id() + " p=" + fmtP(c.pValue()));
            return String.join(", ", ids);
        }
    }

    private LineageComparison() {}

    public static Result compare(TensorSource a, TensorSource b, LineageConfig cfg) {
        return compare(a, b, cfg, msg -> { });
    }

    /** As {@link #compare(TensorSource, TensorSource, LineageConfig)}, reporting progress lines to {@code progress}. */
    public static Result compare(TensorSource a, TensorSource b, LineageConfig cfg, java.util.function.Consumer<String> progress) {
        TensorPairing.Result pairing = TensorPairing.pair(a, b, cfg.nameMap());
        List<Finding> skipped = new ArrayList<>();

        List<HiddenLayer> hidden = HiddenLayerTest.findLayers(pairing.pairs(), cfg.minUnits());
        java.util.Set<String> hiddenBiases = new java.util.HashSet<>();
        for (HiddenLayer hl : hidden) hiddenBiases.add(biasOf(hl.x().nameA()));

        // Vectors for W8: norm gains/biases and hidden-unit biases only. Other vectors (an output
        // bias over the vocabulary, say) lie on axes with no permutation symmetry: their coordinates
        // are not exchangeable under H0, and shared data alone correlates them (the fixtures' twin
        // models have head.bias r = 0.93), so a shuffle null would be invalid for them.
        List<NormGainTest.VectorPair> vectors = new ArrayList<>();
        int tooShort = 0, higherRank = 0, otherAxis = 0;
        for (TensorPair p : pairing.pairs()) {
            if (!isVector(p)) {
                if (p.rank() > 2) higherRank++;
                continue;
            }
            if (!isNormName(p.nameA()) && !hiddenBiases.contains(p.nameA())) {
                otherAxis++;
                skipped.add(Finding.of(LineageCodes.VECTOR_EXCLUDED, Severity.INFO, p.nameA() + " (" + p.count()
                        + " entries) is neither a norm parameter nor a hidden-unit bias").at(Location.NONE.withTensor(p.nameA())));
                continue;
            }
            if (p.count() < cfg.minVectorLength()) {
                tooShort++;
                skipped.add(Finding.of(LineageCodes.VECTOR_EXCLUDED, Severity.INFO, p.nameA() + " (" + p.count()
                        + " entries) is shorter than " + cfg.minVectorLength()).at(Location.NONE.withTensor(p.nameA())));
                continue;
            }
            double[] va = a.values(p.nameA()), vb = b.values(p.nameB());
            if (!allFinite(va) || !allFinite(vb)) {
                skipped.add(Finding.of(LineageCodes.NONFINITE_VALUES, Severity.WARNING,
                        "NaN or infinity in " + (allFinite(va) ? "B" : "A") + "; vector not compared").at(Location.NONE.withTensor(p.nameA())));
                continue;
            }
            vectors.add(new NormGainTest.VectorPair(p.nameA(), va, vb));
        }
        if (tooShort + higherRank + otherAxis > 0) {
            skipped.add(Finding.of(LineageCodes.SKIPPED_TENSORS, Severity.INFO, tooShort + " vector(s) shorter than "
                    + cfg.minVectorLength() + ", " + otherAxis + " vector(s) that are neither norm parameters nor hidden-unit"
                    + " biases (their coordinates are not exchangeable under H0), and " + higherRank
                    + " tensor(s) of rank > 2 not compared"));
        }
        progress.accept("compare: " + pairing.pairs().size() + " tensor pairs, " + vectors.size() + " norm vectors, "
                + hidden.size() + " hidden layers");
        NormGainTest.Result norm = vectors.isEmpty() ? null : NormGainTest.run(vectors, cfg.permutations(), cfg.seed());

        List<HiddenLayerTest.Result> layers = new ArrayList<>();
        for (HiddenLayer hl : hidden) {
            progress.accept("compare: hidden layer " + (layers.size() + 1) + "/" + hidden.size() + " " + hl.label());
            try {
                layers.add(HiddenLayerTest.run(a, b, hl, cfg));
            } catch (HiddenLayerTest.NonFiniteException e) {
                skipped.add(Finding.of(LineageCodes.NONFINITE_VALUES, Severity.WARNING, e.getMessage() + "; layer not compared")
                        .at(Location.NONE.withTensor(e.tensor)));
            }
        }
        return decide(a.label(), b.label(), cfg, pairing, norm, layers, skipped);
    }

    /**
     * A norm parameter by name: some dotted component contains "norm" (LayerNorm, RMSNorm,
     * input_layernorm, final_norm) or starts with "ln" (ln1, ln_f, ln_2).
     */
    static boolean isNormName(String name) {
        for (String c : name.toLowerCase(Locale.ROOT).split("\\.")) {
            if (c.contains("norm") || c.startsWith("ln")) return true;
        }
        return false;
    }

    /** The bias that goes with weight {@code x} ("fc1.weight" → "fc1.bias"). */
    static String biasOf(String x) {
        int dot = x.lastIndexOf('.');
        return (dot < 0 ? "" : x.substring(0, dot + 1)) + "bias";
    }

    static boolean isVector(TensorPair p) {
        int nonUnit = 0;
        for (long d : p.shape()) if (d != 1) nonUnit++;
        return p.rank() >= 1 && nonUnit == 1;
    }

    private static boolean allFinite(double[] v) {
        for (double x : v) if (!Double.isFinite(x)) return false;
        return true;
    }

    /**
     * Why W8 could not run, precisely: the requirement (a norm parameter or hidden-unit bias of at least
     * minVectorLength entries, the only vectors whose coordinates are exchangeable under H0) and which
     * paired vectors failed which part of it.
     */
    static String w8NotRun(LineageConfig cfg, List<Finding> skipped) {
        List<String> why = skipped.stream().filter(f -> f.code().equals(LineageCodes.VECTOR_EXCLUDED)).map(Finding::message).toList();
        String req = "no paired vector qualifies (W8 needs a norm parameter or hidden-unit bias of at least " + cfg.minVectorLength()
                + " entries; other vectors' coordinates are not exchangeable under H0)";
        if (why.isEmpty()) return req + ": the models pair no vectors";
        String list = String.join("; ", why.subList(0, Math.min(4, why.size())));
        return req + ": " + list + (why.size() > 4 ? "; and " + (why.size() - 4) + " more" : "");
    }

    static Result decide(String la, String lb, LineageConfig cfg, TensorPairing.Result pairing, NormGainTest.Result norm,
            List<HiddenLayerTest.Result> layers, List<Finding> skipped) {
        boolean normRan = norm != null && norm.tested() > 0;
        boolean layersRan = !layers.isEmpty();
        int k = (normRan ? 1 : 0) + (layersRan ? 2 : 0);
        double alphaK = k == 0 ? cfg.alpha() : cfg.alpha() / k;
        double minP = 1.0 / (cfg.permutations() + 1);
        List<CheckResult> checks = new ArrayList<>();
        checks.add(pairingCheck(pairing, skipped));
        boolean dependent = false;

        // W8
        if (norm == null) {
            checks.add(CheckResult.notRun("W8", "norm-gain and bias vectors, centered with shuffle null", w8NotRun(cfg, skipped)));
        } else {
            List<Finding> fs = new ArrayList<>();
            for (NormGainTest.VectorComparison v : norm.vectors()) fs.add(vectorFinding(v, alphaK, cfg));
            for (NormGainTest.LayerMatrix m : norm.matrices()) {
                fs.add(Finding.of(LineageCodes.NORM_LAYER_MATRIX, Severity.INFO, String.format(Locale.ROOT,
                        "%s: %d layers; mean centered r matched layers %.4f vs off-diagonal %.4f", m.kind(), m.layers(),
                        m.diagonalMean(), m.offDiagonalMean())).at(Location.NONE.withTensor(m.kind()))
                        .withStatistic(m.diagonalMean(), m.offDiagonalMean(), (long) m.layers()));
            }
            if (!normRan) {
                checks.add(new CheckResult("W8", "norm-gain and bias vectors, centered with shuffle null", CheckStatus.INCONCLUSIVE,
                        null, null, 0L, null, null, "every paired vector is constant (e.g. gains reset to 1): no centered statistic", fs));
            } else {
                boolean sig = norm.p() < alphaK && norm.meanR() >= cfg.normEffectFloor();
                boolean cannot = minP >= alphaK;
                CheckStatus st = sig ? CheckStatus.FAIL : cannot ? CheckStatus.INCONCLUSIVE : CheckStatus.PASS;
                dependent |= sig;
                String detail = String.format(Locale.ROOT,
                        "%d vectors, %d coordinates; mean centered r %.4f (floor %s); shuffle p of sum r = %s with T=%d"
                                + " (one permutation per vector length per draw)%s",
                        norm.tested(), norm.coordinates(), norm.meanR(), fmt(cfg.normEffectFloor()), fmtP(norm.p()),
                        norm.permutations(), cannot ? "; T too small to reach alpha/k" : "");
                checks.add(decided(new CheckResult("W8", "norm-gain and bias vectors, centered with shuffle null", st, norm.p(), alphaK,
                        norm.coordinates(), norm.p(), norm.meanR(), detail, fs), cfg.normEffectFloor(),
                        "shuffle p of the summed centered r", "mean centered r"));
            }
        }

        // X1 permutation and matching
        if (!layersRan) {
            String why = "no hidden layer (X with h rows >= its columns, Y with h columns >= its rows, one strict, same block)";
            checks.add(CheckResult.notRun("X1_PERM", "hidden-unit permutation test (units in place)", why));
            checks.add(CheckResult.notRun("X1_MATCH", "hidden-unit matching test (units re-matched)", why));
        } else {
            double[] pp = new double[layers.size()], pm = new double[layers.size()];
            double effP = 0, effM = 0;
            long units = 0;
            List<Finding> fs = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                HiddenLayerTest.Result r = layers.get(i);
                pp[i] = r.permP();
                pm[i] = r.matchP();
                effP += r.permEffect();
                effM += r.rho();
                units += r.sampledUnits();
                fs.add(layerFinding(r, alphaK, cfg));
            }
            effP /= layers.size();
            effM /= layers.size();
            double lp = LineageNumerics.fisherLogP(pp), lm = LineageNumerics.fisherLogP(pm);
            double permP = Math.max(Math.exp(lp), LineageNumerics.P_FLOOR), matchP = Math.max(Math.exp(lm), LineageNumerics.P_FLOOR);
            boolean sigP = permP < alphaK && effP >= cfg.permEffectFloor();
            boolean sigM = matchP < alphaK && effM >= cfg.matchEffectFloor();
            dependent |= sigP || sigM;
            checks.add(decided(new CheckResult("X1_PERM", "hidden-unit permutation test (units in place)",
                    sigP ? CheckStatus.FAIL : CheckStatus.PASS, permP, alphaK, units, permP, effP,
                    String.format(Locale.ROOT, "%d layers, exact per-layer p=(1+b)/(T+1) with T=%d combined by Fisher: p %s;"
                            + " mean excess cosine %.4f (floor %s)", layers.size(), cfg.permutations(), fmtP(permP), effP,
                            fmt(cfg.permEffectFloor())), fs), cfg.permEffectFloor(), "Fisher-combined permutation p", "mean excess cosine"));
            checks.add(decided(new CheckResult("X1_MATCH", "hidden-unit matching test (units re-matched)",
                    sigM ? CheckStatus.FAIL : CheckStatus.PASS, matchP, alphaK, units, matchP, effM,
                    String.format(Locale.ROOT, "%d layers, Spearman rho between row and column matchings (t approximation),"
                            + " Fisher: p %s; mean rho %.4f (floor %s)", layers.size(), fmtP(matchP), effM,
                            fmt(cfg.matchEffectFloor())), List.of()), cfg.matchEffectFloor(), "Fisher-combined matching p", "mean rho"));
        }

        long vectorCoords = normRan ? norm.coordinates() : 0;
        Verdict v;
        if (dependent) v = Verdict.DEPENDENT;
        else if (k == 0 || (!layersRan && vectorCoords < MIN_VECTOR_COORDINATES)) v = Verdict.INCONCLUSIVE;
        else v = Verdict.NO_EVIDENCE;
        return new Result(la, lb, cfg, pairing, norm, layers, skipped, v, checks, k);
    }

    /**
     * A lineage test fails ("dependent") only when its p is below alpha/k AND its effect reaches the floor (issue 13): the
     * reported statistic is the p when the p decided (a FAIL, or a PASS with p at or above the line), else the effect, which
     * then is what kept a small p from failing.
     */
    private static CheckResult decided(CheckResult r, double floor, String pRule, String effectRule) {
        boolean pDecides = r.status() == CheckStatus.FAIL || r.pValue() == null || r.effectSize() == null || r.pValue() >= r.threshold();
        if (pDecides) return r.decidedBy(pRule + " vs alpha / k", Direction.FAILS_BELOW);
        return new CheckResult(r.id(), r.name(), r.status(), r.effectSize(), floor, r.n(), r.pValue(), null, r.detail(), r.findings())
                .decidedBy(effectRule + " vs its floor (p below alpha / k)", Direction.FAILS_ABOVE);
    }

    private static CheckResult pairingCheck(TensorPairing.Result pairing, List<Finding> skipped) {
        List<Finding> fs = new ArrayList<>(pairing.findings());
        fs.addAll(skipped);
        String detail = pairing.pairs().size() + " tensor pairs; " + pairing.shapeMismatches() + " shape mismatch(es) skipped; "
                + pairing.unpairedA() + " of A and " + pairing.unpairedB() + " of B unpaired";
        CheckStatus st = pairing.pairs().isEmpty() ? CheckStatus.INCONCLUSIVE : CheckStatus.PASS;
        return new CheckResult("PAIRING", "tensor pairing by name (rule in TensorPairing; --map)", st, null, null,
                (long) pairing.pairs().size(), null, null, detail, fs);
    }

    private static Finding vectorFinding(NormGainTest.VectorComparison v, double alphaK, LineageConfig cfg) {
        Location at = Location.NONE.withTensor(v.name());
        String raw = String.format(Locale.ROOT, "raw cosine %.4f (NOT evidence: moment-predicted %.4f, shuffled %.4f ± %.4f)",
                v.rawCosine(), v.predictedCosine(), v.shuffledCosineMean(), v.shuffledCosineSd());
        if (v.constant()) {
            return Finding.of(LineageCodes.CONSTANT_VECTOR, Severity.INFO, raw + "; a vector is constant, no centered statistic").at(at);
        }
        boolean sig = v.pShuffle() < alphaK && v.r() >= cfg.normEffectFloor();
        String msg = raw + String.format(Locale.ROOT, "; centered r %.4f, p(t) %s, p(shuffle) %s, d=%d",
                v.r(), fmtP(v.pT()), fmtP(v.pShuffle()), v.length());
        return Finding.of(sig ? LineageCodes.NORM_VECTOR_DEPENDENT : LineageCodes.NORM_VECTOR, sig ? Severity.FAIL : Severity.INFO, msg)
                .at(at).withStatistic(v.r(), cfg.normEffectFloor(), (long) v.length())
                .withPValue(Math.max(v.pShuffle(), LineageNumerics.P_FLOOR));
    }

    private static Finding layerFinding(HiddenLayerTest.Result r, double alphaK, LineageConfig cfg) {
        boolean sigP = r.permP() < alphaK && r.permEffect() >= cfg.permEffectFloor();
        boolean sigM = r.matchP() < alphaK && r.rho() >= cfg.matchEffectFloor();
        String msg = String.format(Locale.ROOT, "%s: %d of %d units, permutation excess cosine %.4f p %s; matching rho %.4f"
                        + " (agreement %.3f, %s) p %s (floor %s)", r.layer().label(), r.sampledUnits(), r.unitsB(), r.permEffect(),
                fmtP(r.permP()), r.rho(), r.agreement(), r.greedy() ? "greedy" : "Hungarian", fmtP(r.matchP()),
                fmtP(r.matchPFloor()));
        double p = Math.max(Math.min(r.permP(), r.matchP()), LineageNumerics.P_FLOOR);
        return Finding.of(sigP || sigM ? LineageCodes.HIDDEN_LAYER_DEPENDENT : LineageCodes.HIDDEN_LAYER,
                        sigP || sigM ? Severity.FAIL : Severity.INFO, msg)
                .at(Location.NONE.withTensor(r.layer().x().nameA()))
                .withStatistic(r.rho(), cfg.matchEffectFloor(), (long) r.sampledUnits()).withPValue(p);
    }

    static String fmt(double d) {
        return String.format(Locale.ROOT, "%.4g", d);
    }

    /** A p-value for people: "< 1e-300" at the floor, three significant digits otherwise. */
    public static String fmtP(Double p) {
        if (p == null || Double.isNaN(p)) return "-";
        if (p <= LineageNumerics.P_FLOOR) return "< 1e-300";
        return String.format(Locale.ROOT, p < 1e-3 ? "%.3g" : "%.4f", p);
    }
}
