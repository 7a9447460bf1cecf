package org.trainproof.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.trainlog.LogFormat;
import org.trainproof.trainlog.LogReadResult;
import org.trainproof.trainlog.LogReaders;
import org.trainproof.trainlog.MetricRecord;
import org.trainproof.trainlog.MetricsSummary;
import org.trainproof.verdict.Finding;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code trainproof metrics FILE... [--json FILE | --csv FILE] [--log-format F]}: read training logs into one normalised series. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {
            "Read training logs (JSONL, CSV, trainer_state.json, TensorBoard, MLflow, W&B, llm.c, nanoGPT, "
                    + "modded-nanogpt, Megatron, HF console, name=value text) into one normalised metric series. "
                    + "Prints a summary per file (first and last step, first loss, records per metric, findings); "
                    + "--csv prints every record as step,metric,value,wall_time in file order.",
            "Exit codes: 0 read (findings do not change it), 2 usage error, 3 missing file or not a training log."
        })
public final class MetricsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Log files or run directories (TensorBoard run, mlruns/, HF checkpoint, W&B run).")
    List<Path> files;

    static final class Outputs {
        @Option(names = "--json", paramLabel = "FILE", arity = "0..1", fallbackValue = DeprecatedBare.MARK,
                description = "Write the summary as JSON (schemas/metrics-summary.schema.json) to FILE; - for standard output.")
        String json;

        @Option(names = "--csv", paramLabel = "FILE", arity = "0..1", fallbackValue = DeprecatedBare.MARK,
                description = "Write all records as CSV (step,metric,value,wall_time) to FILE; - for standard output.")
        String csv;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Outputs output = new Outputs();

    @Option(names = "--force", description = "Overwrite the --json or --csv file if it exists (refused otherwise).")
    boolean force;

    @Option(names = "--log-format", paramLabel = "F", description = "Read the logs as this format instead of detecting it: ${COMPLETION-CANDIDATES}.",
            completionCandidates = FormatNames.class)
    String format;

    @Option(names = "--format", hidden = true, paramLabel = "F", description = "Deprecated spelling of --log-format.")
    void oldFormat(String f) {
        Output.deprecated(spec.commandLine().getErr(), "--format", "--log-format");
        format = f;
    }

    static final class FormatNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        FormatNames() {
            for (LogFormat f : LogFormat.values()) add(f.cliName());
        }
    }

    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    @Override
    public Integer call() throws Exception {
        LogFormat forced = null;
        if (format != null) {
            try {
                forced = LogFormat.parse(format);
            } catch (IllegalArgumentException e) {
                throw TrainproofException.usage("--log-format: " + e.getMessage());
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        Output json = Output.of("--json", DeprecatedBare.resolve(output.json, "--json", err));
        Output csv = Output.of("--csv", DeprecatedBare.resolve(output.csv, "--csv", err));
        Output target = json != null ? json : csv;
        if (target != null) target.check(force);
        LogFormat f = forced;
        if (target == null || target.isStdout()) {
            // Buffered, flushed once at the end: the injected writer may flush on every println.
            PrintWriter out = new PrintWriter(new java.io.BufferedWriter(spec.commandLine().getOut(), 1 << 16), false);
            try {
                print(out, f, json != null, csv != null);
            } finally {
                out.flush(); // rows already written stay written when a later file is bad input
                spec.commandLine().getOut().flush();
            }
        } else {
            target.write(force, spec.commandLine().getOut(), w -> print(w, f, json != null, csv != null));
        }
        return ExitCode.OK;
    }

    private void print(PrintWriter out, LogFormat forced, boolean asJson, boolean asCsv) throws java.io.IOException {
        {
            if (asCsv) out.println("step,metric,value,wall_time");
            List<MetricsSummary> summaries = new ArrayList<>();
            StringBuilder row = new StringBuilder(64);
            for (Path p : files) {
                LogFormat fmt = forced != null ? forced : LogReaders.detect(p);
                // Streamed: constant memory however long the log is.
                if (asCsv) {
                    LogReadResult r = LogReaders.stream(p, fmt, m -> csv(out, row, m));
                    for (Finding f : r.findings()) spec.commandLine().getErr().println("trainproof: " + f);
                } else {
                    MetricsSummary.Builder b = new MetricsSummary.Builder();
                    summaries.add(b.build(LogReaders.stream(p, fmt, b)));
                }
            }
            if (asJson) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("files", summaries);
                JsonGenerator g = JSON.getFactory().createGenerator(out);
                JSON.writeValue(g, org.trainproof.verdict.NonFiniteJson.nullify(JSON.valueToTree(doc)));
                out.println();
            } else if (!asCsv) {
                for (MetricsSummary s : summaries) text(out, s);
            }
        }
    }

    private static void csv(PrintWriter out, StringBuilder sb, MetricRecord m) {
        sb.setLength(0);
        sb.append(m.step()).append(',');
        csvCell(sb, m.metric());
        sb.append(',').append(m.value()).append(',');
        if (m.wallTime() != null) sb.append(m.wallTime());
        out.println(sb);
    }

    private static void csvCell(StringBuilder sb, String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            sb.append(s);
        } else {
            sb.append('"').append(s.replace("\"", "\"\"")).append('"');
        }
    }

    private static void text(PrintWriter out, MetricsSummary s) {
        out.println(s.path() + " (" + s.format() + ")");
        out.println("  records: " + s.records()
                + (s.firstStep() == null ? "" : "   first step: " + s.firstStep() + "   last step: " + s.lastStep()));
        if (s.firstLoss() != null) {
            out.println("  first loss: " + s.firstLoss().metric() + " = " + s.firstLoss().value() + " at step " + s.firstLoss().step());
        } else {
            out.println("  first loss: none (no train/loss or val/loss records)");
        }
        if (!s.metrics().isEmpty()) {
            int w = 6;
            for (MetricsSummary.MetricCount c : s.metrics()) w = Math.max(w, c.name().length());
            out.println("  metrics:");
            for (MetricsSummary.MetricCount c : s.metrics()) {
                out.printf("    %-" + w + "s %9d records  steps %d..%d%s%n", c.name(), c.count(), c.firstStep(), c.lastStep(),
                        c.nonFinite() > 0 ? "  (" + c.nonFinite() + " NaN/Inf)" : "");
            }
        }
        if (s.findings().isEmpty()) {
            out.println("  findings: none");
        } else {
            out.println("  findings:");
            for (Finding f : s.findings()) out.println("    " + f);
        }
    }
}
