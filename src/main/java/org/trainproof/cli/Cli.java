package org.trainproof.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Builds the command line with injected writers; used by {@link Main} and by every test
 * ({@code Cli.run(out, err, args)}), so no test touches System.out.
 */
@Command(
        name = "trainproof",
        mixinStandardHelpOptions = true,
        version = "trainproof 0.1.0",
        description = {
            "Signed, Merkle-chained training ledgers, and sound checks of whether a run is consistent",
            "with training from scratch.",
        },
        footerHeading = "%n",
        footer = ExitCode.HELP,
        subcommandsRepeatable = false)
public final class Cli implements Callable<Integer> {

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The subcommands' names, in the order --help lists them (each its class's {@code @Command(name)}; CliTest checks). */
    static final List<String> NAMES = List.of(
            "keygen", "init", "record", "head", "log", "prove", "verify-proof", "verify", "merge-verify", "inspect",
            "bench", "metrics", "analyze", "watch", "compare", "completion", "timestamp", "witness");

    /**
     * A new instance of the subcommand {@code name}, or null. A switch, not a scan of every class's
     * annotation: the command a run names is the only one whose class is loaded and constructed (their
     * field initialisers pull in Jackson, BouncyCastle, ...; docs/performance.md "Startup").
     */
    static Object newSubcommand(String name) {
        return switch (name) {
            case "keygen" -> new KeygenCommand();
            case "init" -> new InitCommand();
            case "record" -> new RecordCommand();
            case "head" -> new HeadCommand();
            case "log" -> new LogCommand();
            case "prove" -> new ProveCommand();
            case "verify-proof" -> new VerifyProofCommand();
            case "verify" -> new VerifyCommand();
            case "merge-verify" -> new MergeVerifyCommand();
            case "inspect" -> new InspectCommand();
            case "bench" -> new BenchCommand();
            case "metrics" -> new MetricsCommand();
            case "analyze" -> new AnalyzeCommand();
            case "watch" -> new WatchCommand();
            case "compare" -> new CompareCommand();
            case "completion" -> new CompletionCommand();
            case "timestamp" -> new TimestampCommand();
            case "witness" -> new WitnessCommand();
            default -> null;
        };
    }

    /** The subcommands, in the order --help lists them. */
    static List<Object> subcommands() {
        List<Object> all = new java.util.ArrayList<>(NAMES.size());
        for (String n : NAMES) all.add(newSubcommand(n));
        return all;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCode.USAGE;
    }

    /**
     * Descriptions are written in the source as lines of about 100 columns; picocli prints each array
     * element as its own line and wraps it at the terminal width, which leaves stubs ("every signed" /
     * "checkpoint; ..."). Joins the lines of each paragraph — a paragraph ends where a line ends in '.'
     * or ':' and the next starts with a capital or '-' — so picocli flows them to the width.
     */
    static void reflowDescriptions(CommandLine cl) {
        var usage = cl.getCommandSpec().usageMessage();
        String[] lines = usage.description();
        if (lines.length > 1) usage.description(paragraphs(lines));
        for (CommandLine sub : cl.getSubcommands().values()) reflowDescriptions(sub);
    }

    static String[] paragraphs(String[] lines) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String l : lines) {
            String t = l.strip();
            boolean newPara = cur.length() == 0 || t.isEmpty()
                    || ((cur.charAt(cur.length() - 1) == '.' || cur.charAt(cur.length() - 1) == ':')
                            && (Character.isUpperCase(t.charAt(0)) || t.charAt(0) == '-'));
            if (newPara && cur.length() > 0) {
                out.add(cur.toString());
                cur.setLength(0);
            }
            if (cur.length() > 0) cur.append(' ');
            cur.append(t);
        }
        if (cur.length() > 0) out.add(cur.toString());
        return out.toArray(String[]::new);
    }

    /** Builds the command line writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, subcommands());
    }

    /**
     * The subcommands {@link #run} needs for {@code args}: only the one named when the first word that
     * is not a root option names one (picocli then builds the model of one command instead of all
     * eighteen, which is most of the start-up CPU; docs/performance.md "Startup"); none for a lone
     * {@code --version}; else all (root help, a typo's suggestions, and 'completion', which lists every command).
     */
    static List<Object> subcommandsFor(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) return List.of();
        for (String a : args) {
            if (a.equals("--debug")) continue;
            if (a.startsWith("-") || a.equals("completion")) return subcommands();
            Object sub = newSubcommand(a);
            return sub != null ? List.of(sub) : subcommands();
        }
        return subcommands();
    }

    private static CommandLine commandLine(PrintWriter out, PrintWriter err, List<Object> subs) {
        Cli root = new Cli();
        CommandLine cl = new CommandLine(root);
        for (Object sub : subs) {
            cl.addSubcommand(sub);
        }
        reflowDescriptions(cl);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpAutoWidth(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("trainproof: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter e = commandLine.getErr();
            boolean dbg = root.debug;
            if (ex instanceof TrainproofException te) {
                e.println("trainproof: " + org.trainproof.LibraryMessages.clean(te.getMessage()));
                if (dbg) ex.printStackTrace(e);
                return te.exitCode();
            }
            e.println("trainproof: internal error: " + ex + (dbg ? "" : " (run with --debug for the stack trace)"));
            if (dbg) ex.printStackTrace(e);
            return ExitCode.INTERNAL;
        });
        return cl;
    }

    /** Runs one command line; returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        Invocation.set(args);
        int code;
        try {
            code = commandLine(out, err, subcommandsFor(args)).execute(args);
        } finally {
            Invocation.clear();
        }
        out.flush();
        err.flush();
        return code;
    }
}
