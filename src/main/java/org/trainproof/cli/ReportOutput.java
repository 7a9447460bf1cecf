package org.trainproof.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.trainproof.verdict.HtmlReport;
import org.trainproof.verdict.JsonReport;
import org.trainproof.verdict.Report;
import org.trainproof.verdict.ReportCharts;
import org.trainproof.verdict.TextReport;

/** The one way verify and analyze hand a report to the user: JSON file if asked, then text (colour only on a terminal). */
final class ReportOutput {
    private ReportOutput() {}

    /** Writes the report and returns its exit code. {@code charts} is asked only when an HTML report is wanted. */
    static int emit(Report r, Path json, Path html, Supplier<ReportCharts> charts, boolean quiet, PrintWriter out) throws IOException {
        if (json != null) JsonReport.write(r, json);
        if (html != null) HtmlReport.write(r, charts.get(), html);
        TextReport text = new TextReport(Progress.terminal());
        if (quiet) text.verdictLine(r, out);
        else text.write(r, out);
        return r.exitCode();
    }
}
