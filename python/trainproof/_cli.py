"""Finds and runs the trainproof Java tool (the shaded jar Maven builds as target/trainproof.jar)."""
import json
import os
import re
import shutil
import subprocess
import tempfile


class TrainproofError(Exception):
    """A trainproof command failed, or recording failed in the background. `exit_code` is the CLI's
    exit code when a command ran (README: 1 integrity, 2 usage, 3 bad input, 4 internal), else None."""

    def __init__(self, message, exit_code=None):
        Exception.__init__(self, message)
        self.exit_code = exit_code


def find_jar(jar=None):
    """The jar to run: `jar` if given, else $TRAINPROOF_JAR, else target/trainproof.jar of the checkout
    this package sits in (python/../target), else ./target/trainproof.jar."""
    tried = []
    if jar:
        if os.path.isfile(jar):
            return os.path.abspath(jar)
        raise TrainproofError("trainproof jar %s: no such file" % jar)
    env = os.environ.get("TRAINPROOF_JAR")
    if env:
        if os.path.isfile(env):
            return os.path.abspath(env)
        raise TrainproofError("TRAINPROOF_JAR=%s: no such file" % env)
    here = os.path.dirname(os.path.abspath(__file__))
    for base in (os.path.join(here, "..", ".."), os.getcwd()):
        p = os.path.normpath(os.path.join(base, "target", "trainproof.jar"))
        tried.append(p)
        if os.path.isfile(p):
            return p
    raise TrainproofError("trainproof jar not found: pass jar=PATH, set TRAINPROOF_JAR, or build it with "
                          "'mvn -B -q package -DskipTests' in the trainproof checkout (looked at %s)" % ", ".join(tried))


def find_java():
    """The JVM as bin/trainproof picks it: $JAVA (a java binary), else $JAVA_HOME/bin/java, else java on PATH."""
    j = os.environ.get("JAVA")
    if j:
        found = shutil.which(j)
        if not found:
            raise TrainproofError("$JAVA=%s is not an executable java" % j)
        return found
    home = os.environ.get("JAVA_HOME")
    if home and os.path.isfile(os.path.join(home, "bin", "java")):
        return os.path.join(home, "bin", "java")
    j = shutil.which("java")
    if not j:
        raise TrainproofError("java not found on PATH (set JAVA_HOME); trainproof needs Java 17+")
    return j


# Short commands get a JVM sized for a short run, as bin/trainproof gives them (docs/performance.md,
# "Startup"): C1 only, Serial GC, no perf-data file. record --checkpoint hashes gigabytes and keeps the
# default JIT and GC, as do record and verify of a file over 48 MB and verify --artifacts over 16 MB.
# TRAINPROOF_LIGHT=0 turns this off; a collector in the JVM arguments replaces ours.
LIGHT_COMMANDS = ("head", "record", "verify", "init", "keygen", "prove", "verify-proof")
LIGHT_MAX_FILE_BYTES = 48 << 20
# verify --artifacts DIR: checkpoint files over this get the default JVM (C1 has no SHA-256 intrinsic;
# calibration in bin/trainproof and docs/performance.md "Startup")
LIGHT_MAX_ARTIFACTS_BYTES = 16 << 20


