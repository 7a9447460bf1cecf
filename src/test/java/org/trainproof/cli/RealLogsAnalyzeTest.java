package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.trainproof.ExitCode;

/**
 * {@code analyze} on every real log of {@code ../shared/realdata/logs}, labelled from-scratch or
 * fine-tune by the source repository's own statements (never by the loss). A false accusation is the
 * worst error this tool can make: no from-scratch log may come out inconsistent (exit 6). Every
 * fine-tune whose first logged loss is far below ln V must come out inconsistent, except the misses
 * listed in {@link #EXPLAINED_MISSES} with their reason — strictly: a listed miss that starts being
 * caught fails the test, so the list can only shrink.
 */
class RealLogsAnalyzeTest {
    private static final Path LOGS = Path.of("..", "shared", "realdata", "logs");

    /** "Far below": more than the catalogue's L1 hard margin (0.5 nats) under ln V. */
    private static final double FAR_BELOW = 0.5;

    /**
     * Fine-tunes the analysis cannot call inconsistent from the log alone. Their first record is a
     * windowed mean at step 500 (HF Trainer logging_steps = 500): a from-scratch run could in
     * principle fall that far within 500 updates under the L1 envelope, so L1 is inconclusive, and
     * there are no checkpoints for the weight checks. A fine-tune without a vocabulary size in the
     * MANIFEST is not in scope of the rule (ln V unknown).
     */
    static final Map<String, String> EXPLAINED_MISSES = Map.of(
            "hf-trainer-state/jaong-cpt-large-adgen.json", "first record: windowed mean at step 500",
            "hf-trainer-state/serial-lain-rinna-gpt2-medium.json", "first record: windowed mean at step 500",
            "hf-trainer-state/wikipediallm-bert-mini-checkpoint-3130.json", "only val/loss, first at step 500");

    record Row(String file, String label, String vocab, double firstLoss) {}

    static List<Row> manifest() throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(LOGS.resolve("MANIFEST.tsv"));
        String[] head = lines.get(0).split("\t", -1);
        int file = idx(head, "file"), label = idx(head, "label"), vocab = idx(head, "vocab_size"), first = idx(head, "first_logged_loss");
        for (String l : lines.subList(1, lines.size())) {
            if (l.isBlank()) continue;
            String[] c = l.split("\t", -1);
            rows.add(new Row(c[file], c[label], c[vocab], c[first].isEmpty() ? Double.NaN : Double.parseDouble(c[first])));
        }
        return rows;
    }

    private static int idx(String[] head, String name) {
        for (int i = 0; i < head.length; i++) if (head[i].equals(name)) return i;
        throw new AssertionError("MANIFEST has no column " + name);
    }

    @Test
    void realLogs_noFromScratchRunAccused_farBelowFineTunesCaught() throws IOException {
        assumeTrue(Files.isRegularFile(LOGS.resolve("MANIFEST.tsv")), "../shared/realdata/logs absent");
        List<Row> rows = manifest();
        assertTrue(rows.size() > 0, "MANIFEST has no rows");
        List<String> failures = new ArrayList<>();
        Map<String, Integer> confusion = new TreeMap<>();
        for (Row r : rows) {
            List<String> args = new ArrayList<>(List.of("analyze", "--quiet", "--seed", "1"));
            if (!r.vocab().isEmpty()) args.addAll(List.of("--vocab-size", r.vocab()));
            args.add(LOGS.resolve(r.file()).toString());
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = Cli.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
            confusion.merge(r.label() + " -> " + code, 1, Integer::sum);
            String ctx = r.file() + ": exit " + code + " " + out + err;
            if (code != ExitCode.OK && code != ExitCode.INCONCLUSIVE && code != ExitCode.INCONSISTENT) {
                failures.add("unexpected exit: " + ctx);
            }
            if (r.label().equals("from-scratch") && code == ExitCode.INCONSISTENT) failures.add("FALSE ACCUSATION: " + ctx);
            // Evidence rule (issue 13): a log is a claim, not evidence about the weights; no log alone is "consistent".
            if (code == ExitCode.OK) failures.add("CONSISTENT FROM A LOG ALONE (" + r.label() + "): " + ctx);
            boolean farBelow = !r.vocab().isEmpty() && r.firstLoss() < Math.log(Long.parseLong(r.vocab())) - FAR_BELOW;
            if (r.label().equals("fine-tune") && farBelow) {
                boolean listed = EXPLAINED_MISSES.containsKey(r.file());
                if (!listed && code != ExitCode.INCONSISTENT) failures.add("fine-tune not caught: " + ctx);
                if (listed && code == ExitCode.INCONSISTENT) failures.add("now caught, remove from EXPLAINED_MISSES: " + r.file());
            }
        }
        System.out.println("real logs, label -> analyze exit code: " + confusion);
        if (!failures.isEmpty()) fail(failures.size() + " failures:\n" + String.join("\n", failures));
    }

    /**
     * A log without a step column (records numbered by line order) never yields a step-0 loss: the
     * TinyStories custom-text log (one line per epoch, from-scratch) with a GPT-2-sized vocabulary must not be
     * accused, and a made-up step-less JSONL log of a fine-tune-like curve is inconclusive, not inconsistent.
     */
    @Test
    void logsWithoutSteps_neverAccused(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path jsonl = tmp.resolve("no-steps.jsonl");
        Files.writeString(jsonl, "{\"loss\": 2.1}\n{\"loss\": 1.9}\n{\"loss\": 1.8}\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Cli.run(new PrintWriter(out), new PrintWriter(err), "analyze", "--vocab-size", "50257", jsonl.toString());
        assertTrue(code == ExitCode.INCONCLUSIVE, "exit " + code + "\n" + out + err);
        assertTrue(out.toString().contains("L1_STEP_UNKNOWN"), out.toString());
        Path tiny = LOGS.resolve("custom-text/gpt-tinystories-ts_eng.txt");
        assumeTrue(Files.isRegularFile(tiny), "../shared/realdata/logs absent");
        out = new StringWriter();
        err = new StringWriter();
        code = Cli.run(new PrintWriter(out), new PrintWriter(err), "analyze", "--vocab-size", "50257", tiny.toString());
        assertTrue(code != ExitCode.INCONSISTENT, "from-scratch TinyStories log accused: " + out + err);
    }
}
