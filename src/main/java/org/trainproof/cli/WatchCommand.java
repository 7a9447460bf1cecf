package org.trainproof.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.Ledger;
import org.trainproof.watch.RunWatcher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "watch", mixinStandardHelpOptions = true, description = {
    "Watch a training run directory and record into the ledger as the job writes: each new checkpoint",
    "(checkpoint-N/, iter_N/, global_stepN/, step-N.safetensors, a step in the name or in safetensors metadata)",
    "once it is complete (no temp file, shard index present, sizes unchanged over two polls), and the new",
    "records of log files as they grow: one source of truth, the Python recorder's trainproof-log.jsonl if present,",
    "else the --log files, else ONE found log (the one already recorded, else *.jsonl, *.csv, TensorBoard, *.log, *.txt, trainer_state.json).",
    "What is recorded is read from the ledger: killed and restarted, it neither repeats nor skips anything.",
    "SIGINT/SIGTERM: finishes the entry in progress and exits 0. Exit 1 if a log's recorded history was altered."})
final class WatchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..2", paramLabel = "LEDGER RUN_DIR", description = "The ledger, then the run directory to watch.")
    List<Path> positionals = new ArrayList<>();

    @Option(names = "--ledger", hidden = true, paramLabel = "LEDGER", description = "Deprecated: the ledger is the first positional argument.")
    Path oldLedger;

    Path ledger;
    Path runDir;

    @Mixin
    KeyOptions key;

    @Option(names = "--interval", paramLabel = "SECONDS", description = "Seconds between polls (default ${DEFAULT-VALUE}).", defaultValue = "5")
    double interval;

    @Option(names = "--log", paramLabel = "FILE", description = "A log file outside RUN_DIR to record too (repeatable).")
    List<Path> logs = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "Never record paths matching GLOB, relative to RUN_DIR (repeatable), e.g. 'runs/**' or '*.txt'.")
    List<String> excludes = new java.util.ArrayList<>();

    @Option(names = "--base", paramLabel = "DIR", description = "Store checkpoint and log names relative to DIR (a folder holding RUN_DIR), for paths inside it, so 'verify --artifacts DIR' finds both (as record --base); default: relative to RUN_DIR. Use the same DIR every time.")
    Path base;

    @Option(names = "--polls", paramLabel = "N", description = "Stop after N polls (default: until interrupted).", defaultValue = "0")
    long polls;

    @Override
    public Integer call() {
        if (oldLedger != null) {
            Output.deprecated(spec.commandLine().getErr(), "watch RUN_DIR --ledger LEDGER", "watch LEDGER RUN_DIR");
            if (positionals.size() != 1) throw TrainproofException.usage("with --ledger give only RUN_DIR; better: watch LEDGER RUN_DIR");
            ledger = oldLedger;
            runDir = positionals.get(0);
        } else {
            if (positionals.size() != 2) throw TrainproofException.usage("watch needs LEDGER RUN_DIR");
            ledger = positionals.get(0);
            runDir = positionals.get(1);
        }
        if (!(interval > 0) || interval > 86_400) throw TrainproofException.usage("--interval must be in (0, 86400] seconds");
        if (polls < 0) throw TrainproofException.usage("--polls must be >= 0");
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var k = key.load();
        CountDownLatch done = new CountDownLatch(1);
        int[] code = {ExitCode.OK};
        RunWatcher[] w = new RunWatcher[1];
        // On SIGINT/SIGTERM the JVM runs this hook: stop after the entry in progress, then exit with the
        // loop's code (0 unless a log's history was altered) instead of the signal's 130/143.
        Thread hook = new Thread(() -> {
            if (w[0] != null) w[0].requestStop();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.flush();
            err.flush();
            Runtime.getRuntime().halt(code[0]);
        }, "trainproof-watch-shutdown");
        try (Ledger l = Ledger.openForAppend(ledger, k)) {
            w[0] = new RunWatcher(l, new RunWatcher.Options(runDir, logs, Duration.ofMillis(Math.round(interval * 1000)), polls, excludes, base), out, err);
            Runtime.getRuntime().addShutdownHook(hook);
            code[0] = w[0].run();
            out.println("watch stopped: " + w[0].appended() + " entries appended");
        } catch (RuntimeException e) {
            code[0] = e instanceof TrainproofException te ? te.exitCode() : ExitCode.INTERNAL;
            throw e;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // Shutdown in progress: the hook exits with code[0].
            }
        }
        return code[0];
    }
}
