package org.trainproof.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.ledger.CanonicalJson;
import org.trainproof.ledger.Ledger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "log", mixinStandardHelpOptions = true, description = "List the ledger's entries: a table, or JSON Lines {index, leaf_hash, entry} with --json.")
final class LogCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LEDGER")
    Path ledger;

    @Option(names = "--json", paramLabel = "FILE", arity = "0..1", fallbackValue = DeprecatedBare.MARK,
            description = "Write JSON Lines, one entry per line, in order, to FILE; - for standard output.")
    String json;

    @Option(names = "--force", description = "Overwrite the --json file if it exists (refused otherwise).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        String target = DeprecatedBare.resolve(json, "--json", spec.commandLine().getErr());
        Output o = Output.of("--json", target);
        if (o != null) o.check(force);
        try (Ledger l = Ledger.openReadOnly(ledger)) {
            if (o == null) {
                print(l, spec.commandLine().getOut(), false);
            } else {
                o.write(force, spec.commandLine().getOut(), w -> print(l, w, true));
            }
        }
        return ExitCode.OK;
    }

    private static void print(Ledger l, PrintWriter out, boolean json) {
        {
            if (!json) out.printf("%8s  %-24s  %-10s  %10s  %-16s  %s%n", "index", "time", "kind", "step", "leaf hash", "summary");
            l.forEachEntry(e -> {
                if (json) {
                    ObjectNode line = JsonNodeFactory.instance.objectNode();
                    line.put("index", e.seq());
                    line.put("leaf_hash", e.leafHash().toString());
                    try {
                        line.set("entry", CanonicalJson.parseObject(e.canonicalBytes()));
                    } catch (java.io.IOException ex) {
                        throw new IllegalStateException(ex);
                    }
                    out.println(new String(CanonicalJson.canonicalize(line), StandardCharsets.UTF_8));
                } else {
                    out.printf("%8d  %-24s  %-10s  %10s  %-16s  %s%n", e.seq(), e.time(), e.kind(),
                            e.step().map(String::valueOf).orElse("-"), e.leafHash().toString().substring(0, 16), summary(e.body()));
                }
            });
        }
    }

    private static String summary(ObjectNode body) {
        if (body.has("text")) return body.get("text").asText();
        if (body.path("checkpoint").path("files").isArray()) {
            int n = body.path("checkpoint").path("files").size();
            return n + (n == 1 ? " file" : " files");
        }
        String s = body.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
