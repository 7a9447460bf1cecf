package org.trainproof.cli;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.ShardMerge;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "merge-verify", mixinStandardHelpOptions = true, description = {
    "Combine the 'verify --artifacts --json' reports of several hosts of one ledger: for each shard file of a",
    "distributed checkpoint, which host re-read it and whether it matched (docs/distributed.md).",
    "Exit 0 every shard file re-read somewhere and matching and every report's integrity passed; 1 a shard",
    "differs or a report's integrity failed; 5 some shard file was re-read nowhere; 3 reports of different ledger heads."})
final class MergeVerifyCommand implements Callable<Integer> {
    /** A verify report is a few MB at most; 256 MB is far above one for 1,000 checkpoints x 1,000 ranks. */
    static final long MAX_BYTES = 256L << 20;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "REPORT", description = "verify --json reports, one per host.")
    List<Path> reports;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the combined result as JSON to FILE; - for standard output.")
    String json;

    @Option(names = "--force", description = "Overwrite the --json file if it exists (refused otherwise).")
    boolean force;

    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    @Override
    public Integer call() throws IOException {
        Output jsonOut = Output.of("--json", json);
        if (jsonOut != null) jsonOut.check(force);
        List<ShardMerge.Input> inputs = new ArrayList<>();
        for (Path p : reports) {
            if (!Files.isRegularFile(p)) throw TrainproofException.badInput(p, "no such file");
            if (Files.size(p) > MAX_BYTES) throw TrainproofException.badInput(p, "larger than " + MAX_BYTES + " bytes");
            try {
                inputs.add(new ShardMerge.Input(p.toString(), JSON.readTree(p.toFile())));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw TrainproofException.badInput(p, "not JSON: " + e.getOriginalMessage());
            }
        }
        ShardMerge.Result r = ShardMerge.merge(inputs);
        int code = !r.integrityFailedOn().isEmpty() || r.count("mismatch") > 0 ? ExitCode.INTEGRITY
                : r.count("not re-read anywhere") > 0 || r.files().isEmpty() ? ExitCode.INCONCLUSIVE : ExitCode.OK;
        PrintWriter out = spec.commandLine().getOut();
        if (jsonOut != null) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("command", "merge-verify");
            o.put("exit_code", code);
            o.put("origin", r.origin());
            o.put("key", r.key());
            o.put("entries", r.entries());
            o.put("root", r.root());
            o.put("integrity_failed_on", r.integrityFailedOn());
            o.put("reports_without_shards", r.withoutShards());
            List<Map<String, Object>> files = new ArrayList<>();
            for (ShardMerge.FileResult f : r.files()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("entry", f.entry());
                m.put("step", f.step());
                m.put("checkpoint", f.checkpoint());
                m.put("file", f.file());
                m.put("rank", f.rank());
                m.put("host", f.host());
                m.put("status", f.status());
                m.put("matched_on", f.matchedOn());
                m.put("mismatched_on", f.mismatchedOn());
                if (f.tensor() != null) m.put("tensor", f.tensor());
                files.add(m);
            }
            o.put("files", files);
            jsonOut.write(force, out, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
        }
        if (jsonOut == null || !jsonOut.isStdout()) {
            out.printf(Locale.ROOT, "ledger %s: %d entries, root %s%n", r.origin(), r.entries(), r.root());
            for (ShardMerge.FileResult f : r.files()) {
                String where = f.status().equals("mismatch") ? "differs on " + String.join(", ", f.mismatchedOn())
                        + (f.tensor() == null ? "" : " (tensor " + f.tensor() + ")")
                        : f.status().equals("match") ? "re-read on " + String.join(", ", f.matchedOn()) : "not re-read anywhere";
                out.printf(Locale.ROOT, "entry %d step %s %s/%s rank %s (written on %s): %s%n", f.entry(), f.step(), f.checkpoint(), f.file(),
                        f.rank(), f.host(), where);
            }
            for (String l : r.integrityFailedOn()) out.println("integrity audit FAILED in " + l);
            for (String l : r.withoutShards()) out.println("no distributed checkpoint files re-read in " + l + " (verify without --artifacts?)");
            out.printf(Locale.ROOT, "%d shard files: %d re-read and matching, %d differing, %d re-read nowhere%n", r.files().size(),
                    r.count("match"), r.count("mismatch"), r.count("not re-read anywhere"));
        }
        out.flush();
        return code;
    }
}
