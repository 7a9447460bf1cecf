"""A real PyTorch training loop recorded with trainproof.Recorder.from_torch (used by the Java
PythonRecorderTest and runnable by hand):

    python3 python/tests/train_tiny.py --dir RUN --key lab.key [--steps 300 --every 100 --init-from W.safetensors]

A small causal language model (context window of 4 tokens, embedding + LayerNorm + MLP) trained from
scratch with AdamW and linear warmup + cosine decay on a synthetic Markov language over 64 tokens.
Prints "step N" after each step (flushed) so a caller can kill the process mid-way.

--init-from W: the same loop, making the same claims (the init claims are those of the freshly built
model, as for a run from scratch), but training starts from W's weights: the step-0 checkpoint holds
them. This is the dishonest run the end-to-end test must catch.
"""
import argparse
import json
import math
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import torch
import torch.nn as nn

import trainproof
import trainproof.torchconfig

V, CTX, D, H = 64, 4, 32, 128


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, D)
        self.ln1 = nn.LayerNorm(CTX * D)
        self.fc1 = nn.Linear(CTX * D, H)
        self.fc2 = nn.Linear(H, D)
        self.ln2 = nn.LayerNorm(D)
        self.head = nn.Linear(D, V)

    def forward(self, ctx):  # ctx: (B, CTX) token ids -> logits (B, V) for the next token
        x = self.embed(ctx).reshape(ctx.shape[0], CTX * D)
        x = torch.relu(self.fc1(self.ln1(x)))
        return self.head(self.ln2(self.fc2(x)))


def markov(seed):
    g = torch.Generator().manual_seed(seed)
    nxt = torch.randint(0, V, (V, 4), generator=g)  # each token is followed by one of 4 tokens
    return nxt, g


def batch(nxt, g, bsz, seq):
    toks = torch.empty(bsz, seq + CTX, dtype=torch.long)
    toks[:, 0] = torch.randint(0, V, (bsz,), generator=g)
    for t in range(1, seq + CTX):
        toks[:, t] = nxt[toks[:, t - 1], torch.randint(0, 4, (bsz,), generator=g)]
    ctx = torch.stack([toks[:, i:i + CTX] for i in range(seq)], 1).reshape(-1, CTX)
    return ctx, toks[:, CTX:].reshape(-1)


def load_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        base = 8 + n
        out = {}
        for name, h in header.items():
            if name == "__metadata__":
                continue
            assert h["dtype"] == "F32", h
            f.seek(base + h["data_offsets"][0])
            raw = bytearray(f.read(h["data_offsets"][1] - h["data_offsets"][0]))
            out[name] = torch.frombuffer(raw, dtype=torch.float32).reshape(h["shape"]).clone()
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--origin", default="example.com/runs/tiny")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--every", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--init-from", help="start from these weights (another run's checkpoint) instead of a fresh init")
    ap.add_argument("--sync-until", type=int, default=-1,
                    help="wait until checkpoints at steps <= this are recorded (so a test killing the process knows what is in the ledger)")
    ap.add_argument("--stop-at", type=int, help="stop after this many steps (the schedule still spans --steps)")
    ap.add_argument("--resume-from", type=int, help="restart this run (its ledger exists) from its checkpoint at this step")
    a = ap.parse_args()

    # One intra-op thread: on the shared 2-core machine (load average about 15) two threads made the
    # 300 steps of this tiny model take 90 s instead of 5 s (threads waiting for each other on tiny ops).
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    model = TinyLM()
    # The init claims this loop makes: the freshly built model's PyTorch defaults (what from_torch would
    # derive from it); with --init-from they are still claimed, but the weights are replaced.
    init = trainproof.torchconfig.init_claims(model)
    if a.init_from:
        model.load_state_dict(load_safetensors(a.init_from))
    if a.resume_from is not None:  # the recorder's own file of that step (a fresh optimizer state: the checkpoint has none)
        model.load_state_dict(load_safetensors(os.path.join(a.dir, "step-%d.safetensors" % a.resume_from)))
    bsz, seq, peak, warm = 16, 16, 1e-2, 6
    decay = [p for n, p in model.named_parameters() if n.endswith("weight") and not n.startswith("ln")]
    other = [p for n, p in model.named_parameters() if not (n.endswith("weight") and not n.startswith("ln"))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                            lr=peak, betas=(0.9, 0.95), eps=1e-8)
    total = a.steps
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / warm if s < warm else 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm))))
    rec = trainproof.Recorder.from_torch(
        model, opt, sched, ledger=os.path.join(a.dir, "ledger.db"), key=a.key, origin=a.origin,
        total_steps=total, vocab_size=V, batch_size=bsz, seq_len=seq, seed=a.seed, init=init,
        run_config={"grad_clip": 1.0, "data": {"name": "markov-4-of-64"}}, resume_from=a.resume_from)
    if a.sync_until >= 0:
        rec.flush()  # the step-0 checkpoint
    nxt, g = markov(12345)
    first = a.resume_from or 0
    for _ in range(first):
        sched.step()
    for step in range(first, a.stop_at if a.stop_at is not None else total):
        ctx, y = batch(nxt, g, bsz, seq)
        loss = nn.functional.cross_entropy(model(ctx), y)
        opt.zero_grad()
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        rec.log(step, loss=loss.item(), lr=sched.get_last_lr()[0], grad_norm=float(gn),
                tokens=step * bsz * seq)
        opt.step()
        sched.step()
        if (step + 1) % a.every == 0:
            rec.checkpoint(step + 1, model)
            if step + 1 <= a.sync_until:
                rec.flush()
        print("step %d loss %.4f" % (step, loss.item()), flush=True)
    rec.close()
    print("stats " + json.dumps(rec.stats), flush=True)
    print("init " + json.dumps(rec.derived_run_config.get("init"), sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
