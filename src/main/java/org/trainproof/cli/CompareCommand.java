package org.trainproof.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.trainproof.TrainproofException;
import org.trainproof.analysis.lineage.LineageComparison;
import org.trainproof.analysis.lineage.LineageCharts;
import org.trainproof.analysis.lineage.LineageConfig;
import org.trainproof.analysis.lineage.LineageText;
import org.trainproof.analysis.lineage.SafetensorsTensorSource;
import org.trainproof.analysis.lineage.TensorSource;
import org.trainproof.verdict.Report;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code trainproof compare A B}: is one model derived from the other (catalogue W8, X1)? */
@Command(name = "compare", mixinStandardHelpOptions = true, description = {
    "Test whether model B is statistically dependent on model A (derived, or sharing an initialisation).",
    "Exit 6: dependent; 0: no evidence of dependence (never 'independent'); 5: inconclusive."})
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "A", description = {"Checkpoint: safetensors file, sharded directory or index, or LEDGER@step:",
        "the checkpoint a ledger certifies at that step (audited, and its file beside the ledger re-hashed)."})
    String a;

    @Parameters(index = "1", paramLabel = "B", description = "Checkpoint to compare with A.")
    String b;

    @CommandLine.Mixin
    ReportFiles files = new ReportFiles();

    @Option(names = "--permutations", paramLabel = "T", description = "Permutations per null (default ${DEFAULT-VALUE}); min p is 1/(T+1).")
    int permutations = LineageConfig.defaults().permutations();

    @Option(names = "--seed", paramLabel = "S", description = "Seed of every subsample and permutation (default ${DEFAULT-VALUE}).")
    long seed = LineageConfig.defaults().seed();

    @Option(names = "--map", paramLabel = "A_NAME=B_NAME", description = "Pair tensor A_NAME of A with B_NAME of B (repeatable).")
    List<String> map = List.of();

    @Option(names = "--artifacts", paramLabel = "DIR", description = "Where the checkpoint files of LEDGER@step arguments are (default: beside each ledger).")
    Path artifacts;

    @Option(names = "--quiet", description = "Print the verdict line only.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        files.check();
        if (permutations < 1 || permutations > 10_000_000) throw TrainproofException.usage("--permutations must be in 1..10000000");
        Map<String, String> nameMap = new LinkedHashMap<>();
        for (String m : map) {
            int eq = m.indexOf('=');
            if (eq <= 0 || eq == m.length() - 1) throw TrainproofException.usage("--map expects A_NAME=B_NAME, got '" + m + "'");
            nameMap.put(m.substring(0, eq), m.substring(eq + 1));
        }
        LineageConfig cfg = LineageConfig.defaults().withPermutations(permutations).withSeed(seed).withNameMap(nameMap);
        if (artifacts != null && !Files.isDirectory(artifacts)) throw TrainproofException.badInput(artifacts, "not a directory");
        TensorSource sa = open(a, artifacts), sb = open(b, artifacts);
        PrintWriter err = spec.commandLine().getErr();
        LineageComparison.Result result = LineageComparison.compare(sa, sb, cfg, msg -> {
            err.println(msg);
            err.flush();
        });
        Report report = withClaims(CompareEvidence.apply(result.toReport(), a, b, located, seed));
        PrintWriter out = spec.commandLine().getOut();
        return ReportOutput.emit(report, files, () -> LineageCharts.of(result), out, stamped -> {
            if (quiet) new org.trainproof.verdict.TextReport(Progress.terminal()).verdictLine(stamped, out);
            else LineageText.write(result, stamped, out, false);
        });
    }

    /** The run-configs the ledgers of LEDGER@step arguments state, as {"a": ..., "b": ...}. */
    private Report withClaims(Report r) {
        var claims = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (String[] side : new String[][] {{"a", a}, {"b", b}}) {
            Path db = ledgerOf(side[1]);
            if (db != null) claims.set(side[0], org.trainproof.ledger.LedgerClaims.of(db));
        }
        if (claims.isEmpty()) return r;
        return r.withProvenance(org.trainproof.verdict.Provenance.now(List.of()).withClaims(claims,
                "the genesis run entries of the LEDGER@step arguments (a, b; null: the ledger states none)"));
    }

    private static Path ledgerOf(String arg) {
        int at = arg.lastIndexOf('@');
        return at > 0 && !Files.exists(Path.of(arg)) ? Path.of(arg.substring(0, at)) : null;
    }

    /** The checkpoint file each LEDGER@step argument resolved to (by argument). */
    private final Map<String, Path> located = new LinkedHashMap<>();

    private TensorSource open(String arg, Path artifacts) {
        int at = arg.lastIndexOf('@');
        if (at > 0 && !Files.exists(Path.of(arg))) {
            String step = arg.substring(at + 1);
            if (!step.matches("\\d{1,18}")) throw TrainproofException.usage(arg + ": LEDGER@step needs a step number after '@'");
            Path db = Path.of(arg.substring(0, at));
            if (!Files.isRegularFile(db)) throw TrainproofException.badInput(db, "no such ledger");
            Path file = org.trainproof.ledger.CheckpointLocator.locate(db, Long.parseLong(step), artifacts);
            located.put(arg, file);
            return SafetensorsTensorSource.open(file);
        }
        Path p = Path.of(arg);
        if (!Files.exists(p)) throw TrainproofException.badInput(arg, "no such file or directory");
        return SafetensorsTensorSource.open(p);
    }
}
