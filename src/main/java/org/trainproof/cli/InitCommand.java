package org.trainproof.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.CanonicalJson;
import org.trainproof.ledger.Ledger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "init", mixinStandardHelpOptions = true, description = {
    "Create a ledger: the genesis 'run' entry (from --run-config) and the first signed checkpoint. Never overwrites."})
final class InitCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LEDGER", description = "The ledger file to create (e.g. ledger.db).")
    Path ledger;

    @Mixin
    KeyOptions key;

    @Option(names = "--origin", required = true, description = "The log's identity in checkpoints, e.g. example.com/runs/42.")
    String origin;

    @Option(names = "--run-config", paramLabel = "FILE", description = "The run's claims (JSON, schemas/run-config.schema.json).")
    Path runConfig;

    @Override
    public Integer call() {
        ObjectNode config = runConfig == null ? null : readRunConfig(runConfig);
        var k = key.load();
        try (Ledger l = Ledger.init(ledger, k, origin, config)) {
            spec.commandLine().getOut().print(l.latestCheckpointNote());
        }
        return ExitCode.OK;
    }

    /**
     * The run-config checked against schemas/run-config.schema.json (issue 18): every problem on its own
     * line with its JSON pointer; unknown keys that are not near misses are noted on stderr and kept.
     */
    private ObjectNode validated(Path f, ObjectNode config) {
        org.trainproof.ledger.RunConfigSchema.Result r = org.trainproof.ledger.RunConfigSchema.check(config);
        if (!r.problems().isEmpty()) {
            throw TrainproofException.badInput(f, "the run config does not match schemas/run-config.schema.json ("
                    + r.problems().size() + " problem" + (r.problems().size() == 1 ? "" : "s") + "):\n  "
                    + String.join("\n  ", r.problems()));
        }
        for (String n : r.notes()) spec.commandLine().getErr().println("trainproof init: note: " + f + " " + n);
        return config;
    }

    /** A JSON syntax error as line, column and what is wrong, without the parser's option names. */
    static String parseError(com.fasterxml.jackson.core.JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        var loc = e.getLocation();
        String where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
        java.util.regex.Matcher nf = java.util.regex.Pattern.compile("Non-standard token '([^']*)'").matcher(m);
        if (nf.find()) {
            return where + nf.group(1) + " is not a JSON number: JSON has no NaN or Infinity; write a finite number or leave the field out";
        }
        int cut = m.indexOf(": enable ");
        if (cut < 0) cut = m.indexOf(" (for ");
        if (cut > 0) m = m.substring(0, cut);
        return where + "not valid JSON: " + m.lines().findFirst().orElse("");
    }

    ObjectNode readRunConfig(Path f) {
        try {
            if (Files.size(f) > 16 * 1024 * 1024) throw TrainproofException.badInput(f, "run config larger than 16 MiB");
            return validated(f, CanonicalJson.parseObject(Files.readAllBytes(f)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw TrainproofException.badInput(f, parseError(e));
        } catch (java.nio.file.NoSuchFileException e) {
            throw TrainproofException.badInput(f, "no such file");
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw TrainproofException.badInput(f, "not a JSON object: " + m);
        }
    }
}
