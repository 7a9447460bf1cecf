"""Benchmark (not a test): the Recorder's cost in the training thread, median of --repeats runs.

    TRAINPROOF_JAR=target/trainproof.jar python3 python/tests/bench_recorder.py [--repeats 5] [--logs 20000] [--params 10000000]

Each repeat uses a fresh Recorder (fresh ledger) and measures:
  log       N log() calls (4 metrics each) in the calling thread: microseconds per call
  ckpt      one checkpoint() of a model with P float32 parameters in the calling thread (clone to CPU
            and queue; a slot is free, so it does not wait): what the training step pays per checkpoint
  bg        then flush(): the background work the step does not pay (writing the JSONL lines and the
            safetensors file, running `trainproof record`: JVM start, manifest, signed append)
Prints every repeat, the medians, and the load average before and after (the machine may be shared).
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import torch  # noqa: E402

import trainproof  # noqa: E402


def one(d, i, a, model):
    rec = trainproof.Recorder(os.path.join(d, "run%d" % i, "ledger.db"), os.path.join(d, "k.key"), origin="bench/run%d" % i,
                              flush_records=10 ** 9, flush_seconds=10 ** 6)
    t0 = time.perf_counter()
    for s in range(a.logs):
        rec.log(s, loss=2.0, lr=1e-3, grad_norm=0.5, tokens=s * 4096)
    t_log = (time.perf_counter() - t0) / a.logs
    t0 = time.perf_counter()
    copy = {k: v.detach().clone() for k, v in model.state_dict().items()}  # what torch's own copy costs, for scale
    t_clone = time.perf_counter() - t0
    del copy
    t0 = time.perf_counter()
    rec.checkpoint(a.logs, model)
    t_ck = time.perf_counter() - t0
    t0 = time.perf_counter()
    rec.flush()
    t_bg = time.perf_counter() - t0
    rec.close()
    return t_log, t_ck, t_bg, t_clone, dict(rec.stats)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--logs", type=int, default=20000)
    ap.add_argument("--params", type=int, default=10_000_000)
    a = ap.parse_args()
    torch.set_num_threads(1)
    load0 = os.getloadavg()
    d = tempfile.mkdtemp()
    try:
        trainproof.Cli().run(["keygen", "--name", "bench", "--out", os.path.join(d, "k")])
        model = torch.nn.Linear(a.params // 1000, 1000, bias=False)
        rows = []
        for i in range(a.repeats):
            t_log, t_ck, t_bg, t_clone, st = one(d, i, a, model)
            rows.append((t_log, t_ck, t_bg, t_clone))
            print("repeat %d: log() %.2f us/call; checkpoint() %.3f s in the caller (a plain torch clone: %.3f s); background "
                  "write %.2f s + record %.1f s (flush %.1f s)" % (i + 1, t_log * 1e6, t_ck, t_clone, st["write_seconds"],
                                                                   st["record_seconds"], t_bg), flush=True)
        med = [statistics.median(c) for c in zip(*rows)]
        print("median of %d: log(step, 4 metrics) %.2f us per call (%d calls each); checkpoint() of %d float32 params "
              "(%.0f MB) %.3f s in the training thread (torch clone of the same: %.3f s); background until recorded %.1f s"
              % (a.repeats, med[0] * 1e6, a.logs, a.params, a.params * 4 / 1e6, med[1], med[3], med[2]))
        print("load average before %.2f %.2f %.2f, after %.2f %.2f %.2f (%d cores)"
              % (load0 + os.getloadavg() + (os.cpu_count(),)))
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    main()
