package org.trainproof.trainlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.verdict.Finding;

/** Synthetic logs built from the format descriptions in formats.md §5, one messy case each. */
class LogReadersTest {
    @TempDir
    Path dir;

    Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    static List<String> series(LogReadResult r) {
        return r.records().stream().map(m -> m.step() + " " + m.metric() + "=" + m.value()).toList();
    }

    static Finding finding(LogReadResult r, String code) {
        return r.findings().stream().filter(f -> f.code().equals(code)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + code + " in " + r.findings()));
    }

    static boolean has(LogReadResult r, String code) {
        return r.findings().stream().anyMatch(f -> f.code().equals(code));
    }

    @Test
    void metricNames_issueExamplesNormaliseAndUnknownKept() {
        for (String s : List.of("loss", "train_loss", "trl", "lm loss", "LM Loss ")) assertEquals("train/loss", MetricNames.normalise(s), s);
        for (String s : List.of("val_loss", "eval_loss", "vl", "tel", "eval/loss")) assertEquals("val/loss", MetricNames.normalise(s), s);
        assertEquals("train/lr", MetricNames.normalise("learning_rate"));
        assertEquals("train/grad_norm", MetricNames.normalise("grad norm"));
        assertEquals("train/tokens", MetricNames.normalise("num_input_tokens_seen"));
        assertEquals("train/tokens_per_s", MetricNames.normalise("tok/s"));
        assertEquals("my_metric/x", MetricNames.normalise("my_metric/x"));
        assertFalse(MetricNames.known("my_metric/x"));
    }

    @Test
    void jsonl_messyLines_becomeFindingsNotCrashes() throws IOException {
        Path p = file("run.jsonl", "\uFEFF{\"step\": 5, \"loss\": 2.0, \"lr\": 1e-4}\r\n"
                + "{\"step\": 6, \"loss\": NaN, \"grad_norm\": Infinity}\n"
                + "{\"step\": 6, \"loss\": 1.5}\n"              // duplicated step
                + "this is not json\n"                          // malformed line
                + "{\"step\": 3, \"loss\": -Infinity, \"note\": \"hi\"}\n" // backwards, non-numeric value
                + "{\"step\": 7, \"loss\": 1.");                // truncated live tail
        assertEquals(LogFormat.JSONL, LogReaders.detect(p));
        LogReadResult r = LogReaders.read(p);
        assertEquals(List.of("5 train/loss=2.0", "5 train/lr=1.0E-4", "6 train/loss=NaN", "6 train/grad_norm=Infinity",
                "6 train/loss=1.5", "3 train/loss=-Infinity"), series(r));
        assertEquals(2, finding(r, LogFindings.NON_FINITE_VALUE).n()); // NaN and -Inf of train/loss, aggregated
        assertTrue(has(r, LogFindings.DUPLICATE_STEP));
        assertEquals(3L, finding(r, LogFindings.STEP_BACKWARDS).location().step());
        assertEquals(4L, finding(r, LogFindings.MALFORMED_RECORD).location().line());
        assertTrue(has(r, LogFindings.NON_NUMERIC_VALUE));
        assertEquals(5L, finding(r, LogFindings.FIRST_STEP_NOT_ZERO).location().step());
        assertEquals(6L, finding(r, LogFindings.TRUNCATED_LAST_RECORD).location().line());
        long tailStart = Files.size(p) - "{\"step\": 7, \"loss\": 1.".length();
        assertEquals(tailStart, r.files().get(0).stableEnd());
    }

    @Test
    void jsonl_unterminatedButCompleteLastLine_isReadAndLedgerStopsBeforeIt() throws IOException {
        Path p = file("a.jsonl", "{\"step\": 0, \"loss\": 3}\n{\"step\": 1, \"loss\": 2}");
        LogReadResult r = LogReaders.read(p);
        assertEquals(2, r.records().size());
        assertTrue(has(r, LogFindings.UNTERMINATED_LAST_LINE));
        assertEquals("{\"step\": 0, \"loss\": 3}\n".length(), r.files().get(0).stableEnd());
    }

    @Test
    void jsonl_wandbStepAndUserStepAndFairseq() throws IOException {
        Path w = file("h.jsonl", "{\"loss\": 1.0, \"train/global_step\": 100, \"_step\": 0, \"_runtime\": 3.5, \"_timestamp\": 1700000000.5}\n");
        MetricRecord m = LogReaders.read(w).records().get(0);
        assertEquals(100, m.step()); // the user's step beats W&B's log counter
        assertEquals(1700000000.5, m.wallTime());
        Path f = file("fairseq.log", "2021-03-01 12:00:00 | INFO | train_inner | {\"epoch\": 1, \"update\": 0.512, \"loss\": \"9.123\", "
                + "\"num_updates\": \"100\", \"lr\": \"5e-05\", \"gnorm\": \"1.234\"}\n");
        assertEquals(LogFormat.JSONL, LogReaders.detect(f));
        LogReadResult r = LogReaders.read(f);
        assertTrue(series(r).containsAll(List.of("100 train/loss=9.123", "100 train/lr=5.0E-5", "100 train/grad_norm=1.234")), series(r).toString());
    }

    @Test
    void jsonl_noStepKey_numberedByLineAndReported() throws IOException {
        LogReadResult r = LogReaders.read(file("n.jsonl", "{\"loss\": 3}\n{\"loss\": 2}\n"));
        assertEquals(List.of("0 train/loss=3.0", "1 train/loss=2.0"), series(r));
        assertTrue(has(r, LogFindings.STEP_MISSING));
    }

    @Test
    void jsonl_duplicateKeysTrailingCommaAndHugeInteger() throws IOException {
        LogReadResult r = LogReaders.read(file("d.jsonl", "{\"step\": 0, \"loss\": 1, \"loss\": 2}\n"
                + "{\"step\": 1, \"loss\": 1,}\n{\"step\": 2, \"num_input_tokens_seen\": 99999999999999999999}\n"));
        assertEquals(List.of("2 train/tokens=1.0E20"), series(r));
        assertEquals(2, finding(r, LogFindings.MALFORMED_RECORD).n());
    }

    @Test
    void csv_rewrittenWithWiderHeaderMidFile() throws IOException {
        LogReadResult r = LogReaders.read(file("m.csv", "train_loss,step\n0.5,49\ntrain_loss,step,val_loss\n0.4,99,\n,99,0.45\n"));
        assertEquals(List.of("49 train/loss=0.5", "99 train/loss=0.4", "99 val/loss=0.45"), series(r));
        assertFalse(has(r, LogFindings.MALFORMED_RECORD));
    }

    @Test
    void emptyFile_isEmptyFormatWithFinding() throws IOException {
        Path p = file("empty.log", "");
        assertEquals(LogFormat.EMPTY, LogReaders.detect(p));
        LogReadResult r = LogReaders.read(p);
        assertTrue(r.records().isEmpty());
        assertTrue(has(r, LogFindings.EMPTY_LOG));
    }

    @Test
    void trainerState_nanCrlfPredictAndSummaryEntries() throws IOException {
        String json = "{\n  \"global_step\": 20,\n  \"log_history\": [\n    {\n      \"epoch\": 0.5,\n      \"grad_norm\": NaN,\n"
                + "      \"learning_rate\": 1e-05,\n      \"loss\": 2.5,\n      \"step\": 10\n    },\n"
                + "    {\n      \"eval_loss\": 2.25,\n      \"step\": 10\n    },\n"
                + "    {\n      \"predict_loss\": 2.0\n    },\n"
                + "    {\n      \"step\": 20,\n      \"train_loss\": 2.4,\n      \"train_runtime\": 100.0\n    }\n  ],\n"
                + "  \"new_top_level_key\": 1\n}\n";
        Path p = file("trainer_state.json", json.replace("\n", "\r\n"));
        assertEquals(LogFormat.HF_TRAINER_STATE, LogReaders.detect(p));
        assertEquals(LogFormat.HF_TRAINER_STATE, LogReaders.detect(dir)); // a checkpoint directory holding it
        LogReadResult r = LogReaders.read(p);
        assertEquals(List.of("10 train/epoch=0.5", "10 train/grad_norm=NaN", "10 train/lr=1.0E-5", "10 train/loss=2.5",
                "10 val/loss=2.25", "20 summary/train_loss=2.4", "20 summary/train_runtime=100.0"), series(r));
        assertTrue(has(r, LogFindings.NON_FINITE_VALUE));
        assertTrue(has(r, LogFindings.STEP_MISSING));
        assertTrue(has(r, LogFindings.WINDOWED_AVERAGE));
        assertTrue(r.findings().stream().anyMatch(f -> f.code().equals(LogFindings.UNKNOWN_KEY) && f.message().contains("new_top_level_key")));
        assertEquals(4, r.files().get(0).units());
    }

    @Test
    void trainerState_truncatedDocument_keepsCompleteEntries() throws IOException {
        String json = "{\"log_history\": [{\"loss\": 2.5, \"step\": 10}, {\"loss\": 2.0, \"step\": 20}, {\"loss\": 1.";
        LogReadResult r = LogReaders.read(file("ts.json", json), LogFormat.HF_TRAINER_STATE);
        assertEquals(List.of("10 train/loss=2.5", "20 train/loss=2.0"), series(r));
        assertTrue(has(r, LogFindings.TRUNCATED_LAST_RECORD));
        assertEquals(json.indexOf(", {\"loss\": 1."), r.files().get(0).stableEnd());
    }

    @Test
    void megatronConsole_iterationAndValidationLines() throws IOException {
        String log = "[default0]: \u001B[32m [2026-08-22 15:22:22.123456] iteration     1000/  500000 | consumed samples:       512000 |"
                + " elapsed time per iteration (ms): 438.3 | learning rate: 5.999998E-05 | global batch size:   512 |"
                + " lm loss: 6.159759E+00 | loss scale: 1.0 | grad norm: 1.095 | number of skipped iterations:   0 |"
                + " number of nan iterations:   0 |\u001B[0m\n"
                + "7:  iteration     1010/  500000 | consumed samples:       517120 | elapsed time per iteration (ms): 440.0 |"
                + " global batch size:   512 | lm loss: nan | loss scale: 1.0 | number of skipped iterations:   0 | number of nan iterations:   1 |\n"
                + "-----------------------------------------------------------------------------------------------\n"
                + " validation loss at iteration 1000 | lm loss value: 2.345E+00 | lm loss PPL: 1.043E+01 | \n"
                + " validation loss at iteration 1000 on test set | lm loss value: 2.5E+00 | lm loss PPL: 1.2E+01 | \n";
        Path p = file("megatron.log", log);
        assertEquals(LogFormat.MEGATRON, LogReaders.detect(p));
        LogReadResult r = LogReaders.read(p);
        List<String> s = series(r);
        assertTrue(s.containsAll(List.of("1000 train/loss=6.159759", "1000 train/lr=5.999998E-5", "1000 train/grad_norm=1.095",
                "1000 train/samples=512000.0", "1000 train/step_time_ms=438.3", "1010 train/loss=NaN", "1000 val/loss=2.345",
                "1000 val/ppl=10.43", "1000 test/loss=2.5", "1000 test/ppl=12.0")), s.toString());
        assertTrue(has(r, LogFindings.WINDOWED_AVERAGE));
        assertTrue(has(r, LogFindings.NON_FINITE_VALUE));
    }

    @Test
    void hfConsole_dictLinesTakeTheTrainingProgressBarStep() throws IOException {
        String log = "  0%|          | 0/100 [00:00<?, ?it/s]\r 10%|#         | 10/100 [00:05<00:45]{'loss': 2.5, 'grad_norm': 1.2, 'learning_rate': 5e-05, 'epoch': 0.1}\n"
                + "\r  0%|          | 0/8 [00:00<?, ?it/s]\r100%|##########| 8/8 [00:01<00:00]\n"
                + "{'eval_loss': 2.25, 'eval_runtime': 1.0, 'epoch': 0.1}\n"
                + " 20%|##        | 20/100 [00:10<00:40]{'loss': nan, 'grad_norm': inf, 'learning_rate': 4e-05, 'epoch': 0.2}\n"
                + " 30%|###       | 30/100 [00:15<00:35]{'loss': 1.75, 'grad_norm': np.float64(0.5), 'learning_rate': 3e-05, 'epoch': 0.3}\n";
        Path p = file("console.txt", log);
        assertEquals(LogFormat.HF_CONSOLE, LogReaders.detect(p));
        List<String> s = series(LogReaders.read(p));
        assertTrue(s.containsAll(List.of("10 train/loss=2.5", "10 train/lr=5.0E-5", "10 val/loss=2.25", "20 train/loss=NaN",
                "20 train/grad_norm=Infinity", "30 train/grad_norm=0.5", "30 train/loss=1.75")), s.toString());
    }

    @Test
    void hfConsole_everyDictAfterACarriageReturn_isDetected() throws IOException {
        // As tqdm leaves it in a file: the bar redrawn with \r, the logged dict printed right after it on the
        // same line, so no dict starts a line; '.' in a regex does not match \r, which once hid the format.
        String log = "  0%|          | 0/30 [00:00<?, ?it/s]\r  3%|3         | 1/30 [00:01<00:29]\r 33%|###3      | 10/30 [00:05<00:10]"
                + "{'loss': 2.5, 'grad_norm': 1.5, 'learning_rate': 5e-05, 'epoch': 0.33}\n"
                + "\r 37%|###6      | 11/30 [00:05<00:09]\r 67%|######6   | 20/30 [00:10<00:05]"
                + "{'loss': 2.25, 'grad_norm': 1.25, 'learning_rate': 3e-05, 'epoch': 0.67}\n";
        Path p = file("console-cr.txt", log);
        assertEquals(LogFormat.HF_CONSOLE, LogReaders.detect(p));
        assertTrue(series(LogReaders.read(p)).containsAll(List.of("10 train/loss=2.5", "20 train/loss=2.25")));
    }

    @Test
    void hfConsole_trainingArgumentsDumpBeforeTheBar_firstLossAtItsStep() throws IOException {
        // As HF prints it when the script logs its TrainingArguments: a config dict before any progress bar.
        String log = "TrainingArguments(\n_n_gpu=1,\nfsdp=[],\nfsdp_config={'min_num_params': 0, 'xla': False, 'xla_fsdp_v2': False},\n"
                + "learning_rate=5e-05,\nlogging_steps=10,\n)\n"
                + "  0%|          | 0/100 [00:00<?, ?it/s]\r 10%|#         | 10/100 [00:05<00:45]{'loss': 4.1, 'grad_norm': 1.2, 'learning_rate': 5e-05, 'epoch': 0.1}\n"
                + " 20%|##        | 20/100 [00:10<00:40]{'loss': 3.5, 'grad_norm': 1.0, 'learning_rate': 4e-05, 'epoch': 0.2}\n";
        Path p = file("console-args.txt", log);
        LogReadResult r = LogReaders.read(p, LogFormat.HF_CONSOLE);
        List<String> s = series(r);
        assertTrue(s.containsAll(List.of("10 train/loss=4.1", "20 train/loss=3.5")), s.toString());
        assertFalse(s.stream().anyMatch(x -> x.contains("min_num_params")), s.toString());
        assertFalse(has(r, LogFindings.STEP_MISSING));
    }

    @Test
    void nanogptAndLlmcConsoleAndKeyValue() throws IOException {
        Path n = file("nanogpt.txt", "step 0: train loss 10.9876, val loss 10.9912\niter 0: loss 10.9801, time 512.33ms, mfu -100.00%\n"
                + "iter 1: loss 10.5, time 100.00ms, mfu 12.50%\nsaving checkpoint to out\n");
        assertEquals(LogFormat.NANOGPT, LogReaders.detect(n));
        assertTrue(series(LogReaders.read(n)).containsAll(List.of("0 val/loss=10.9912", "0 eval/train_loss=10.9876",
                "0 train/loss=10.9801", "1 train/loss=10.5", "1 train/mfu=12.5")));
        // train_gpt2.c prints a 0-based step; val loss belongs to the step about to run.
        Path c = file("c.txt", "val loss 11.0\nstep 0: train loss 10.9 (took 100.5 ms)\nstep 1: train loss 10.7 (took 99.0 ms)\n");
        assertEquals(LogFormat.LLMC_STDOUT, LogReaders.detect(c));
        assertEquals(List.of("0 val/loss=11.0", "0 train/loss=10.9", "0 train/step_time_ms=100.5", "1 train/loss=10.7",
                "1 train/step_time_ms=99.0"), series(LogReaders.read(c)));
        Path kv = file("kv.txt", "epoch 1 step=10 loss=2.5 lr=0.001\nstep=20 loss=inf lr=0.0009\n");
        assertEquals(LogFormat.KEY_VALUE_TEXT, LogReaders.detect(kv));
        LogReadResult r = LogReaders.read(kv);
        assertEquals(List.of("10 train/loss=2.5", "10 train/lr=0.001", "20 train/loss=Infinity", "20 train/lr=9.0E-4"), series(r));
        assertFalse(has(r, LogFindings.STEP_MISSING));
    }

    @Test
    void moddedNanogpt_ignoresEmbeddedCodeAndReadsSecondsUnit() throws IOException {
        String sep = "=".repeat(100);
        String log = sep + "\nimport os\n    print0(f\"step:{step}/{args.num_iterations} val_loss:{val_loss:.4f}\")\n" + sep + "\n"
                + "step:0/100 val_loss:10.8258 train_time:0ms step_avg:nanms\nstep:1/100 train_loss:10.5 train_time:56.129s step_avg:1.5ms\n";
        Path p = file("mng.txt", log);
        assertEquals(LogFormat.MODDED_NANOGPT, LogReaders.detect(p));
        List<String> s = series(LogReaders.read(p));
        assertTrue(s.containsAll(List.of("0 val/loss=10.8258", "1 train/loss=10.5", "1 train/time_ms=56129.0")), s.toString());
    }

    @Test
    void missingSteps_gapOfTwiceTheIntervalIsReported() throws IOException {
        Path p = file("gaps.jsonl", "{\"step\":0,\"loss\":1}\n{\"step\":10,\"loss\":1}\n{\"step\":20,\"loss\":1}\n{\"step\":50,\"loss\":1}\n");
        Finding f = finding(LogReaders.read(p), LogFindings.MISSING_STEPS);
        assertTrue(f.message().contains("about 2 expected log points missing"), f.message());
    }

    @Test
    void duplicates_exactRepeatOfPreviousRecordIsNotAConflict() throws IOException {
        // HF eval entries repeat the train entry's epoch at the same step: not a duplicate.
        LogReadResult same = LogReaders.read(file("r1.jsonl", "{\"step\":5,\"epoch\":1.5,\"loss\":2}\n{\"step\":5,\"epoch\":1.5,\"eval_loss\":2.1}\n"));
        assertFalse(has(same, LogFindings.DUPLICATE_STEP), same.findings().toString());
        // A different value at the same step, or the same step again after others, is.
        LogReadResult diff = LogReaders.read(file("r2.jsonl", "{\"step\":5,\"loss\":2}\n{\"step\":5,\"loss\":2.5}\n"));
        assertTrue(has(diff, LogFindings.DUPLICATE_STEP));
        LogReadResult again = LogReaders.read(file("r3.jsonl", "{\"step\":5,\"loss\":2}\n{\"step\":6,\"loss\":2}\n{\"step\":5,\"loss\":2}\n"));
        assertTrue(has(again, LogFindings.DUPLICATE_STEP));
        assertTrue(has(again, LogFindings.STEP_BACKWARDS));
    }

    @Test
    void csv_quotedHeaderEmptyCellsAndRaggedRow() throws IOException {
        Path p = file("metrics.csv", "\"train_loss\",step,epoch\n0.5,49,0\n,99,0\n0.25,149\nnan,199,1\n");
        assertEquals(LogFormat.CSV, LogReaders.detect(p));
        LogReadResult r = LogReaders.read(p);
        assertEquals(List.of("49 train/loss=0.5", "49 train/epoch=0.0", "99 train/epoch=0.0", "199 train/loss=NaN", "199 train/epoch=1.0"), series(r));
        assertEquals(4L, finding(r, LogFindings.MALFORMED_RECORD).location().line());
    }

    @Test
    void notALog_missingFile_binaryFile_unknownDirectory_areBadInput() throws IOException {
        Path prose = file("readme.txt", "This is just some prose.\nNothing to see here.\n");
        Path bin = dir.resolve("x.bin");
        Files.write(bin, new byte[] {1, 2, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
        Path emptyDir = Files.createDirectory(dir.resolve("nothing"));
        for (Path p : List.of(prose, bin, emptyDir, dir.resolve("missing.log"))) {
            TrainproofException e = assertThrows(TrainproofException.class, () -> LogReaders.read(p), p.toString());
            assertEquals(ExitCode.BAD_INPUT, e.exitCode());
            assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        }
    }

    @Test
    void forcedFormat_overridesDetection() throws IOException {
        Path p = file("odd.log", "s:0 trl:3.0\n");
        assertEquals(LogFormat.LLMC_MAIN_LOG, LogReaders.detect(p));
        LogReadResult r = LogReaders.read(p, LogFormat.KEY_VALUE_TEXT);
        assertEquals(LogFormat.KEY_VALUE_TEXT, r.format());
        assertEquals(List.of("0 train/loss=3.0"), series(r)); // "s" is a step key in the fallback too
        assertNull(r.records().get(0).wallTime());
    }
}
