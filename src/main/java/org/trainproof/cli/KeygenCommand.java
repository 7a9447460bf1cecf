package org.trainproof.cli;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.crypto.KeyFiles;
import org.trainproof.crypto.SigningKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "keygen", mixinStandardHelpOptions = true, description = {
    "Create an Ed25519 signing key: PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (C2SP verifier key)."})
final class KeygenCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--name", required = true, description = "Key name for signed notes, e.g. example.com/lab (no spaces or '+').")
    String name;

    @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Writes PREFIX.key and PREFIX.pub; never overwrites a key, even with --force (a lost private key cannot be recovered).")
    String prefix;

    @Option(names = "--passphrase-env", paramLabel = "VAR", description = "Encrypt the key with the passphrase in this environment variable.")
    String passphraseEnv;

    @Override
    public Integer call() {
        SigningKey key;
        try {
            key = SigningKey.generate(name, new SecureRandom());
        } catch (IllegalArgumentException e) {
            throw TrainproofException.usage("--name: " + e.getMessage());
        }
        char[] pass = KeyOptions.passphrase(passphraseEnv);
        KeyFiles.write(Path.of(prefix + ".key"), Path.of(prefix + ".pub"), key, pass, new SecureRandom());
        spec.commandLine().getOut().println(key.verifierKey());
        return ExitCode.OK;
    }
}