def light_jvm_flags(args, jvm_args=(), cwd=None):
    """The extra JVM flags for running `trainproof ARGS` in folder `cwd` (empty for the heavy commands)."""
    if os.environ.get("TRAINPROOF_LIGHT", "1") == "0" or not args:
        return []
    args = [str(a) for a in args]
    cmd = args[1] if args[0] == "--debug" and len(args) > 1 else args[0]
    if cmd not in LIGHT_COMMANDS:
        return []
    if cmd == "record" and any(a == "--checkpoint" or a.startswith("--checkpoint=") for a in args):
        return []
    # A ledger or log over 48 MB: C2 wins (calibration in bin/trainproof and docs/performance.md "Startup").
    # A file given as --log=FILE counts too, and a directory (a TensorBoard run) by what it holds.
    values = [a.split("=", 1)[1] if a.startswith("--") and "=" in a else a for a in args]
    paths = [os.path.join(cwd, a) if cwd else a for a in values]
    if cmd in ("record", "verify") and any(_bytes_under(p) > LIGHT_MAX_FILE_BYTES for p in paths):
        return []
    if cmd == "verify":
        art = None
        for i, a in enumerate(args):
            if a.startswith("--artifacts="):
                art = a.split("=", 1)[1]
            elif a == "--artifacts" and i + 1 < len(args):
                art = args[i + 1]
        if art is not None:
            art = os.path.join(cwd, art) if cwd else art
            if os.path.isdir(art) and _bytes_under(art) > LIGHT_MAX_ARTIFACTS_BYTES:
                return []
    flags = ["-XX:TieredStopAtLevel=1", "-XX:-UsePerfData"]
    if not any(a.startswith("-XX:+Use") and a.endswith("GC") for a in jvm_args):
        flags.append("-XX:+UseSerialGC")
    return flags


def _bytes_under(path):
    """Size of a file, or of the files under a directory (0 for anything else or what cannot be read)."""
    try:
        if os.path.isfile(path):
            return os.path.getsize(path)
        total = 0
        if os.path.isdir(path):
            for root, _dirs, files in os.walk(path):
                for name in files:
                    try:
                        total += os.path.getsize(os.path.join(root, name))
                    except OSError:
                        pass
        return total
    except OSError:
        return 0


# The commands that hash checkpoints get the JDK's vector module, as bin/trainproof gives them: the
# BF16/F32 manifest kernel needs it (docs/performance.md); the JVM then warns on stderr, a line we drop
# from error messages. TRAINPROOF_VECTOR=0: none (the scalar loops give the same results, slower).
VECTOR_FLAGS = ["--add-modules", "jdk.incubator.vector"]
INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector"


def vector_jvm_flags(light_flags):
    """--add-modules jdk.incubator.vector for a heavy command (no light flags), unless TRAINPROOF_VECTOR=0."""
    if light_flags or os.environ.get("TRAINPROOF_VECTOR", "1") == "0":
        return []
    return list(VECTOR_FLAGS)


def without_incubator_warning(text):
    return "\n".join(line for line in text.splitlines() if line.strip() != INCUBATOR_WARNING)


def cds_archive(jar, java):
    """bin/trainproof's class-data archive for this JVM, and the JVM binary's resolved path: beside the jar,
    trainproof.<that path, each byte outside [A-Za-z0-9._-] as _>.jsa (one archive per JVM: a JVM
    rejects another's, and then starts slower than with none)."""
    real = os.path.realpath(shutil.which(java) or java)
    name = re.sub(rb"[^A-Za-z0-9._-]", b"_", os.fsencode(real))
    return jar[:-4] + "." + os.fsdecode(name) + ".jsa", real


