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

/** {@code trainproof metrics FILE... [--json | --csv] [--format F]}: read training logs into one normalised series. */
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

    static final class Output {
        @Option(names = "--json", description = "Summary as JSON (schemas/metrics-summary.schema.json).")
        boolean json;

        @Option(names = "--csv", description = "All records as CSV: step,metric,value,wall_time.")
        boolean csv;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Output output = new Output();

    @Option(names = "--format", paramLabel = "F", description = "Force the format instead of detecting it: ${COMPLETION-CANDIDATES}.",
            completionCandidates = FormatNames.class)
    String format;

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
                throw TrainproofException.usage("--format: " + e.getMessage());
            }
        }
        // Buffered, flushed once at the end: the injected writer may flush on every println.
        PrintWriter out = new PrintWriter(new java.io.BufferedWriter(spec.commandLine().getOut(), 1 << 16), false);
        try {
            if (output.csv) out.println("step,metric,value,wall_time");
            List<MetricsSummary> summaries = new ArrayList<>();
            StringBuilder row = new StringBuilder(64);
            for (Path p : files) {
                LogFormat fmt = forced != null ? forced : LogReaders.detect(p);
                // Streamed: constant memory however long the log is.
                if (output.csv) {
                    LogReadResult r = LogReaders.stream(p, fmt, m -> csv(out, row, m));
                    for (Finding f : r.findings()) spec.commandLine().getErr().println("trainproof: " + f);
                } else {
                    MetricsSummary.Builder b = new MetricsSummary.Builder();
                    summaries.add(b.build(LogReaders.stream(p, fmt, b)));
                }
            }
            if (output.json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("files", summaries);
                JsonGenerator g = JSON.getFactory().createGenerator(out);
                JSON.writeValue(g, doc);
                out.println();
            } else if (!output.csv) {
                for (MetricsSummary s : summaries) text(out, s);
            }
        } finally {
            out.flush(); // rows already written stay written when a later file is bad input
            spec.commandLine().getOut().flush();
        }
        return ExitCode.OK;
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
