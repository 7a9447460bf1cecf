package org.trainproof.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.trainproof.TrainproofException;
import org.trainproof.analysis.AnalysisConfig;
import org.trainproof.analysis.AnalysisInput;
import org.trainproof.analysis.ConsistencyAnalysis;
import org.trainproof.analysis.ConsistencyVerdict;
import org.trainproof.analysis.RunClaims;
import org.trainproof.analysis.RunCharts;
import org.trainproof.analysis.RunInputs;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Report;
import org.trainproof.verdict.Severity;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "analyze", mixinStandardHelpOptions = true, description = {
    "Run the training-consistency checks on raw training logs and checkpoint files, with no ledger:",
    "what an auditor does with a published W&B export or trainer_state.json. Checkpoints are",
    "safetensors files or directories whose step is in the name (step-N, checkpoint-N, iter_N) or in",
    "the metadata; weight checks use exact values at positions drawn from a fresh seed (printed).",
    "Exit 0 needs the step-0 checkpoint and at least 3 later ones (the evidence rule, docs/checks.md);",
    "with less, the verdict is inconclusive and names what to record.",
    "Exit 0 consistent, 5 inconclusive, 6 inconsistent, 3 unreadable input."})
final class AnalyzeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Training logs and checkpoints.")
    List<Path> paths;

    @Option(names = "--run-config", paramLabel = "FILE", description = "The run's claims (schemas/run-config.schema.json).")
    Path runConfig;

    @Option(names = "--vocab-size", paramLabel = "V", description = "Vocabulary size (overrides the run config's vocab_size).")
    Long vocabSize;

    @Option(names = "--seed", paramLabel = "S", description = "Auditor seed for sampled positions (reproduces an earlier run).")
    Long seed;

    @CommandLine.Mixin
    ReportFiles files = new ReportFiles();

    @Option(names = "--quiet", description = "Print the verdict line only.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        files.check();
        ObjectNode config = JSON.createObjectNode();
        if (runConfig != null) config = RunConfigFile.read(runConfig, "analyze", spec.commandLine().getErr());
        if (vocabSize != null) {
            if (vocabSize < 2) throw TrainproofException.usage("--vocab-size must be at least 2");
            config.put("vocab_size", vocabSize);
        }
        long auditorSeed = seed != null ? seed : new SecureRandom().nextLong();
        List<Finding> readerFindings = new ArrayList<>();
        AnalysisInput in = RunInputs.fromFiles(paths, RunClaims.parse(config), auditorSeed, AnalysisConfig.DEFAULT, readerFindings);
        ConsistencyVerdict v = ConsistencyAnalysis.standard().run(in);
        List<CheckResult> checks = new ArrayList<>();
        if (!readerFindings.isEmpty()) {
            boolean warn = readerFindings.stream().anyMatch(f -> f.severity() != Severity.INFO);
            checks.add(new CheckResult("LOGS", "training-log reading", warn ? CheckStatus.INCONCLUSIVE : CheckStatus.PASS, null, null,
                    (long) readerFindings.size(), null, null, "findings of the log readers (not integrity: no ledger)", readerFindings));
        }
        checks.addAll(v.checks());
        Map<String, String> params = new LinkedHashMap<>();
        if (!in.trajectory().checkpoints().isEmpty()) {
            params.put("auditor seed", auditorSeed + " (reproduce with --seed " + auditorSeed + ")");
        } else {
            params.put("auditor seed", "none used: no checkpoint files given, so nothing was sampled");
        }
        params.put("evidence level", v.evidence().describe());
        List<String> notChecked = new ArrayList<>(v.notPerformed());
        notChecked.add("integrity: no ledger, so nothing shows these files are what was produced during training");
        Report r = Report.of("analyze", String.join(" ", paths.stream().map(Path::toString).toList()), checks, v.outcome(),
                v.statement(), notChecked, params);
        if (runConfig != null || vocabSize != null) {
            r = r.withProvenance(org.trainproof.verdict.Provenance.now(List.of()).withClaims(config,
                    runConfig != null ? "--run-config " + runConfig + (vocabSize != null ? " with --vocab-size" : "") : "--vocab-size"));
        }
        return ReportOutput.emit(r, files, () -> RunCharts.of(in), quiet, spec.commandLine().getOut());
    }
}
