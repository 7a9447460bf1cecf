package org.trainproof.cli;

import picocli.CommandLine.Option;

/** The report outputs verify, analyze and compare can write besides the terminal text (a picocli mixin; docs/cli.md). */
final class ReportFiles {
    @Option(names = "--json", paramLabel = "FILE", description = "Write the report as JSON (schemas/report.schema.json); - for standard output.")
    String json;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a self-contained HTML report with charts (no network resources); - for standard output.")
    String html;

    @Option(names = "--force", description = "Overwrite output files that exist (refused otherwise).")
    boolean force;

    Output jsonOutput() {
        return Output.of("--json", json);
    }

    Output htmlOutput() {
        return Output.of("--report", html);
    }

    /** Checks both outputs before any work; returns whether one of them is standard output (then no text is printed). */
    boolean check() {
        Output j = jsonOutput(), h = htmlOutput();
        boolean toStdout = Output.checkStdout(j, h);
        if (j != null) j.check(force);
        if (h != null) h.check(force);
        return toStdout;
    }

    boolean wantsHtml() {
        return html != null;
    }
}
