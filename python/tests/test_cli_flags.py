"""The JVM flags trainproof._cli gives each command (docs/performance.md "Startup"), against a stand-in java."""
import os
import sys
import shutil
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from trainproof import _cli  # noqa: E402

LIGHT = ["-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-XX:+UseSerialGC"]


class CliFlagsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.jar = os.path.join(self.dir, "trainproof.jar")
        open(self.jar, "w").close()
        self.java = os.path.join(self.dir, "java")
        with open(self.java, "w") as f:
            f.write('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n')
        os.chmod(self.java, 0o700)
        self.env = {k: os.environ.pop(k) for k in ("TRAINPROOF_LIGHT", "TRAINPROOF_JVM_ARGS", "TRAINPROOF_CLASSPATH", "TRAINPROOF_CDS") if k in os.environ}

    def tearDown(self):
        os.environ.pop("TRAINPROOF_LIGHT", None)
        os.environ.update(self.env)
        shutil.rmtree(self.dir, ignore_errors=True)

    def java_args(self, args, cwd=None, **kw):
        return _cli.Cli(jar=self.jar, java=self.java, **kw).run(args, cwd=cwd).stdout.decode().splitlines()

    def test_short_commands_get_c1_and_serial_gc_before_the_callers_flags(self):
        for args in (["record", "l.db", "--key", "k.key", "--log", "train.jsonl"], ["head", "l.db"], ["init", "l.db"],
                     ["--debug", "record", "l.db", "--log", "x"]):
            got = self.java_args(args)
            for f in LIGHT:
                self.assertIn(f, got, args)
            self.assertLess(got.index("-XX:TieredStopAtLevel=1"), got.index("-Xmx512m"), "the caller's flags come later and win")
            self.assertEqual(["-jar", self.jar] + args, got[-len(args) - 2:])

    def test_hashing_and_auditing_commands_keep_the_default_jvm(self):
        for args in (["record", "l.db", "--step", "5", "--checkpoint", "ckpt"], ["record", "l.db", "--checkpoint=ckpt", "--step", "5"],
                     ["inspect", "x"], ["compare", "a", "b"]):
            got = self.java_args(args)
            self.assertFalse(any(f in got for f in LIGHT), args)

    def test_verify_is_light_for_a_small_ledger_and_small_artifacts_only(self):
        def light(args, cwd=None):
            return "-XX:TieredStopAtLevel=1" in self.java_args(args, cwd=cwd)
        with open(os.path.join(self.dir, "big.db"), "wb") as f:
            f.truncate((48 << 20) + 1)  # sparse
        ck = os.path.join(self.dir, "ck")
        os.makedirs(ck)
        with open(os.path.join(ck, "step-0.safetensors"), "wb") as f:
            f.truncate(16 << 20)
        self.assertTrue(light(["verify", "l.db", "--key", "k.pub"]))
        self.assertTrue(light(["--debug", "verify", "l.db"]))
        self.assertTrue(light(["verify", "l.db", "--artifacts", ck]), "16 MB of checkpoint files exactly")
        self.assertFalse(light(["verify", "big.db"], cwd=self.dir), "a ledger over 48 MB")
        with open(os.path.join(ck, "step-1.safetensors"), "wb") as f:
            f.truncate(1)
        self.assertFalse(light(["verify", "l.db", "--artifacts", ck]), "over 16 MB of checkpoint files")
        self.assertFalse(light(["verify", "l.db", "--artifacts=ck"], cwd=self.dir), "as --artifacts=DIR too")
        # symbolic links: a linked directory, and a directory of linked files (a Hugging Face cache snapshot)
        os.symlink(ck, os.path.join(self.dir, "ck-link"))
        self.assertFalse(light(["verify", "l.db", "--artifacts", os.path.join(self.dir, "ck-link")]))
        snap = os.path.join(self.dir, "snapshot")
        os.makedirs(snap)
        os.symlink(os.path.join(ck, "step-0.safetensors"), os.path.join(snap, "model.safetensors"))
        os.symlink(os.path.join(ck, "step-1.safetensors"), os.path.join(snap, "model-2.safetensors"))
        self.assertFalse(light(["verify", "l.db", "--artifacts", snap]), "linked files count by their targets")

    def test_a_ledger_or_log_over_48_mb_keeps_the_default_jvm(self):
        for name, size in (("big.db", (48 << 20) + 1), ("small.db", 48 << 20)):
            with open(os.path.join(self.dir, name), "wb") as f:
                f.truncate(size)  # sparse: no 48 MB written
        big = self.java_args(["record", "big.db", "--key", "k.key", "--log", "t.jsonl"], cwd=self.dir)
        self.assertFalse(any(f in big for f in LIGHT))
        small = self.java_args(["record", os.path.join(self.dir, "small.db"), "--log", os.path.join(self.dir, "big.db")])
        self.assertFalse(any(f in small for f in LIGHT), "a big --log file counts too")
        self.assertIn("-XX:TieredStopAtLevel=1", self.java_args(["record", os.path.join(self.dir, "small.db"), "--log", "t.jsonl"]))
        as_option = self.java_args(["record", "small.db", "--log=" + os.path.join(self.dir, "big.db")], cwd=self.dir)
        self.assertFalse(any(f in as_option for f in LIGHT), "as --log=FILE too")
        # a TensorBoard run directory counts by the files under it: 2 x 25 MB
        runs = os.path.join(self.dir, "runs")
        os.makedirs(os.path.join(runs, "a"))
        for name in ("a/events.out.tfevents.1.h", "events.out.tfevents.2.h"):
            with open(os.path.join(runs, name), "wb") as f:
                f.truncate(25 << 20)
        whole = self.java_args(["record", "small.db", "--log", "runs"], cwd=self.dir)
        self.assertFalse(any(f in whole for f in LIGHT), "a 50 MB run directory")
        self.assertIn("-XX:TieredStopAtLevel=1", self.java_args(["record", "small.db", "--log", os.path.join(runs, "a")], cwd=self.dir))

    def test_a_collector_in_the_jvm_args_replaces_ours_and_the_switch_turns_it_off(self):
        got = self.java_args(["head", "l.db"], jvm_args=("-XX:+UseParallelGC",))
        self.assertNotIn("-XX:+UseSerialGC", got)
        self.assertIn("-XX:TieredStopAtLevel=1", got)
        os.environ["TRAINPROOF_LIGHT"] = "0"
        self.assertFalse(any(f in self.java_args(["head", "l.db"]) for f in LIGHT))

    def test_java_is_picked_as_the_launcher_picks_it(self):
        saved = {k: os.environ.pop(k) for k in ("JAVA", "JAVA_HOME") if k in os.environ}
        try:
            home = os.path.join(self.dir, "jdk")
            os.makedirs(os.path.join(home, "bin"))
            home_java = os.path.join(home, "bin", "java")
            with open(home_java, "w") as f:
                f.write("#!/bin/sh\n")
            os.chmod(home_java, 0o700)
            os.environ["JAVA_HOME"] = home
            self.assertEqual(home_java, _cli.find_java())
            os.environ["JAVA"] = self.java  # $JAVA wins over $JAVA_HOME
            self.assertEqual(self.java, _cli.find_java())
            os.environ["JAVA"] = os.path.join(self.dir, "no-such-java")
            with self.assertRaises(_cli.TrainproofError):
                _cli.find_java()
        finally:
            os.environ.pop("JAVA", None)
            os.environ.pop("JAVA_HOME", None)
            os.environ.update(saved)

    def test_the_class_data_archive_of_this_jvm_is_mapped_when_current(self):
        jsa = os.path.join(self.dir, "trainproof." + os.path.realpath(self.java).replace("/", "_") + ".jsa")
        self.assertEqual(jsa, _cli.cds_archive(self.jar, self.java)[0])
        other = os.path.join(self.dir, "trainproof._other_jdk_bin_java.jsa")
        for p in (jsa, other):
            open(p, "w").close()
        jar_t = os.path.getmtime(self.jar)
        os.utime(self.java, (jar_t, jar_t))
        os.utime(jsa, (jar_t + 10, jar_t + 10))
        got = self.java_args(["head", "l.db"])
        self.assertIn("-XX:SharedArchiveFile=" + jsa, got)
        self.assertFalse(any(a == "-XX:SharedArchiveFile=" + other for a in got), "another JVM's archive is never mapped")
        os.utime(self.java, (jar_t + 20, jar_t + 20))  # the JVM updated in place: its archive is stale
        self.assertFalse(any(a.startswith("-XX:SharedArchiveFile=") for a in self.java_args(["head", "l.db"])))
        os.utime(self.java, (jar_t, jar_t))
        os.utime(self.jar, (jar_t + 30, jar_t + 30))  # a newer build: stale too
        self.assertFalse(any(a.startswith("-XX:SharedArchiveFile=") for a in self.java_args(["head", "l.db"])))


if __name__ == "__main__":
    unittest.main()
