package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.trainproof.ExitCode;

class CliTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Cli.run(new PrintWriter(o), new PrintWriter(e), args);
        return new Run(code, o.toString(), e.toString());
    }

    @Test
    void help_listsExitCodes_andExitsZero() {
        Run r = run("--help");
        assertEquals(ExitCode.OK, r.code());
        for (int c = 0; c <= 6; c++) {
            assertTrue(r.out().contains("  " + c + "  "), "help lists exit code " + c);
        }
    }

    @Test
    void unknownOption_isUsageError() {
        Run r = run("--no-such-option");
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().startsWith("trainproof: "));
    }

    @Test
    void noCommand_printsUsage_andIsUsageError() {
        assertEquals(ExitCode.USAGE, run().code());
    }

    @Test
    void everySubcommand_hasHelp_exitZero() {
        int n = 0;
        for (String name : Cli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
                .getSubcommands().keySet()) {
            Run r = run(name, "--help");
            assertEquals(ExitCode.OK, r.code(), name + " --help: " + r.err());
            assertTrue(r.out().contains("Usage: trainproof " + name), r.out());
            n++;
        }
        assertTrue(n >= 14, "only " + n + " subcommands");
    }

    @Test
    void subcommandTable_matchesEachClassAnnotation_andCoversEveryCommandSource() throws java.io.IOException {
        // Cli.newSubcommand is a switch (so a run constructs only the command it names); each name must be its
        // class's @Command name, and every *Command.java in the package must be reachable through it.
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String n : Cli.NAMES) {
            Object c = Cli.newSubcommand(n);
            assertTrue(c != null, n);
            assertEquals(n, c.getClass().getAnnotation(picocli.CommandLine.Command.class).name());
            assertTrue(names.add(c.getClass().getSimpleName()), "twice: " + n);
        }
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/java/org/trainproof/cli"))) {
            for (String f : files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith("Command.java")).toList()) {
                assertTrue(names.contains(f.replace(".java", "")), f + " is not in Cli.NAMES / Cli.newSubcommand");
            }
        }
        assertEquals(Cli.NAMES, java.util.List.copyOf(Cli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
                .getSubcommands().keySet()));
        assertEquals(1, Cli.subcommandsFor("--debug", "head", "l.db").size());
        assertTrue(Cli.subcommandsFor("head", "l.db").get(0) instanceof HeadCommand);
        assertEquals(Cli.NAMES.size(), Cli.subcommandsFor("--help").size());
        assertEquals(Cli.NAMES.size(), Cli.subcommandsFor("hed", "l.db").size());
        assertEquals(Cli.NAMES.size(), Cli.subcommandsFor("completion").size());
        assertEquals(ExitCode.USAGE, run("hed", "l.db").code());
        assertEquals(0, Cli.subcommandsFor("--version").size());
        for (String v : new String[] {"--version", "-V"}) {
            Run r = run(v);
            assertEquals(ExitCode.OK, r.code());
            assertEquals("trainproof 0.1.0", r.out().strip());
        }
    }

    @Test
    void descriptionsAreReflowedIntoParagraphs() {
        String[] p = Cli.paragraphs(new String[] {"Audit a ledger: integrity first (every entry, every signed",
                "checkpoint), then the analysis.", "Exit 0 consistent, 6", "inconsistent.", "--log FILE appends:", "the records."});
        assertEquals(java.util.List.of("Audit a ledger: integrity first (every entry, every signed checkpoint), then the analysis.",
                "Exit 0 consistent, 6 inconsistent.", "--log FILE appends: the records."), java.util.List.of(p));
        // Every subcommand's paragraphs end a sentence: no stub line left mid-sentence by the source's line breaks.
        var cl = Cli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        for (var e : cl.getSubcommands().entrySet()) {
            for (String para : e.getValue().getCommandSpec().usageMessage().description()) {
                char last = para.strip().charAt(para.strip().length() - 1);
                assertTrue(last == '.' || last == ':' || last == ')', e.getKey() + " description paragraph ends mid-sentence: " + para);
            }
        }
    }

    @Test
    void outOfMemory_isOneLineAndExitInternal_notIntegrity() {
        StringWriter e = new StringWriter();
        int code = Main.guarded(new PrintWriter(e), () -> {
            throw new OutOfMemoryError("Java heap space");
        });
        assertEquals(ExitCode.INTERNAL, code);
        assertTrue(e.toString().startsWith("trainproof: out of memory (Java heap space") && e.toString().contains("-Xmx"), e.toString());
        assertEquals(ExitCode.OK, Main.guarded(new PrintWriter(new StringWriter()), () -> ExitCode.OK));
    }
}
