"""Benchmark (not a test): the Recorder's cost in the training thread.

    TRAINPROOF_JAR=target/trainproof.jar python3 python/tests/bench_recorder.py [--logs 20000] [--params 25000000]

Times N log() calls (4 metrics each) and checkpoint() of a model with P float32 parameters in the calling
thread (what the training step pays), then the background time until close() returns (what it does
not pay: writing the JSONL lines and the safetensors file, running `trainproof record`).
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import torch  # noqa: E402

import trainproof  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--logs", type=int, default=20000)
    ap.add_argument("--params", type=int, default=25_000_000)
    ap.add_argument("--checkpoints", type=int, default=3)
    a = ap.parse_args()
    d = tempfile.mkdtemp()
    try:
        cli = trainproof.Cli()
        cli.run(["keygen", "--name", "bench", "--out", os.path.join(d, "k")])
        rec = trainproof.Recorder(os.path.join(d, "run", "ledger.db"), os.path.join(d, "k.key"), origin="bench/run",
                                  flush_records=10 ** 9, flush_seconds=10 ** 6)
        t0 = time.perf_counter()
        for s in range(a.logs):
            rec.log(s, loss=2.0, lr=1e-3, grad_norm=0.5, tokens=s * 4096)
        t_log = time.perf_counter() - t0
        model = torch.nn.Linear(a.params // 1000, 1000, bias=False)
        t_ck = []
        for i in range(a.checkpoints):
            t0 = time.perf_counter()
            rec.checkpoint(a.logs + i, model)
            t_ck.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rec.close()
        t_bg = time.perf_counter() - t0
        mb = a.params * 4 / 1e6
        print("log(): %.2f us per call (%d calls, 4 metrics each)" % (t_log / a.logs * 1e6, a.logs))
        print("checkpoint() of %d float32 params (%.0f MB) in the caller: %s s (first waits for no slot)"
              % (a.params, mb, ", ".join("%.3f" % t for t in t_ck)))
        print("background until close() returned: %.1f s; stats %s" % (t_bg, rec.stats))
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    main()
