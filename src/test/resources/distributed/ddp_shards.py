"""Two-process DDP training on CPU (gloo) that hashes its checkpoint where the shards are.

Each rank trains the same small model under DistributedDataParallel on its own data, saves its row
slice of every parameter (rank 0 also the parameters with fewer rows than ranks) as a safetensors
file with the 'trainproof.slices' metadata, and runs `trainproof inspect --json --rank R
--world-size W` on its own file. The manifests are gathered to rank 0 with torch.distributed
(gather_object over gloo: no shared file system needed), and rank 0 alone - the only key holder -
runs `trainproof record --shard-manifest`. Rank 0 also writes, from the full (replicated) model,
float64 reference statistics per tensor computed by torch, for the test to compare with the fold.

usage: ddp_shards.py OUT_DIR LEDGER KEY STEPS   (env TRAINPROOF_JAVA: java executable, TRAINPROOF_CP: classpath)
"""
import json
import os
import socket
import struct
import subprocess
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP

WORLD = 2


def trainproof(*args):
    # C1-only JIT and the serial GC: a short command starts in about two thirds of the time
    cmd = [os.environ["TRAINPROOF_JAVA"], "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", os.environ["TRAINPROOF_CP"],
           "org.trainproof.cli.Main", *map(str, args)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[5:])} exited {r.returncode}: {r.stderr}")
    return r.stdout


def write_safetensors(path, tensors, metadata):
    """safetensors as the reference writer lays it out: 8-byte LE header length, JSON header padded with spaces to 8, data."""
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, t in tensors:
        b = t.detach().cpu().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def model():
    return nn.Sequential(nn.Linear(16, 48), nn.LayerNorm(48), nn.ReLU(), nn.Linear(48, 10))


def run(rank, out_dir, ledger, key, steps, init_file):
    dist.init_process_group("gloo", init_method="file://" + init_file, rank=rank, world_size=WORLD)
    torch.manual_seed(0)  # same init on every rank (DDP also broadcasts rank 0's parameters)
    net = DDP(model())
    opt = torch.optim.AdamW(net.parameters(), lr=1e-2, weight_decay=0.1)
    g = torch.Generator().manual_seed(100 + rank)  # each rank its own data
    for _ in range(steps):
        x = torch.randn(32, 16, generator=g)
        y = torch.randint(0, 10, (32,), generator=g)
        loss = nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    ckpt = os.path.join(out_dir, f"step-{steps}")
    os.makedirs(ckpt, exist_ok=True)
    mine, slices = [], {}
    for name, p in net.module.state_dict().items():
        rows = p.shape[0] if p.dim() > 0 else 0
        if rows >= WORLD:
            lo, hi = rank * rows // WORLD, (rank + 1) * rows // WORLD
            mine.append((name, p[lo:hi]))
            slices[name] = {"offsets": [lo] + [0] * (p.dim() - 1), "global_shape": list(p.shape)}
        elif rank == 0:
            mine.append((name, p))
    shard = os.path.join(ckpt, f"rank{rank}.safetensors")
    write_safetensors(shard, mine, {"trainproof.slices": json.dumps(slices), "step": str(steps)})

    t0 = time.monotonic()
    manifest = trainproof("inspect", "--json", "--rank", rank, "--world-size", WORLD, "--host", socket.gethostname(), shard)
    hashed = time.monotonic() - t0

    gathered = [None] * WORLD if rank == 0 else None
    dist.gather_object((rank, manifest, hashed), gathered, dst=0)
    if rank == 0:
        paths = []
        for r, text, secs in gathered:
            p = os.path.join(out_dir, f"manifest-rank{r}.json")
            with open(p, "w") as f:
                f.write(text)
            paths.append(p)
            print(f"rank {r}: inspect --json of its shard took {secs:.2f} s", flush=True)
        print(trainproof("record", ledger, "--key", key, "--step", steps, "--name", f"step-{steps}", "--shard-manifest", *paths), flush=True)
        ref = {}
        for name, p in net.module.state_dict().items():
            v = p.detach().to(torch.float64).flatten()
            ref[name] = {"count": v.numel(), "mean": v.mean().item(), "min": v.min().item(), "max": v.max().item(),
                         "l2": v.norm().item()}
        with open(os.path.join(out_dir, "torch-stats.json"), "w") as f:
            json.dump(ref, f)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    out_dir, ledger, key, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    init_file = os.path.join(out_dir, "pg-init")
    mp.spawn(run, args=(out_dir, ledger, key, steps, init_file), nprocs=WORLD, join=True)
    print("ok", flush=True)
