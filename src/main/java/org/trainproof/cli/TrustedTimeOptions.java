package org.trainproof.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.Ledger;
import org.trainproof.trusted.Timestamper;
import org.trainproof.trusted.TsaClient;
import org.trainproof.trusted.WitnessSync;
import picocli.CommandLine.Option;

/** record's trusted-time options: RFC 3161 timestamps (and witnesses) for each new signed checkpoint. */
final class TrustedTimeOptions {
    @Option(names = "--tsa", paramLabel = "URL", description = "RFC 3161 time-stamp authority: a token over each new signed checkpoint,"
            + " stored with it in the same transaction. A TSA that is down or slow loses nothing: the entries commit without a token"
            + " ('trainproof timestamp LEDGER --tsa URL' fills it later).")
    URI tsa;

    @Option(names = "--tsa-timeout", paramLabel = "SECONDS", description = "How long to wait for the TSA (default 5).")
    double tsaTimeout = TsaClient.DEFAULT_TIMEOUT.toMillis() / 1000.0;

    @Option(names = "--witness", paramLabel = "URL=W.pub", description = "A C2SP tlog-witness and its cosignature key (repeatable): after"
            + " the append commits, the new checkpoint is sent with a consistency proof and the cosignature stored. A witness that is down"
            + " delays nothing ('trainproof witness sync' retries).")
    List<String> witnesses = new ArrayList<>();

    private final List<Timestamper> attached = new ArrayList<>();
    private final List<WitnessSync.Witness> parsedWitnesses = new ArrayList<>();

    /** Registers the listeners on {@code ledger} before anything is appended. */
    void attach(Ledger ledger) {
        // Witness options are parsed before anything is appended: a bad one is a usage error, not a half-done record.
        for (String w : witnesses) parsedWitnesses.add(WitnessCommand.parseWitness(w));
        if (tsa == null) return;
        Timestamper t = new Timestamper(client(tsa, tsaTimeout));
        ledger.onNewCheckpoint(t);
        attached.add(t);
    }

    /** Prints what the listeners did (a failure is a warning on stderr; the entries are committed). */
    void report(Ledger ledger, PrintWriter out, PrintWriter err) {
        if (!parsedWitnesses.isEmpty()) {
            WitnessSync sync = new WitnessSync(parsedWitnesses, WitnessSync.DEFAULT_TIMEOUT);
            sync.sync(ledger.trustedTime(), ledger::consistencyProof, false);
            if (sync.stored() > 0) out.println("witness: " + sync.stored() + " cosignature(s) stored");
            for (String f : sync.failures()) err.println("warning: " + f + " (entries committed; 'trainproof witness sync' retries)");
        }
        for (Timestamper t : attached) {
            if (t.stored() > 0) out.println("timestamp: " + t.stored() + " token(s) stored from " + tsa);
            for (String f : t.failures()) err.println("warning: " + f + " (entries committed; 'trainproof timestamp' retries)");
        }
    }

    static TsaClient client(URI tsa, double timeoutSeconds) {
        if (!(timeoutSeconds > 0) || timeoutSeconds > 600) throw TrainproofException.usage("--tsa-timeout must be in (0, 600] seconds");
        try {
            return new TsaClient(tsa, Duration.ofMillis((long) (timeoutSeconds * 1000)));
        } catch (IllegalArgumentException e) {
            throw TrainproofException.usage(e.getMessage());
        }
    }
}
