package org.trainproof.trainlog;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.Finding;

/**
 * The training-log rows of ../shared/realdata/formats/MANIFEST.tsv, checked against the facts in
 * its expected_facts column (record/line counts, tag counts, first values), parsed here with
 * regexes. Rows of checkpoint formats are not logs and are skipped; the loop fails if it checked no row.
 */
class RealFormatsTest {
    static final Path FORMATS = Path.of("..", "shared", "realdata", "formats");
    static final Pattern PY_PAIR = Pattern.compile("'([^']+)': \\(?(-?[0-9][0-9.e+-]*)(?:, (-?[0-9][0-9.e+-]*)\\))?");

    static Map<String, String[]> pyDict(String facts, String key) {
        int i = facts.indexOf(key + "={");
        Map<String, String[]> m = new LinkedHashMap<>();
        if (i < 0) return m;
        int j = facts.indexOf('}', i);
        Matcher x = PY_PAIR.matcher(facts.substring(i + key.length() + 2, j));
        while (x.find()) m.put(x.group(1), new String[] {x.group(2), x.group(3)});
        return m;
    }

    static long num(String facts, String regex) {
        Matcher m = Pattern.compile(regex).matcher(facts);
        if (!m.find()) throw new AssertionError("fact /" + regex + "/ not in: " + facts);
        return Long.parseLong(m.group(1));
    }

    static List<MetricRecord> of(LogReadResult r, String metric) {
        return r.records().stream().filter(x -> x.metric().equals(metric)).toList();
    }

    static boolean hasFinding(LogReadResult r, String code, String text) {
        for (Finding f : r.findings()) if (f.code().equals(code) && f.message().contains(text)) return true;
        return false;
    }

