package org.trainproof.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.trainproof.verdict.JsonReport;
import org.trainproof.verdict.Report;
import org.trainproof.verdict.TextReport;

/** The one way verify and analyze hand a report to the user: JSON file if asked, then text (colour only on a terminal). */
final class ReportOutput {
    private ReportOutput() {}

    /** Writes the report and returns its exit code. */
    static int emit(Report r, Path json, boolean quiet, PrintWriter out) throws IOException {
        if (json != null) JsonReport.write(r, json);
        TextReport text = new TextReport(Progress.terminal());
        if (quiet) text.verdictLine(r, out);
        else text.write(r, out);
        return r.exitCode();
    }
}