class Cli(object):
    """Runs `java -jar JAR ARGS...`; raises TrainproofError with the command's stderr on a non-zero exit."""

    def __init__(self, jar=None, java=None, jvm_args=("-Xmx512m",)):
        # $TRAINPROOF_CLASSPATH (compiled classes + dependency jars, as a test JVM has them) runs the
        # tool without the packaged jar; used by the Java tests, which run before `mvn package`.
        cp = None if jar else os.environ.get("TRAINPROOF_CLASSPATH")
        self.launch = ["-cp", cp, "org.trainproof.cli.Main"] if cp else ["-jar", find_jar(jar)]
        self.java = java or find_java()
        env = os.environ.get("TRAINPROOF_JVM_ARGS")
        self.jvm_args = env.split() if env else list(jvm_args)
        if not cp and os.environ.get("TRAINPROOF_CDS", "1") != "0":
            # The class-data sharing archive bin/trainproof writes beside the jar for this JVM
            # (docs/performance.md, "Startup"): mapped only when newer than the jar and the JVM binary.
            jsa, real_java = cds_archive(self.launch[1], self.java)
            if os.path.isfile(jsa) and os.path.getmtime(jsa) >= os.path.getmtime(self.launch[1]) \
                    and (not os.path.exists(real_java) or os.path.getmtime(jsa) >= os.path.getmtime(real_java)):
                self.jvm_args += ["-XX:SharedArchiveFile=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]

    def run(self, args, cwd=None, ok=(0,)):
        light = light_jvm_flags(args, self.jvm_args, cwd)
        cmd = [self.java] + light + vector_jvm_flags(light) + self.jvm_args + self.launch + [str(a) for a in args]
        p = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode not in ok:
            err = without_incubator_warning(p.stderr.decode("utf-8", "replace")).strip() or p.stdout.decode("utf-8", "replace").strip()
            raise TrainproofError("trainproof %s exited %d: %s" % (args[0], p.returncode, err), p.returncode)
        return p

    def serve(self, args, cwd=None):
        """Starts `trainproof record ARGS --serve` (one JVM kept alive); see Server."""
        return Server(self, args, cwd=cwd)


class Server(object):
    """One `trainproof record LEDGER --serve` process (docs/cli.md): each request is a dict with the fields
    of record's options (step, log, checkpoint, resume, event, end, ...), sent as one JSON line; request()
    returns the server's answer, which it writes only once the entries are durable under a signed
    checkpoint. A refused request raises TrainproofError with record's exit code; the session goes on. A
    server that died (killed, crashed) raises TrainproofError saying so: a request it did not answer may or
    may not have been recorded (`trainproof log LEDGER` shows which)."""

    def __init__(self, cli, args, cwd=None):
        self.cmd = [cli.java] + vector_jvm_flags([]) + cli.jvm_args + cli.launch + ["record"] + [str(a) for a in args] + ["--serve"]
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        self.requests = 0
        ready = self._read("starting")
        if not ready.get("ready"):
            raise TrainproofError("trainproof record --serve: unexpected first line %r" % (ready,))
        self.size = ready.get("size")

    def _stderr_text(self):
        """What the server wrote on stderr, without the JVM's incubator warning; closes the file."""
        self._stderr.seek(0)
        err = without_incubator_warning(self._stderr.read().decode("utf-8", "replace")).strip()
        self._stderr.close()
        return err

    def request(self, req):
        data = (json.dumps(req, separators=(",", ":"), allow_nan=False) + "\n").encode("utf-8")
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise self._died("sending a request")
        self.requests += 1
        ans = self._read("waiting for the answer to %s" % json.dumps(req, allow_nan=False))
        if not ans.get("ok"):
            raise TrainproofError("trainproof record exited %s: %s" % (ans.get("exit"), ans.get("error")), ans.get("exit"))
        return ans

    def close(self):
        """Ends the session (end of input: the server commits what it read and exits); raises if it failed."""
        if self._stderr.closed:
            return
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        rest = self.proc.stdout.read()
        self.proc.stdout.close()
        code = self.proc.wait()
        err = self._stderr_text()
        if code != 0:
            raise TrainproofError("trainproof record --serve exited %d: %s" % (code, err or rest.decode("utf-8", "replace")), code)

    def alive(self):
        return self.proc.poll() is None

    def _read(self, doing):
        line = self.proc.stdout.readline()
        if not line:
            raise self._died(doing)
        try:
            return json.loads(line.decode("utf-8"))
        except ValueError:
            raise TrainproofError("trainproof record --serve: not a JSON answer: %r" % line[:200])

    def _died(self, doing):
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            code = None
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except (OSError, ValueError):
                pass
        err = self._stderr_text()[-2000:]
        how = "was killed by signal %d" % -code if code is not None and code < 0 else "exited %s" % code
        return TrainproofError("trainproof record --serve (pid %d) %s while %s%s; a request it did not answer may or may not "
                               "be recorded ('trainproof log LEDGER' shows what is)" % (self.proc.pid, how, doing,
                                                                                       (": " + err) if err else ""),
                               code if code is not None and code > 0 else None)