    @Test
    void manifestFormats_logRowsMatchTheirFacts() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(FORMATS), "../shared/realdata/formats absent");
        List<String[]> rows = RealLogsTest.tsv(FORMATS.resolve("MANIFEST.tsv"));
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (String[] row : rows) {
            String file = row[0], fmt = row[1], facts = row.length > 7 ? row[7] : "";
            Path p = FORMATS.resolve(file);
            String where = file + ": ";
            try {
                if (fmt.equals("trainer_state")) {
                    checked++;
                    LogReadResult r = LogReaders.read(p);
                    long entries = num(facts, "log_history=(\\d+) entries");
                    if (r.files().get(0).units() != entries) failures.add(where + "entries " + r.files().get(0).units() + " != " + entries);
                    Matcher noStep = Pattern.compile("entries_without_step=(\\d+)").matcher(facts);
                    if (noStep.find() && Long.parseLong(noStep.group(1)) > 0) {
                        long n = r.findings().stream().filter(f -> f.code().equals(LogFindings.STEP_MISSING)).mapToLong(Finding::n).sum();
                        if (n != Long.parseLong(noStep.group(1))) failures.add(where + "STEP_MISSING n=" + n + " != " + noStep.group(1));
                    }
                    Map<String, String[]> first = pyDict(facts, "first");
                    MetricRecord loss = of(r, MetricNames.TRAIN_LOSS).get(0);
                    if (loss.value() != Double.parseDouble(first.get("loss")[0]) || loss.step() != Long.parseLong(first.get("step")[0])) {
                        failures.add(where + "first train/loss " + loss + " != " + first.get("loss")[0] + " at " + first.get("step")[0]);
                    }
                } else if (fmt.startsWith("tfevents")) {
                    checked++;
                    LogReadResult r = LogReaders.read(p);
                    if (LogReaders.detect(p) != LogFormat.TENSORBOARD) failures.add(where + "not detected as tensorboard");
                    long recs = num(facts, "records=(\\d+)");
                    if (r.files().get(0).units() != recs) failures.add(where + "TFRecords " + r.files().get(0).units() + " != " + recs);
                    if (num(facts, "bad_crc=(\\d+)") == 0 && hasFinding(r, LogFindings.BAD_DATA_CRC, "")) failures.add(where + "bad CRC reported");
                    for (Map.Entry<String, String[]> tc : pyDict(facts, "tag_counts").entrySet()) {
                        String metric = MetricNames.normalise(tc.getKey());
                        long n = of(r, metric).size();
                        long want = Long.parseLong(tc.getValue()[0]);
                        boolean skippedNonScalar = n == 0 && hasFinding(r, LogFindings.NON_NUMERIC_VALUE, "'" + tc.getKey() + "'");
                        if (n != want && !skippedNonScalar) failures.add(where + "tag " + tc.getKey() + " has " + n + " records, expected " + want);
                    }
                    for (Map.Entry<String, String[]> fs : pyDict(facts, "first_scalar(step,value)").entrySet()) {
                        MetricRecord m = of(r, MetricNames.normalise(fs.getKey())).get(0);
                        if (m.step() != Long.parseLong(fs.getValue()[0]) || Math.abs(m.value() - Double.parseDouble(fs.getValue()[1])) > 1e-6) {
                            failures.add(where + "first " + fs.getKey() + " " + m + " != " + List.of(fs.getValue()));
                        }
                    }
                } else if (fmt.equals("mlflow_filestore") && file.contains("/metrics/")) {
                    checked++;
                    LogReadResult r = LogReaders.read(p);
                    if (LogReaders.detect(p) != LogFormat.MLFLOW) failures.add(where + "not detected as mlflow");
                    long lines = num(facts, "(\\d+) lines");
                    if (r.records().size() != lines) failures.add(where + r.records().size() + " records != " + lines);
                    Matcher m = Pattern.compile("first ts=(\\d+) value=(\\S+) step=(\\d+)").matcher(facts);
                    assertTrue(m.find(), facts);
                    MetricRecord f = r.records().get(0);
                    if (f.value() != Double.parseDouble(m.group(2)) || f.step() != Long.parseLong(m.group(3))
                            || f.wallTime() != Long.parseLong(m.group(1)) / 1000.0) {
                        failures.add(where + "first record " + f);
                    }
                    // The run directory (mlruns/) reads the same records.
                    Path mlruns = p;
                    while (!mlruns.getFileName().toString().equals("mlruns")) mlruns = mlruns.getParent();
                    if (LogReaders.detect(mlruns) != LogFormat.MLFLOW || LogReaders.read(mlruns).records().size() != lines) {
                        failures.add(where + "mlruns/ directory does not read the same " + lines + " records");
                    }
                } else if (fmt.equals("lightning_csv")) {
                    checked++;
                    LogReadResult r = LogReaders.read(p);
                    if (LogReaders.detect(p) != LogFormat.CSV) failures.add(where + "not detected as csv");
                    long dataRows = num(facts, "data_rows=(\\d+)");
                    if (r.files().get(0).units() - 1 != dataRows) failures.add(where + "rows " + (r.files().get(0).units() - 1) + " != " + dataRows);
                    Matcher h = Pattern.compile("header=\\[([^]]*)]").matcher(facts);
                    Matcher fr = Pattern.compile("first_row=\\[([^]]*)]").matcher(facts);
                    assertTrue(h.find() && fr.find(), facts);
                    String[] header = h.group(1).replace("'", "").split(", ");
                    String[] first = fr.group(1).replace("'", "").split(", ", -1);
                    int stepCol = List.of(header).indexOf("step");
                    for (int i = 0; i < header.length; i++) {
                        if (i == stepCol || first[i].isEmpty()) continue;
                        String metric = MetricNames.normalise(header[i]);
                        MetricRecord m = of(r, metric).get(0);
                        if (m.step() != Long.parseLong(first[stepCol]) || m.value() != Double.parseDouble(first[i])) {
                            failures.add(where + "first " + metric + " " + m + " != " + first[i] + " at " + first[stepCol]);
                        }
                    }
                } else if (fmt.startsWith("wandb_history_jsonl")) {
                    checked++;
                    LogReadResult r = LogReaders.read(p);
                    if (LogReaders.detect(p) != LogFormat.WANDB_HISTORY) failures.add(where + "not detected as wandb-history");
                    long lines = num(facts, "(\\d+) JSON lines");
                    if (r.files().get(0).units() != lines) failures.add(where + "lines " + r.files().get(0).units() + " != " + lines);
                    Map<String, String[]> first = pyDict(facts, "first");
                    MetricRecord m = r.records().get(0);
                    if (m.step() != Long.parseLong(first.get("_step")[0]) || m.value() != Double.parseDouble(first.get("episodic_reward")[0])
                            || !m.metric().equals("episodic_reward") || m.wallTime() != Double.parseDouble(first.get("_timestamp")[0])) {
                        failures.add(where + "first record " + m);
                    }
                    if (!hasFinding(r, LogFindings.NON_NUMERIC_VALUE, "'gameplays'")) failures.add(where + "media value not reported");
                    if (LogReaders.read(p.getParent()).records().size() != r.records().size()) failures.add(where + "run dir differs");
                } else if (fmt.equals("llmc_main_log")) {
                    checked++;
                    LogReadResult r = LogReaders.read(p);
                    if (LogReaders.detect(p) != LogFormat.LLMC_MAIN_LOG) failures.add(where + "not detected as llmc-main-log");
                    if (r.files().get(0).units() != num(facts, "(\\d+) lines")) failures.add(where + "line count");
                    Map<String, String[]> kinds = pyDict(facts, "line kinds");
                    if (of(r, MetricNames.VAL_LOSS).size() != Long.parseLong(kinds.get("tel")[0])) failures.add(where + "tel count");
                    if (of(r, MetricNames.TRAIN_LOSS).size() != Long.parseLong(kinds.get("trl")[0])) failures.add(where + "trl count");
                    Matcher fl = Pattern.compile("first 2 lines=\\['s:0 tel:([0-9.]+)', 's:0 trl:([0-9.]+)").matcher(facts);
                    assertTrue(fl.find(), facts);
                    MetricRecord a = r.records().get(0), b = r.records().get(1);
                    if (!a.metric().equals(MetricNames.VAL_LOSS) || a.value() != Double.parseDouble(fl.group(1)) || a.step() != 0
                            || !b.metric().equals(MetricNames.TRAIN_LOSS) || b.value() != Double.parseDouble(fl.group(2)) || b.step() != 0) {
                        failures.add(where + "first records " + a + " " + b);
                    }
                }
            } catch (RuntimeException e) {
                failures.add(where + e);
            }
        }
        assertTrue(checked >= 10, "checked only " + checked + " log rows of the formats MANIFEST");
        if (!failures.isEmpty()) fail(failures.size() + " failures:\n" + String.join("\n", failures));
    }
}
