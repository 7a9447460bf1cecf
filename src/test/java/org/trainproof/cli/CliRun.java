package org.trainproof.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process with captured writers. */
record CliRun(int code, String out, String err) {
    static CliRun run(Object... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) a[i] = String.valueOf(args[i]);
        int code = Cli.run(new PrintWriter(o), new PrintWriter(e), a);
        return new CliRun(code, o.toString(), e.toString());
    }

    @Override
    public String toString() {
        return "exit " + code + "\nout: " + out + "\nerr: " + err;
    }
}
