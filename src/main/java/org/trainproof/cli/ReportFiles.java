package org.trainproof.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The report files verify, analyze and compare can write besides the terminal text (a picocli mixin). */
final class ReportFiles {
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON (schemas/report.schema.json).")
    Path json;

    @Option(names = "--report", paramLabel = "FILE.html", description = "Also write a self-contained HTML report with charts (no network resources).")
    Path html;
}
