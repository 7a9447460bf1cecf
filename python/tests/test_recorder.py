"""Recorder against the real Java tool ($TRAINPROOF_CLASSPATH, $TRAINPROOF_JAR or target/trainproof.jar;
skipped when none is found)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import trainproof  # noqa: E402
from trainproof import Cli, Recorder, TrainproofError  # noqa: E402
from trainproof.safetensors import Tensor  # noqa: E402


def tool():
    try:
        return Cli()
    except TrainproofError as e:
        return str(e)


TOOL = tool()


class ImportTest(unittest.TestCase):
    def test_importTrainproof_importsNoThirdPartyModule(self):
        code = ("import sys; import trainproof, trainproof.hf, trainproof.lightning, trainproof.safetensors;"
                "print(sorted(m for m in ('torch','numpy','transformers','lightning','pytorch_lightning') if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", code], cwd=os.path.join(HERE, ".."), capture_output=True, text=True)
        self.assertEqual(0, out.returncode, out.stderr)
        have = [m for m in ("transformers", "lightning", "pytorch_lightning") if _importable(m)]
        if not have:  # the callbacks import their framework only when it is installed
            self.assertEqual("[]", out.stdout.strip())
        else:
            self.assertNotIn("numpy", out.stdout if "torch" not in out.stdout else "")


def _importable(m):
    return subprocess.run([sys.executable, "-c", "import " + m], capture_output=True).returncode == 0


@unittest.skipIf(isinstance(TOOL, str), "trainproof tool not found: %s" % TOOL)
class RecorderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        TOOL.run(["keygen", "--name", "example.com/test", "--out", os.path.join(cls.tmp, "k")])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def key(self, name):
        # a private copy per test (owner-only, as keygen wrote it), so a test may delete it
        p = os.path.join(self.tmp, name + ".key")
        shutil.copy(os.path.join(self.tmp, "k.key"), p)
        os.chmod(p, 0o600)
        return p

    def test_logAndCheckpoint_recordedAndVerifiedWithArtifacts(self):
        d = os.path.join(self.tmp, "a")
        w = {"w": Tensor.from_values("F32", (2, 2), [0.5, -0.25, 1.0, 2.0])}
        with Recorder(os.path.join(d, "ledger.db"), self.key("a"), run_config={"vocab_size": 4},
                      origin="example.com/runs/a") as rec:
            rec.log(0, loss=1.38, lr=0.0)
            rec.log(1, loss=1.30, lr=0.001)
            rec.checkpoint(2, w)
            rec.log(2, loss=1.2, lr=0.001)
        self.assertEqual(["ledger.db", "step-2.safetensors", "trainproof-log.jsonl"],
                         sorted(f for f in os.listdir(d) if not f.startswith("ledger.db-")))
        lines = [json.loads(x) for x in open(os.path.join(d, "trainproof-log.jsonl"))]
        self.assertEqual([0, 1, 2], [x["step"] for x in lines])
        v = TOOL.run(["verify", os.path.join(d, "ledger.db"), "--key", os.path.join(self.tmp, "k.pub"),
                      "--artifacts", d, "--integrity-only"], ok=(0, 1))
        self.assertEqual(0, v.returncode, v.stdout.decode() + v.stderr.decode())
        log = TOOL.run(["log", os.path.join(d, "ledger.db"), "--json"]).stdout.decode()
        self.assertEqual(2, log.count('"kind":"metrics"'), log)  # the chunk with the checkpoint, the rest at close
        self.assertEqual(1, log.count('"kind":"checkpoint"'), log)

    def test_backgroundFailure_raisedAtNextCall(self):
        d = os.path.join(self.tmp, "b")
        key = self.key("b")
        rec = Recorder(os.path.join(d, "ledger.db"), key, origin="example.com/runs/b")
        os.unlink(key)  # every record from now on fails (exit 3: no key file)
        rec.log(0, loss=1.0)
        with self.assertRaises(TrainproofError) as e:
            rec.flush()
        self.assertEqual(3, e.exception.exit_code)
        with self.assertRaises(TrainproofError):
            rec.log(1, loss=0.9)
        with self.assertRaises(TrainproofError):
            rec.close()

    def test_checkpointStepNotIncreasing_refusedInCaller(self):
        d = os.path.join(self.tmp, "c")
        rec = Recorder(os.path.join(d, "ledger.db"), self.key("c"), origin="example.com/runs/c")
        w = {"w": Tensor.from_values("F32", (1,), [1.0])}
        rec.checkpoint(5, w)
        with self.assertRaisesRegex(ValueError, "not after the previous checkpoint"):
            rec.checkpoint(5, w)
        rec.close()

    def test_newLedgerWithoutOrigin_refused(self):
        with self.assertRaisesRegex(TrainproofError, "needs origin="):
            Recorder(os.path.join(self.tmp, "d", "ledger.db"), self.key("d"))

    def test_reopen_dropsUnterminatedLastLine(self):
        d = os.path.join(self.tmp, "e")
        led = os.path.join(d, "ledger.db")
        with Recorder(led, self.key("e"), origin="example.com/runs/e") as rec:
            rec.log(0, loss=2.0)
        with open(os.path.join(d, "trainproof-log.jsonl"), "ab") as f:
            f.write(b'{"step":1,"lo')  # a crash mid-write
        with Recorder(led, self.key("e2")) as rec:
            rec.log(1, loss=1.5)
        with open(os.path.join(d, "trainproof-log.jsonl")) as f:
            lines = f.read().splitlines()
        self.assertEqual([0, 1], [json.loads(x)["step"] for x in lines])
        v = TOOL.run(["verify", led, "--key", os.path.join(self.tmp, "k.pub"), "--artifacts", d, "--integrity-only"], ok=(0, 1))
        self.assertEqual(0, v.returncode, v.stdout.decode())

    def _verify(self, d):
        v = TOOL.run(["verify", os.path.join(d, "ledger.db"), "--key", os.path.join(self.tmp, "k.pub"), "--artifacts", d,
                      "--integrity-only"], ok=(0, 1))
        self.assertEqual(0, v.returncode, v.stdout.decode() + v.stderr.decode())

    def _recorded_steps(self, d):
        log = TOOL.run(["log", os.path.join(d, "ledger.db"), "--json", "-"]).stdout.decode()
        steps = set()
        for line in log.splitlines():
            e = json.loads(line)["entry"]
            if e["kind"] == "metrics":
                steps.update(r[0] for r in e["body"]["records"])  # [step, metric index, value, ...]
        return len(steps)

    def test_serve_oneJavaProcessPerRecorder_answeredAfterEachFlush(self):
        # Issue 19: the recorder keeps one `record --serve` process; each flush() returns after its answer.
        d = os.path.join(self.tmp, "s")
        rec = Recorder(os.path.join(d, "ledger.db"), self.key("s"), origin="example.com/runs/s")
        pids = set()
        for step in range(5):
            rec.log(step, loss=2.0 - 0.1 * step)
            rec.flush()
            pids.add(rec._server.proc.pid)
            self.assertEqual(step + 1, self._recorded_steps(d), "flush() returned before its records were in the ledger")
        rec.checkpoint(5, {"w": Tensor.from_values("F32", (1,), [1.0])})
        rec.close(end=True)
        self.assertEqual(1, len(pids), "one server for the recorder's life")
        self.assertEqual(7, rec.stats["record_calls"])  # 5 flushes, the checkpoint, the end at close
        self._verify(d)
        log = TOOL.run(["log", os.path.join(d, "ledger.db"), "--json"]).stdout.decode()
        self.assertIn('"kind":"end"', log)

    def test_serverKilled_recorderRaisesSayingSo_andAnsweredRecordsStay(self):
        d = os.path.join(self.tmp, "k")
        rec = Recorder(os.path.join(d, "ledger.db"), self.key("killed"), origin="example.com/runs/k")
        rec.log(0, loss=2.0)
        rec.flush()
        os.kill(rec._server.proc.pid, 9)
        rec._server.proc.wait()
        rec.log(1, loss=1.9)
        with self.assertRaisesRegex(TrainproofError, "record --serve .* was killed by signal 9"):
            rec.flush()
        with self.assertRaises(TrainproofError):
            rec.close()
        self.assertEqual(1, self._recorded_steps(d))  # the answered flush is stored
        self._verify(d)

    def test_trainingProcessKilled_serverCommitsWhatItRead_everyFlushedRecordStays(self):
        # SIGKILL of the Python side: the server reads end of input, commits what it read and exits.
        d = os.path.join(self.tmp, "p")
        os.makedirs(d)
        key = self.key("p")
        script = ("import sys, os; sys.path.insert(0, %r)\n"
                  "from trainproof import Recorder\n"
                  "rec = Recorder(%r, %r, origin='example.com/runs/p')\n"
                  "for step in range(100000):\n"
                  "    rec.log(step, loss=1.0 / (step + 1))\n"
                  "    rec.flush()\n"
                  "    print('flushed', step, rec._server.proc.pid, flush=True)\n") % (os.path.join(HERE, ".."), os.path.join(d, "ledger.db"), key)
        p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        last, server = -1, None
        for line in p.stdout:
            _, step, server = line.split()
            last = int(step)
            if last >= 15:
                break
        p.kill()
        p.wait()
        p.stdout.close()
        for _ in range(600):  # the server exits by itself once it has read end of input
            try:
                os.kill(int(server), 0)
            except OSError:
                break
            time.sleep(0.05)
        else:
            self.fail("the server outlived its recorder")
        self.assertGreaterEqual(self._recorded_steps(d), last + 1)
        self._verify(d)


if __name__ == "__main__":
    unittest.main()
