package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** Walks every subcommand's options and fails on a spelling outside docs/cli.md. */
class CliVocabularyTest {
    /** Output options: always a value (FILE, '-' for standard output). */
    private static final Set<String> OUTPUTS = Set.of("--json", "--report", "--csv", "--out");
    /** Visible names replaced by the vocabulary; allowed only as hidden deprecated aliases. */
    private static final Set<String> RETIRED = Set.of("--ledger", "--format", "-o", "--output", "--output-file", "--pub", "--public-key");
    /** Commands where a bare output switch was the old spelling (kept one release: arity 0..1). */
    private static final Set<String> BARE_DEPRECATED = Set.of("log --json", "inspect --json", "metrics --json", "metrics --csv");
    /** Commands that take a ledger; it must be their first positional. */
    private static final Set<String> LEDGER_FIRST = Set.of("init", "record", "head", "log", "prove", "verify", "watch");

    private static Map<String, CommandLine> commands() {
        return Cli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())).getSubcommands();
    }

    @Test
    void everyOption_followsTheVocabulary() {
        List<String> problems = new ArrayList<>();
        int options = 0;
        for (var e : commands().entrySet()) {
            String cmd = e.getKey();
            CommandSpec spec = e.getValue().getCommandSpec();
            boolean writesFiles = false;
            for (OptionSpec o : spec.options()) {
                options++;
                for (String name : o.names()) {
                    String where = cmd + " " + name;
                    if (RETIRED.contains(name) && !o.hidden()) problems.add(where + ": retired spelling must be a hidden deprecated alias");
                    if (name.contains("format") && !name.equals("--log-format") && !o.hidden()) problems.add(where + ": the log format option is --log-format");
                    if (name.contains("vocab") && !name.equals("--vocab-size")) problems.add(where + ": the vocabulary option is --vocab-size");
                    if (name.startsWith("--") && !name.equals(name.toLowerCase(java.util.Locale.ROOT))) problems.add(where + ": options are lower-case kebab");
                    if (name.contains("key") && !name.equals("--key") && !name.equals("--passphrase-env")) problems.add(where + ": keys are given with --key");
                    if (name.equals("--key") && !(o.paramLabel().endsWith(".key") || o.paramLabel().endsWith(".pub"))) {
                        problems.add(where + ": --key names PREFIX.key or PREFIX.pub, got " + o.paramLabel());
                    }
                    if (OUTPUTS.contains(name)) {
                        if (!cmd.equals("keygen")) writesFiles = true;
                        boolean bare = BARE_DEPRECATED.contains(where);
                        int min = o.arity().min(), max = o.arity().max();
                        if (bare ? !(min == 0 && max == 1 && DeprecatedBare.MARK.equals(o.fallbackValue())) : !(min == 1 && max == 1)) {
                            problems.add(where + ": an output option takes exactly one value (FILE or -), arity " + o.arity());
                        }
                        if (!cmd.equals("keygen") && !o.description()[0].contains("- for standard output")
                                && !String.join(" ", o.description()).contains("standard output")) {
                            problems.add(where + ": help must say '-' means standard output");
                        }
                    }
                    if (name.equals("--seed") && o.type() != Long.class && o.type() != long.class) problems.add(where + ": --seed is a long");
                }
            }
            if (writesFiles && spec.findOption("--force") == null) problems.add(cmd + ": writes files, so it needs --force (refused otherwise)");
            if (LEDGER_FIRST.contains(cmd)) {
                List<PositionalParamSpec> ps = spec.positionalParameters();
                if (ps.isEmpty() || !ps.get(0).paramLabel().startsWith("LEDGER") || ps.get(0).index().min() != 0) {
                    problems.add(cmd + ": the ledger must be the first positional argument");
                }
            }
            for (PositionalParamSpec p : spec.positionalParameters()) {
                if (p.paramLabel().contains("LEDGER") && p.index().min() != 0) problems.add(cmd + ": LEDGER positional is not first");
            }
        }
        assertTrue(options > 40, "walked too few options: " + options);
        assertEquals(List.of(), problems);
    }

    @Test
    void everyLedgerCommand_isRegistered() {
        assertTrue(commands().keySet().containsAll(LEDGER_FIRST), commands().keySet().toString());
        assertTrue(commands().containsKey("completion"));
    }

    @Test
    void completionBash_namesEveryCommandAndVocabularyOption() {
        CliRun r = CliRun.run("completion", "bash");
        assertEquals(0, r.code(), r.toString());
        for (String c : commands().keySet()) assertTrue(r.out().contains(c), "completion lacks " + c);
        for (String o : List.of("--json", "--report", "--force", "--log-format", "--vocab-size", "--key")) {
            assertTrue(r.out().contains(o), "completion lacks " + o);
        }
        assertFalse(r.out().contains("--ledger"), "hidden deprecated aliases are not completed");
        CliRun z = CliRun.run("completion", "zsh");
        assertEquals(0, z.code());
        assertTrue(z.out().startsWith("#compdef trainproof") && z.out().contains("bashcompinit"), z.out().substring(0, 200));
        assertEquals(2, CliRun.run("completion", "fish").code());
    }
}
