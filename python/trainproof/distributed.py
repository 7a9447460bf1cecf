"""Per-rank checkpoint hashing for multi-rank jobs (docs/distributed.md).

Every rank hashes only the file it wrote (a DCP ``__R_0.distcp`` shard, or a safetensors shard with
``trainproof.slices`` metadata) with ``trainproof inspect --json --rank R --world-size W``, in parallel;
the manifests are gathered to rank 0 with ``torch.distributed.gather_object`` and rank 0 alone, the
only holder of the signing key, runs ``trainproof record --shard-manifest``. Standard library only at
import time: torch.distributed is imported when the functions run, and without an initialised process
group the caller is rank 0 of a world of 1.

    import trainproof.distributed as tpd
    dcp.save(state_dict, checkpoint_id=ckpt)
    tpd.record_shards(tpd.dcp_shard(ckpt), ledger="ledger.db", key="signer.key" if rank == 0 else None,
                      step=step, name="step-%d" % step)
"""
import os
import socket
import tempfile

from ._cli import Cli, TrainproofError


def _dist():
    try:
        import torch.distributed as dist
    except ImportError:
        return None
    return dist if dist.is_available() and dist.is_initialized() else None


def rank_and_world(group=None):
    """(rank, world size) in torch.distributed's default or given group; (0, 1) without one."""
    d = _dist()
    if d is None:
        return 0, 1
    return d.get_rank(group), d.get_world_size(group)


def dcp_shard(checkpoint_dir, rank=None):
    """The .distcp file torch.distributed.checkpoint's FileSystemWriter writes for `rank` (default: this
    rank) with one writer thread: CHECKPOINT_DIR/__R_0.distcp."""
    if rank is None:
        rank = rank_and_world()[0]
    return os.path.join(checkpoint_dir, "__%d_0.distcp" % rank)


def inspect_shard(path, rank, world_size, host=None, cli=None):
    """This rank's shard manifest (JSON text): `trainproof inspect --json - --rank R --world-size W PATH`."""
    cli = cli or Cli()
    args = ["inspect", "--json", "-", "--rank", rank, "--world-size", world_size,
            "--host", host or socket.gethostname(), path]
    return cli.run(args).stdout.decode("utf-8")


def record_shards(path, ledger=None, key=None, step=None, name=None, manifest_dir=None, cli=None, group=None,
                  record_args=()):
    """Collective: every rank of `group` must call it. Each rank hashes its own `path`; the manifests are
    gathered to rank 0, which writes them to `manifest_dir` (default: a temporary directory, removed
    after) as manifest-rank{R}.json and runs `trainproof record LEDGER --key KEY --step STEP --name NAME
    --shard-manifest ...`. Only rank 0 needs `ledger` and `key`. Returns the record command's output on
    rank 0 and None on the others. A rank whose inspect fails still takes part in the gather (no hang);
    rank 0 then raises TrainproofError naming every failed rank, and the failed rank raises its own error."""
    cli = cli or Cli()
    rank, world = rank_and_world(group)
    try:
        mine = (rank, True, inspect_shard(path, rank, world, cli=cli))
    except TrainproofError as e:
        mine = (rank, False, "%s: %s" % (path, e))
    d = _dist()
    if d is None:
        gathered = [mine]
    else:
        gathered = [None] * world if rank == 0 else None
        d.gather_object(mine, gathered, dst=0 if group is None else d.get_global_rank(group, 0), group=group)
    if rank != 0:
        if not mine[1]:
            raise TrainproofError("rank %d: %s" % (rank, mine[2]))
        return None
    failed = ["rank %d: %s" % (r, text) for r, ok, text in gathered if not ok]
    if failed:
        raise TrainproofError("shard hashing failed on %d of %d ranks; nothing recorded: %s"
                              % (len(failed), world, "; ".join(failed)))
    if ledger is None or key is None or step is None:
        raise TrainproofError("rank 0 needs ledger, key and step to record the shard manifests")
    tmp = None
    if manifest_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="trainproof-shards-")
        manifest_dir = tmp.name
    try:
        os.makedirs(manifest_dir, exist_ok=True)
        paths = []
        for r, _, text in sorted(gathered):
            p = os.path.join(manifest_dir, "manifest-rank%d.json" % r)
            with open(p, "w") as f:
                f.write(text)
            paths.append(p)
        args = ["record", ledger, "--key", key, "--step", step]
        if name is not None:
            args += ["--name", name]
        args += list(record_args) + ["--shard-manifest"] + paths
        return cli.run(args).stdout.decode("utf-8")
    finally:
        if tmp is not None:
            tmp.cleanup()
