"""Two-process DDP training on CPU (gloo) that saves a torch.distributed.checkpoint (DCP) and hashes
each rank's own .distcp file with trainproof.distributed.record_shards.

After training under DistributedDataParallel, every parameter with at least 2 rows is saved as a
row-sharded DTensor (Shard(0) over the 2 ranks), plus a replicated 'meta.step' tensor (DCP stores it
once). Each rank then calls trainproof.distributed.record_shards on its own __R_0.distcp: `inspect
--json --rank R` per rank, gather_object to rank 0, and rank 0 alone (the key holder) runs
`record --shard-manifest`. Rank 0 writes torch's float64 statistics of the whole tensors for the test.

usage: ddp_dcp.py OUT_DIR LEDGER KEY STEPS   (env PYTHONPATH: python/, TRAINPROOF_CLASSPATH: classpath)
"""
import json
import os
import sys
import time
import warnings

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
import torch.multiprocessing as mp
import torch.nn as nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor import Shard, distribute_tensor
from torch.nn.parallel import DistributedDataParallel as DDP

import trainproof.distributed as tpd

WORLD = 2


def model():
    return nn.Sequential(nn.Linear(16, 48), nn.LayerNorm(48), nn.ReLU(), nn.Linear(48, 10))


def run(rank, out_dir, ledger, key, steps, init_file):
    warnings.simplefilter("ignore")
    dist.init_process_group("gloo", init_method="file://" + init_file, rank=rank, world_size=WORLD)
    mesh = init_device_mesh("cpu", (WORLD,))
    torch.manual_seed(0)
    net = DDP(model())
    opt = torch.optim.AdamW(net.parameters(), lr=1e-2, weight_decay=0.1)
    g = torch.Generator().manual_seed(100 + rank)
    for _ in range(steps):
        x = torch.randn(32, 16, generator=g)
        y = torch.randint(0, 10, (32,), generator=g)
        loss = nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    full = {k: v.detach().clone() for k, v in net.module.state_dict().items()}
    sd = {k: distribute_tensor(v, mesh, [Shard(0)]) for k, v in full.items()}
    sd["meta.step"] = torch.tensor([steps], dtype=torch.int64)
    ckpt = os.path.join(out_dir, "step-%d" % steps)
    dcp.save(sd, checkpoint_id=ckpt)

    t0 = time.monotonic()
    out = tpd.record_shards(tpd.dcp_shard(ckpt), ledger=ledger if rank == 0 else None, key=key if rank == 0 else None,
                            step=steps, name="step-%d" % steps, manifest_dir=os.path.join(out_dir, "manifests"))
    print("rank %d: record_shards took %.2f s" % (rank, time.monotonic() - t0), flush=True)
    if rank == 0:
        print(out, flush=True)
        ref = {}
        for name, p in list(full.items()) + [("meta.step", sd["meta.step"])]:
            v = p.to(torch.float64).flatten()
            ref[name] = {"count": v.numel(), "mean": v.mean().item(), "min": v.min().item(), "max": v.max().item(),
                         "l2": v.norm().item()}
        with open(os.path.join(out_dir, "torch-stats.json"), "w") as f:
            json.dump(ref, f)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    out_dir, ledger, key, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    mp.spawn(run, args=(out_dir, ledger, key, steps, os.path.join(out_dir, "pg-init")), nprocs=WORLD, join=True)
    print(sorted(os.listdir(os.path.join(out_dir, "step-%d" % steps))), flush=True)
    print("ok", flush=True)
