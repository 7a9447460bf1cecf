package org.trainproof.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * What a run claims about itself, parsed from the run-config JSON (issue 3, "Run config"). Every field
 * is optional; a check that needs a missing one is NOT_RUN and names the field (e.g.
 * {@code optimizer.betas}). Unknown fields are ignored. Parsing never throws on wrong types: a field
 * of the wrong type is treated as missing and listed in {@link #problems()}.
 */
public final class RunClaims {
    /** One init rule: tensors whose name matches {@code pattern} are drawn from {@code distribution}. */
    public record InitRule(String pattern, String distribution, Double std, Double bound, Double truncation) {
        /** Glob-style match: '*' matches any run of characters; otherwise a regex if it compiles. */
        public boolean matches(String tensor) {
            return compile(pattern).matcher(tensor).matches();
        }
    }

    /** Learning-rate schedule claim. {@code shape}: cosine, linear, constant, wsd. */
    public record LrSchedule(String shape, Double peakLr, Double minLr, Long warmupSteps, Long totalSteps) {}

    private final Long vocabSize;
    private final String lossUnits;
    private final String optimizerName;
    private final double[] betas;
    private final Double eps;
    private final Double weightDecay;
    private final List<String> noDecay;
    private final LrSchedule lr;
    private final Double gradClip;
    private final Long batchSize;
    private final Long seqLen;
    private final List<InitRule> init;
    private final String accelerator;
    private final Long acceleratorCount;
    private final String precision;
    private final Double claimedTokens;
    private final Double claimedWallTime;
    private final Boolean fromScratch;
    private final List<String> problems;

    private RunClaims(JsonNode n) {
        List<String> pr = new ArrayList<>();
        this.problems = pr;
        vocabSize = lng(n, "vocab_size", pr);
        lossUnits = str(n, "loss_units", pr);
        JsonNode o = n.path("optimizer");
        optimizerName = str(o, "optimizer.name", "name", pr);
        JsonNode b = o.path("betas");
        double[] bt = null;
        if (b.isArray() && b.size() == 2 && b.get(0).isNumber() && b.get(1).isNumber()) {
            bt = new double[] {b.get(0).asDouble(), b.get(1).asDouble()};
        } else if (!b.isMissingNode() && !b.isNull()) {
            pr.add("optimizer.betas is not [b1, b2]");
        }
        betas = bt;
        eps = dbl(o, "optimizer.eps", "eps", pr);
        weightDecay = dbl(o, "optimizer.weight_decay", "weight_decay", pr);
        List<String> nd = new ArrayList<>();
        for (JsonNode p : o.path("no_decay")) if (p.isTextual()) nd.add(p.asText());
        noDecay = List.copyOf(nd);
        JsonNode s = n.path("lr_schedule");
        lr = s.isObject()
                ? new LrSchedule(str(s, "lr_schedule.shape", "shape", pr), dbl(s, "lr_schedule.peak_lr", "peak_lr", pr),
                        dbl(s, "lr_schedule.min_lr", "min_lr", pr), lng(s, "lr_schedule.warmup_steps", "warmup_steps", pr),
                        lng(s, "lr_schedule.total_steps", "total_steps", pr))
                : null;
        gradClip = dbl(n, "grad_clip", "grad_clip", pr);
        batchSize = lng(n, "batch_size", pr);
        seqLen = lng(n, "seq_len", pr);
        List<InitRule> rules = new ArrayList<>();
        for (JsonNode r : n.path("init")) {
            String pat = r.path("pattern").isTextual() ? r.path("pattern").asText() : null;
            String dist = r.path("distribution").isTextual() ? r.path("distribution").asText() : null;
            if (pat == null || dist == null) {
                pr.add("init rule without pattern or distribution");
                continue;
            }
            rules.add(new InitRule(pat, dist, dbl(r, "init.std", "std", pr), dbl(r, "init.bound", "bound", pr),
                    dbl(r, "init.truncation", "truncation", pr)));
        }
        init = List.copyOf(rules);
        JsonNode h = n.path("hardware");
        accelerator = str(h, "hardware.accelerator", "accelerator", pr);
        acceleratorCount = lng(h, "hardware.count", "count", pr);
        precision = str(h, "hardware.precision", "precision", pr);
        JsonNode c = n.path("claimed");
        claimedTokens = dbl(c, "claimed.tokens", "tokens", pr);
        claimedWallTime = dbl(c, "claimed.wall_time_s", "wall_time_s", pr);
        fromScratch = c.path("from_scratch").isBoolean() ? c.path("from_scratch").asBoolean() : null;
    }

    /** Parses a run config; null or a non-object gives empty claims. */
    public static RunClaims parse(JsonNode config) {
        return new RunClaims(config == null || !config.isObject() ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : config);
    }

    public static RunClaims none() {
        return parse(null);
    }

    private static Long lng(JsonNode n, String f, List<String> pr) {
        return lng(n, f, f, pr);
    }

    private static Long lng(JsonNode n, String full, String f, List<String> pr) {
        JsonNode v = n.path(f);
        if (v.isMissingNode() || v.isNull()) return null;
        if (v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) return v.asLong();
        pr.add(full + " is not an integer");
        return null;
    }

    private static Double dbl(JsonNode n, String full, String f, List<String> pr) {
        JsonNode v = n.path(f);
        if (v.isMissingNode() || v.isNull()) return null;
        if (v.isNumber()) return v.asDouble();
        pr.add(full + " is not a number");
        return null;
    }

    private static String str(JsonNode n, String f, List<String> pr) {
        return str(n, f, f, pr);
    }

    private static String str(JsonNode n, String full, String f, List<String> pr) {
        JsonNode v = n.path(f);
        if (v.isMissingNode() || v.isNull()) return null;
        if (v.isTextual()) return v.asText();
        pr.add(full + " is not a string");
        return null;
    }

    static Pattern compile(String glob) {
        StringBuilder sb = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            if (ch == '*') sb.append(".*");
            else if (ch == '?') sb.append('.');
            else sb.append(Pattern.quote(String.valueOf(ch)));
        }
        return Pattern.compile(sb.toString());
    }

    public OptionalLong vocabSize() { return vocabSize == null ? OptionalLong.empty() : OptionalLong.of(vocabSize); }
    /** "nats" (default when absent) or "bits". */
    public Optional<String> lossUnits() { return Optional.ofNullable(lossUnits); }
    public Optional<String> optimizerName() { return Optional.ofNullable(optimizerName); }
    public Optional<double[]> betas() { return Optional.ofNullable(betas == null ? null : betas.clone()); }
    public OptionalDouble eps() { return eps == null ? OptionalDouble.empty() : OptionalDouble.of(eps); }
    public OptionalDouble weightDecay() { return weightDecay == null ? OptionalDouble.empty() : OptionalDouble.of(weightDecay); }
    public List<String> noDecay() { return noDecay; }
    public Optional<LrSchedule> lrSchedule() { return Optional.ofNullable(lr); }
    public OptionalDouble gradClip() { return gradClip == null ? OptionalDouble.empty() : OptionalDouble.of(gradClip); }
    public OptionalLong batchSize() { return batchSize == null ? OptionalLong.empty() : OptionalLong.of(batchSize); }
    public OptionalLong seqLen() { return seqLen == null ? OptionalLong.empty() : OptionalLong.of(seqLen); }
    public List<InitRule> init() { return init; }
    public Optional<String> accelerator() { return Optional.ofNullable(accelerator); }
    public OptionalLong acceleratorCount() { return acceleratorCount == null ? OptionalLong.empty() : OptionalLong.of(acceleratorCount); }
    public Optional<String> precision() { return Optional.ofNullable(precision); }
    public OptionalDouble claimedTokens() { return claimedTokens == null ? OptionalDouble.empty() : OptionalDouble.of(claimedTokens); }
    public OptionalDouble claimedWallTimeSeconds() { return claimedWallTime == null ? OptionalDouble.empty() : OptionalDouble.of(claimedWallTime); }
    public Optional<Boolean> fromScratch() { return Optional.ofNullable(fromScratch); }
    /** Fields present but of the wrong type (treated as missing). */
    public List<String> problems() { return List.copyOf(problems); }

    /** The first init rule whose pattern matches the tensor name. */
    public Optional<InitRule> initFor(String tensor) {
        return init.stream().filter(r -> r.matches(tensor)).findFirst();
    }

    /**
     * True when the claimed optimizer applies weight decay decoupled, θ ← (1 − ηλ)θ before its update (AdamW,
     * Lion, Muon as usually implemented; Loshchilov &amp; Hutter 2019); Adam and SGD fold λθ into the gradient.
     */
    public boolean decoupledDecay() {
        String o = optimizerName == null ? "" : optimizerName.toLowerCase(java.util.Locale.ROOT);
        return o.equals("adamw") || o.equals("lion") || o.equals("muon");
    }

    /** True if weight decay applies to the tensor (not matched by any {@code no_decay} pattern). */
    public boolean decays(String tensor) {
        return noDecay.stream().noneMatch(p -> compile(p).matcher(tensor).matches());
    }
}
