package org.trainproof.cli;

import java.util.List;
import org.trainproof.verdict.Provenance;
import org.trainproof.verdict.Report;

/** The command line being run (set by {@link Cli#run}), so every report can carry it. */
final class Invocation {
    private static final ThreadLocal<List<String>> ARGV = ThreadLocal.withInitial(List::of);

    private Invocation() {}

    static void set(String[] args) {
        java.util.List<String> l = new java.util.ArrayList<>();
        l.add("trainproof");
        l.addAll(List.of(args));
        ARGV.set(List.copyOf(l));
    }

    static void clear() {
        ARGV.remove();
    }

    static List<String> argv() {
        return ARGV.get();
    }

    /** {@code r} with its provenance: the tool, now, this command line, and the claims already attached (if any). */
    static Report stamp(Report r) {
        Provenance p = r.provenance() == null ? Provenance.now(argv()) : r.provenance().withCommandLine(argv());
        return r.withProvenance(p);
    }
}
