package org.trainproof.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.function.Supplier;
import org.trainproof.verdict.HtmlReport;
import org.trainproof.verdict.JsonReport;
import org.trainproof.verdict.Report;
import org.trainproof.verdict.ReportCharts;
import org.trainproof.verdict.TextReport;

/** The one way verify, analyze and compare hand a report to the user: JSON and HTML if asked, then text (colour only on a terminal). */
final class ReportOutput {
    private ReportOutput() {}

    /** Writes the report and returns its exit code. {@code charts} is asked only when an HTML report is wanted. */
    static int emit(Report r, ReportFiles files, Supplier<ReportCharts> charts, boolean quiet, PrintWriter out) throws IOException {
        return emit(r, files, charts, out, stamped -> {
            TextReport text = new TextReport(Progress.terminal());
            if (quiet) text.verdictLine(stamped, out);
            else text.write(stamped, out);
        });
    }

    /**
     * As above with the command's own terminal text, printed only when no report goes to standard output;
     * {@code text} gets the report as written (with its provenance).
     */
    static int emit(Report report, ReportFiles files, Supplier<ReportCharts> charts, PrintWriter out,
            java.util.function.Consumer<Report> text) throws IOException {
        Report r = Invocation.stamp(report);
        boolean toStdout = files.check();
        Output json = files.jsonOutput(), html = files.htmlOutput();
        if (json != null) json.write(files.force, out, JsonReport.toText(r));
        if (html != null) html.write(files.force, out, HtmlReport.render(r, charts.get()));
        if (!toStdout) text.accept(r);
        out.flush();
        return r.exitCode();
    }
}
