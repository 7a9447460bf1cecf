package org.trainproof.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.crypto.KeyFiles;
import org.trainproof.crypto.SigningKey;
import org.trainproof.ledger.sqlite.SqliteStore;
import org.trainproof.ledger.sqlite.TrustedTimeStore;
import org.trainproof.ledger.sqlite.WitnessStateStore;
import org.trainproof.merkle.Tree;
import org.trainproof.note.VerifierKey;
import org.trainproof.trusted.Cosigner;
import org.trainproof.trusted.WitnessServer;
import org.trainproof.trusted.WitnessSync;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "witness", mixinStandardHelpOptions = true, description = {
    "C2SP tlog-witness: 'witness keygen' makes a witness key (cosignature/v1, Ed25519), 'witness serve' runs a",
    "witness (POST /add-checkpoint), 'witness sync LEDGER --witness URL=W.pub' sends the latest checkpoint to",
    "witnesses that have not cosigned it and stores their cosignatures."},
        subcommands = {WitnessCommand.Keygen.class, WitnessCommand.Serve.class, WitnessCommand.Sync.class})
final class WitnessCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCode.USAGE;
    }

    /** Parses {@code URL=W.pub} (split at the last '='). */
    static WitnessSync.Witness parseWitness(String spec) {
        int eq = spec.lastIndexOf('=');
        if (eq <= 0) throw TrainproofException.usage("--witness takes URL=W.pub, not " + spec);
        URI url;
        try {
            url = URI.create(spec.substring(0, eq));
        } catch (IllegalArgumentException e) {
            throw TrainproofException.usage("--witness: bad URL " + spec.substring(0, eq));
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) throw TrainproofException.usage("--witness URL must be http(s)");
        Path pub = Path.of(spec.substring(eq + 1));
        VerifierKey k = CliKeys.readVerifierKey(pub);
        if (k.type() != VerifierKey.TYPE_COSIGNATURE_V1) throw TrainproofException.badInput(pub, "not a cosignature/v1 (type 0x04) witness key");
        return new WitnessSync.Witness(url, k);
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true, description = "Write PREFIX.key (Ed25519, as keygen) and PREFIX.pub, the witness's cosignature/v1 verifier key.")
    static final class Keygen implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The witness name (e.g. witness.example.com/w1).")
        String name;

        @Option(names = "--out", required = true, paramLabel = "PREFIX")
        String prefix;

        @Override
        public Integer call() throws IOException {
            SigningKey key;
            try {
                key = SigningKey.generate(name, new SecureRandom());
            } catch (IllegalArgumentException e) {
                throw TrainproofException.usage(e.getMessage());
            }
            Path pub = Path.of(prefix + ".pub");
            KeyFiles.write(Path.of(prefix + ".key"), pub, key, null, new SecureRandom());
            String vkey = new Cosigner(key).verifierKey();
            Files.writeString(pub, vkey + "\n");
            spec.commandLine().getOut().println(vkey);
            return ExitCode.OK;
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = {
        "Run a witness until stopped: POST /add-checkpoint per C2SP tlog-witness, state (latest cosigned size per",
        "origin, never decreasing) in --state, cosignatures per tlog-cosignature/v1."})
    static final class Serve implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        KeyOptions key;

        @Option(names = "--state", required = true, paramLabel = "W.db", description = "The witness state file (created if absent).")
        Path state;

        @Option(names = "--listen", required = true, paramLabel = "HOST:PORT")
        String listen;

        @Option(names = "--log", required = true, paramLabel = "ORIGIN=LOGKEY.pub", description = "A log to witness (repeatable).")
        List<String> logs = new ArrayList<>();

        @Override
        public Integer call() throws IOException, InterruptedException {
            Map<String, VerifierKey> known = new LinkedHashMap<>();
            for (String l : logs) {
                int eq = l.lastIndexOf('=');
                if (eq <= 0) throw TrainproofException.usage("--log takes ORIGIN=LOGKEY.pub");
                known.put(l.substring(0, eq), CliKeys.readVerifierKey(Path.of(l.substring(eq + 1))));
            }
            int colon = listen.lastIndexOf(':');
            if (colon <= 0) throw TrainproofException.usage("--listen takes HOST:PORT");
            InetSocketAddress addr = new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
            Cosigner c = new Cosigner(key.load());
            try (WitnessStateStore s = WitnessStateStore.open(state);
                    WitnessServer w = new WitnessServer(addr, s, c, known, Clock.systemUTC())) {
                spec.commandLine().getOut().println("witness " + c.verifierKey() + " listening on " + w.address());
                spec.commandLine().getOut().flush();
                Thread.currentThread().join();
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "sync", mixinStandardHelpOptions = true, description = {
        "Send LEDGER's latest signed checkpoint to each witness that has not cosigned it, with a consistency",
        "proof from the size it last cosigned, and store the cosignatures. Witnesses that already cosigned it are",
        "asked again, so a witness that has seen a larger size reveals an older copy (rollback) or a fork.",
        "Exit 0 when all cosigned, 3 otherwise."})
    static final class Sync implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "LEDGER")
        Path ledger;

        @Option(names = "--witness", required = true, paramLabel = "URL=W.pub", description = "A witness (repeatable).")
        List<String> witnesses = new ArrayList<>();

        @Override
        public Integer call() {
            List<WitnessSync.Witness> ws = new ArrayList<>();
            for (String w : witnesses) ws.add(parseWitness(w));
            WitnessSync sync = new WitnessSync(ws, Duration.ofSeconds(30));
            try (SqliteStore store = SqliteStore.open(ledger, false)) {
                TrustedTimeStore.ensureSchema(store);
                int n = sync.sync(new TrustedTimeStore(store), (a, b) -> Tree.consistencyProof(a, b, store::readNodes), true);
                spec.commandLine().getOut().println("witness: " + n + " cosignature(s) stored");
            }
            for (String f : sync.failures()) spec.commandLine().getErr().println("error: " + f);
            return sync.failures().isEmpty() ? ExitCode.OK : ExitCode.BAD_INPUT;
        }
    }
}
