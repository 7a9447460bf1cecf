# Two gloo ranks save one DCP checkpoint with row- and column-sharded DTensors plus a replicated
# tensor; writes expected.json with torch's digests of the full tensors and of each rank's shards.
# Usage: python3 write_dcp_sharded.py OUT_DIR
import hashlib, json, os, sys, warnings
import torch, torch.distributed as dist, torch.multiprocessing as mp
import torch.distributed.checkpoint as dcp
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor import distribute_tensor, Shard

def full():
    torch.manual_seed(5)
    return {"rows": torch.randn(6, 5), "cols": torch.randn(4, 8).to(torch.bfloat16), "rep": torch.arange(3)}

def sha(t):
    t = t.contiguous()
    b = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
    return hashlib.sha256(b).hexdigest()

def run(rank, out, init):
    warnings.simplefilter("ignore")
    dist.init_process_group("gloo", init_method=init, rank=rank, world_size=2)
    mesh = init_device_mesh("cpu", (2,))
    f = full()
    sd = {"rows": distribute_tensor(f["rows"], mesh, [Shard(0)]), "cols": distribute_tensor(f["cols"], mesh, [Shard(1)]),
          "rep": f["rep"]}
    dcp.save(sd, checkpoint_id=os.path.join(out, "dcp2"))
    dist.destroy_process_group()

if __name__ == "__main__":
    out = sys.argv[1]
    mp.spawn(run, args=(out, "file://" + os.path.join(out, "pg_init")), nprocs=2, join=True)
    f = full()
    exp = {k: sha(v) for k, v in f.items()}
    exp["rows@0,0"] = sha(f["rows"][0:3]); exp["rows@3,0"] = sha(f["rows"][3:6])
    exp["cols@0,0"] = sha(f["cols"][:, 0:4]); exp["cols@0,4"] = sha(f["cols"][:, 4:8])
    json.dump(exp, open(os.path.join(out, "expected_dcp2.json"), "w"))
    print(sorted(os.listdir(os.path.join(out, "dcp2"))))
