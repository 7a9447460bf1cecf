#!/usr/bin/env python3
"""Latency of `record --serve` log requests (docs/performance.md "Startup"): starts the server on
DIR/ledger.db with DIR/lab.key, then N times appends one JSON line to DIR/train.jsonl and sends
{"log": "train.jsonl"}, timing each answer. Prints the first request's time (the server's start and
its read of the ledger) and the median and maximum of the others.
Usage: serve_latency.py JAR DIR N   (DIR prepared with keygen, init and one record --log of train.jsonl)"""
import json, os, statistics, subprocess, sys, time

jar, d, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = subprocess.Popen(['java', '--add-modules', 'jdk.incubator.vector', '-jar', os.path.abspath(jar), 'record', 'ledger.db',
                      '--key', 'lab.key', '--serve'], cwd=d, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL, text=True, bufsize=1)
p.stdout.readline()  # {"ready": true, ...}
lat = []
step = 10_000_000 + int(time.time()) % 1_000_000
for i in range(n):
    with open(os.path.join(d, 'train.jsonl'), 'a') as f:
        f.write(json.dumps({"step": step + i, "loss": 1.0, "lr": 3e-4}) + "\n")
    t0 = time.time()
    p.stdin.write(json.dumps({"log": "train.jsonl"}) + "\n")
    p.stdin.flush()
    ack = json.loads(p.stdout.readline())
    lat.append(time.time() - t0)
    if not ack.get("ok"):
        sys.exit(f"request {i}: {ack}")
p.stdin.close()
p.wait()
print(f"{jar}: first {lat[0] * 1000:.0f} ms, then median {statistics.median(lat[1:]) * 1000:.1f} ms,"
      f" max {max(lat[1:]) * 1000:.1f} ms over {n - 1} requests; load {open('/proc/loadavg').read().strip()}")
