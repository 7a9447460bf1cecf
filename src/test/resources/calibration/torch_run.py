#!/usr/bin/env python3
"""Independent trainer for trainproof's calibration (issue 13): real PyTorch training loops, written
without reference to the Java fixture trainer the checks were first tuned on.

    python3 torch_run.py SPEC_JSON OUT_DIR
    python3 torch_run.py --jobs JOBS_FILE      (one {"spec": {...}, "out": DIR} per line; one torch import for all)
    python3 torch_run.py --grid ROOT [quick]   (the calibration grid: writes ROOT/runs.jsonl and every run under ROOT)

SPEC keys: family (mlp | attn), opt (adamw | adam | sgdm | lion | adafactor), lr (peak), sched (cosine | constant | linear |
wsd), warmup, steps, every (checkpoint spacing), dtype (F32 | BF16), init (std002 | fanin | trunc |
zero_out), seed, construction (honest | derived | mixed | permuted | straight | straight_noise | cumlr | walk | spliced).

Writes step-N.safetensors (step 0 included), log.jsonl (step, loss, lr, grad_norm) and run-config.json
(the claims, always those of an honest from-scratch run with the spec's recipe). Dishonest constructions:
  derived        step-0 weights are another run's trained weights, rescaled to the claimed init std
  mixed          step-0 = 0.6 x pretrained + 0.8 x fresh init noise (std close to the claim), then trained
  permuted       step-0 = pretrained weights with their hidden units permuted (the function-preserving symmetry)
                 and rescaled to the claimed init std, then trained
  straight       checkpoints on the straight line from the init to an honest run's final weights
  straight_noise the same with per-checkpoint noise (std 0.1 x mean per-checkpoint move)
  cumlr          checkpoints follow the cumulative LR from the init to the final weights, + small noise
  walk           the smooth random-walk forger: the cumulative-LR chord from an honest run's init theta_0 to its
                 final weights theta_T, plus a Brownian bridge (cumulative sums of Gaussian noise, pinned to 0 at both
                 ends so theta_0 and theta_T are exact): theta_t = theta_0 + f_t D + c_k a B_k(f_t), f_t = cumulative
                 LR / total, D = theta_T - theta_0, B_k an independent standard Brownian bridge per element in the time
                 f (increments N(0, df), minus f times the endpoint), a = WALK_GAMMA x RMS(D) of the tensor. Consecutive
                 residuals share the accumulated walk, so W10's coherence rule sees a continuous path. For AdamW, Adam
                 and Lion each element's scale c_k <= 1 is the largest that keeps every move between checkpoints within
                 0.9 x the per-step bound (AdamW 1.165, Adam 7.27, Lion 1, x the summed LR), so W3 holds; SGD and
                 Adafactor have no per-element bound (c_k = 1).
  spliced        first half of run A, second half of an independent run B (same recipe)
No safetensors package is needed: the format (8-byte LE header length, JSON header, raw LE data) is written here.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

V = 64


def lr_at(spec, t):
    peak, warm, total, shape = spec["lr"], spec.get("warmup", 0), spec["steps"], spec["sched"]
    mn = peak * 0.1
    if t < warm:
        return peak * min(1.0, (t + 1.0) / warm)
    if shape == "constant":
        return peak
    frac = 1.0 if total <= warm else min(1.0, max(0.0, (t - warm) / (total - warm)))
    if shape == "cosine":
        return mn + 0.5 * (peak - mn) * (1 + math.cos(math.pi * frac))
    if shape == "linear":
        return peak + (mn - peak) * frac
    if shape == "wsd":
        return peak if frac <= 0.8 else peak + (mn - peak) * (frac - 0.8) / 0.2
    raise ValueError(shape)


class Mlp(torch.nn.Module):
    ctx = 4

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(V, 32)
        self.fc1 = torch.nn.Linear(32 * self.ctx, 96)
        self.ln = torch.nn.LayerNorm(96)
        self.head = torch.nn.Linear(96, V)

    def forward(self, x):  # x: (B, ctx) -> logits (B, V)
        h = self.embed(x).flatten(1)
        return self.head(self.ln(torch.nn.functional.gelu(self.fc1(h))))


class Attn(torch.nn.Module):
    seq = 16

    def __init__(self):
        super().__init__()
        d = 32
        self.embed = torch.nn.Embedding(V, d)
        self.pos = torch.nn.Embedding(self.seq, d)
        self.ln1 = torch.nn.LayerNorm(d)
        self.qkv = torch.nn.Linear(d, 3 * d)
        self.proj = torch.nn.Linear(d, d)
        self.ln2 = torch.nn.LayerNorm(d)
        self.fc1 = torch.nn.Linear(d, 4 * d)
        self.fc2 = torch.nn.Linear(4 * d, d)
        self.lnf = torch.nn.LayerNorm(d)
        self.head = torch.nn.Linear(d, V)

    def forward(self, x):  # x: (B, T) -> logits (B, T, V)
        B, T = x.shape
        h = self.embed(x) + self.pos(torch.arange(T))[None]
        q, k, v = self.qkv(self.ln1(h)).view(B, T, 3, 2, 16).unbind(2)
        a = torch.nn.functional.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        h = h + self.proj(a.transpose(1, 2).reshape(B, T, 32))
        h = h + self.fc2(torch.nn.functional.gelu(self.fc1(self.ln2(h))))
        return self.head(self.lnf(h))


def init_rules(model, scheme):
    """Initialises in place and returns the run-config init claims."""
    rules = []
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(".bias"):
                p.zero_()
                rules.append({"pattern": name, "distribution": "zeros"})
            elif name.startswith("ln") or ".ln" in name or name.startswith("lnf"):
                p.fill_(1.0)
                rules.append({"pattern": name, "distribution": "ones"})
            elif scheme == "zero_out" and name == "head.weight":
                p.zero_()
                rules.append({"pattern": name, "distribution": "zeros"})
            elif scheme == "fanin" and p.dim() == 2 and not name.startswith(("embed", "pos")):
                std = 1.0 / math.sqrt(p.shape[1])
                p.normal_(0, std)
                rules.append({"pattern": name, "distribution": "normal", "std": std})
            elif scheme == "trunc":
                torch.nn.init.trunc_normal_(p, std=0.02, a=-0.04, b=0.04)
                rules.append({"pattern": name, "distribution": "truncated_normal", "std": 0.02, "truncation": 2.0})
            else:
                p.normal_(0, 0.02)
                rules.append({"pattern": name, "distribution": "normal", "std": 0.02})
    return rules


class Markov:
    def __init__(self, seed):
        r = np.random.default_rng(seed)
        self.P = r.dirichlet(np.full(V, 0.1), size=V)
        self.cum = np.cumsum(self.P, axis=1)
        self.r = np.random.default_rng(seed + 1)

    def batch(self, b, n):
        out = np.empty((b, n), dtype=np.int64)
        out[:, 0] = self.r.integers(0, V, b)
        for j in range(1, n):
            u = self.r.random(b)
            out[:, j] = np.minimum((self.cum[out[:, j - 1]] < u[:, None]).sum(1), V - 1)
        return torch.from_numpy(out)


def make_model(family):
    return Mlp() if family == "mlp" else Attn()


def loss_of(model, family, tokens):
    if family == "mlp":
        x, y = tokens[:, :-1], tokens[:, -1]
        return torch.nn.functional.cross_entropy(model(x), y)
    logits = model(tokens[:, :-1])
    return torch.nn.functional.cross_entropy(logits.reshape(-1, V), tokens[:, 1:].reshape(-1))


def no_decay(name):
    return name.endswith(".bias") or name.startswith("ln") or ".ln" in name


class Lion(torch.optim.Optimizer):
    """Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2): decoupled decay,
    update = sign(beta1 m + (1 - beta1) g), then m = beta2 m + (1 - beta2) g. Not in torch 2.13."""

    def __init__(self, params, lr, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            b1, b2 = g["betas"]
            for p in g["params"]:
                if p.grad is None:
                    continue
                m = self.state[p].setdefault("exp_avg", torch.zeros_like(p))
                p.mul_(1 - g["lr"] * g["weight_decay"])
                p.add_(torch.sign(m * b1 + p.grad * (1 - b1)), alpha=-g["lr"])
                m.mul_(b2).add_(p.grad, alpha=1 - b2)


def optimizer(spec, model):
    decay = [p for n, p in model.named_parameters() if not no_decay(n)]
    nod = [p for n, p in model.named_parameters() if no_decay(n)]
    if spec["opt"] == "adamw":
        return torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": nod, "weight_decay": 0.0}],
                                 lr=spec["lr"], betas=(0.9, 0.95), eps=1e-8)
    if spec["opt"] == "lion":
        return Lion([{"params": decay, "weight_decay": 0.1}, {"params": nod, "weight_decay": 0.0}], lr=spec["lr"], betas=(0.9, 0.99))
    if spec["opt"] == "adafactor":
        return torch.optim.Adafactor(model.parameters(), lr=spec["lr"], weight_decay=0.0)
    if spec["opt"] == "adam":
        return torch.optim.Adam(model.parameters(), lr=spec["lr"], betas=(0.9, 0.999), eps=1e-8)
    return torch.optim.SGD(model.parameters(), lr=spec["lr"], momentum=0.9)


def train(spec, seed, start_state=None, steps=None, keep=None):
    """Trains from the spec's init (or start_state). Returns (init_state, states {step: state}, log)."""
    torch.manual_seed(seed)
    model = make_model(spec["family"])
    rules = init_rules(model, spec["init"])
    if start_state is not None:
        model.load_state_dict(start_state)
    data = Markov(spec.get("data_seed", 7) + seed * 1000)
    opt = optimizer(spec, model)
    steps = spec["steps"] if steps is None else steps
    n = (Mlp.ctx + 1) if spec["family"] == "mlp" else (Attn.seq + 1)
    states, log = {}, []
    keep = keep or (lambda t: t % spec["every"] == 0 or t == steps)
    if keep(0):
        states[0] = {k: v.clone() for k, v in model.state_dict().items()}
    for t in range(steps):
        lr = lr_at(spec, t)
        for g in opt.param_groups:
            g["lr"] = lr
        loss = loss_of(model, spec["family"], data.batch(16, n))
        opt.zero_grad()
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        log.append({"step": t, "loss": float(loss.detach()), "lr": lr, "grad_norm": float(gn)})
        opt.step()
        if keep(t + 1):
            states[t + 1] = {k: v.clone() for k, v in model.state_dict().items()}
    return rules, states, log


def write_safetensors(path, state, dtype, step):
    header, blobs, off = {"__metadata__": {"step": str(step)}}, [], 0
    for name in sorted(state):
        t = state[name].detach().contiguous()
        if dtype == "BF16":
            raw = t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raw = t.to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def interpolate(states, fractions, noise, seed):
    """Checkpoints on a path from states[0] to the final state: theta_0 + f * (theta_T - theta_0) (+ noise)."""
    steps = sorted(states)
    s0, sT = states[steps[0]], states[steps[-1]]
    g = torch.Generator().manual_seed(seed + 99)
    out = {}
    for s in steps:
        f = fractions[s]
        st = {}
        for k in s0:
            v = s0[k] + f * (sT[k] - s0[k])
            if noise > 0 and 0 < s < steps[-1]:
                move = (sT[k] - s0[k]).abs().mean() / max(1, len(steps) - 1)
                v = v + noise * move * torch.randn(v.shape, generator=g)
            st[k] = v
        out[s] = st
    return out


WALK_GAMMA = 1.0
# Per-step per-element bound of |update| / lr (AdamStepBound.sup for the betas written in run-config; Lion's sign step).
STEP_BOUND = {"adamw": 1.165, "adam": 7.27, "lion": 1.0}


def walk_path(states, spec, seed):
    """The 'walk' construction (module docstring): cumulative-LR chord + a per-element Brownian bridge, W3-safe."""
    steps = sorted(states)
    T = steps[-1]
    lrs = np.array([lr_at(spec, t) for t in range(T)])
    cum = np.concatenate([[0.0], np.cumsum(lrs)])
    f = torch.tensor([cum[s] / cum[T] for s in steps], dtype=torch.float64)
    seg_lr = torch.tensor([cum[b] - cum[a] for a, b in zip(steps[:-1], steps[1:])], dtype=torch.float64)
    s0, sT = states[steps[0]], states[T]
    g = torch.Generator().manual_seed(seed + 4242)
    bound = STEP_BOUND.get(spec["opt"])
    out = {s: {} for s in steps}
    for k in s0:
        x0, d = s0[k].double(), (sT[k] - s0[k]).double()
        shape = (len(steps),) + tuple(x0.shape)
        df = (f[1:] - f[:-1]).view((-1,) + (1,) * x0.dim())
        inc = torch.randn((len(steps) - 1,) + tuple(x0.shape), generator=g, dtype=torch.float64) * df.sqrt()
        w = torch.cat([torch.zeros((1,) + tuple(x0.shape), dtype=torch.float64), inc.cumsum(0)])
        bridge = w - f.view((-1,) + (1,) * x0.dim()) * w[-1]
        a = WALK_GAMMA * float(d.pow(2).mean().sqrt())
        c = torch.ones(tuple(x0.shape), dtype=torch.float64)
        if bound is not None and a > 0:
            room = 0.9 * bound * seg_lr.view((-1,) + (1,) * x0.dim()) - (df * d).abs()
            db = (a * (bridge[1:] - bridge[:-1])).abs()
            ratio = torch.where(db > 0, room.clamp(min=0) / db.clamp(min=1e-300), torch.full_like(db, float("inf")))
            c = ratio.min(0).values.clamp(max=1.0)
        path = x0 + f.view((-1,) + (1,) * x0.dim()) * d + c * a * bridge
        path[0], path[-1] = x0, sT[k].double()
        for i, s in enumerate(steps):
            out[s][k] = path[i].to(s0[k].dtype)
        assert path.shape == shape
    return out


SPACING_STEPS = {1: 100, 10: 300, 50: 500, 200: 1000}


def grid(quick):
    """The calibration grid: (name, spec, honest). Schedules, warmup and init schemes rotate over the runs."""
    runs, i = [], 0
    scheds, inits = ["cosine", "constant", "linear", "wsd"], ["std002", "fanin", "trunc", "zero_out"]
    lrs = {"adamw": [1e-5, 1e-4, 1e-3, 1e-2], "adam": [1e-5, 1e-4, 1e-3, 1e-2], "sgdm": [1e-3, 1e-2, 1e-1]}
    for family in ["mlp", "attn"]:
        for opt in ["adamw", "adam", "sgdm"]:
            for lr in lrs[opt]:
                for every in [1, 10, 50, 200]:
                    for dtype in ["F32", "BF16"]:
                        if every == 200 and dtype == "BF16":
                            continue
                        spec = {"family": family, "opt": opt, "lr": lr, "sched": scheds[i % 4], "warmup": [0, 20][(i // 4) % 2],
                                "steps": SPACING_STEPS[every], "every": every, "dtype": dtype, "init": inits[(i // 2) % 4], "seed": 100 + i}
                        runs.append(("h%03d-%s-%s-lr%g-e%d-%s" % (i, family, opt, lr, every, dtype), spec, True))
                        i += 1
    j = 0
    for c in ["derived", "mixed", "straight", "straight_noise", "cumlr", "spliced"]:
        for family in ["mlp", "attn"]:
            for opt in ["adamw", "sgdm"]:
                for dtype in ["F32", "BF16"]:
                    lr = 1e-3 if opt == "adamw" else 1e-2
                    spec = {"family": family, "opt": opt, "lr": lr, "sched": scheds[j % 4], "warmup": 20, "steps": 300, "every": 10,
                            "dtype": dtype, "init": "std002", "seed": 900 + j, "construction": c}
                    runs.append(("d%03d-%s-%s-%s-%s" % (j, c, family, opt, dtype), spec, False))
                    j += 1
    if not quick:
        runs += grid2(len([r for r in runs if r[2]]), j)
    if quick:
        keep = {"h001-mlp-adamw-lr1e-05-e1-BF16", "h009-mlp-adamw-lr0.0001-e10-F32", "h063-mlp-sgdm-lr0.01-e1-F32",
                "h078-attn-adamw-lr1e-05-e1-BF16", "h003-mlp-adamw-lr1e-05-e10-BF16"}
        runs = [r for r in runs if r[0] in keep or (not r[2] and r[1]["family"] == "mlp" and r[1]["opt"] == "adamw" and r[1]["dtype"] == "F32")]
        runs += [r for r in grid2(len([r for r in runs if r[2]]), j) if r[0] == "d084-walk-mlp-adamw-F32"]
    return runs


def grid2(i, j):
    """Runs added after the first 202 (names and specs of those are frozen: their trained files are cached and
    reused): Lion and Adafactor, runs of 200 steps with a checkpoint every step, long runs of 2,000-5,000 steps
    (checkpoints every 200, F32 and BF16), and the dishonest constructions on the new optimizers plus a
    hidden-unit permutation of pretrained weights. Honest runs are numbered on from i, dishonest from j."""
    runs = []
    scheds, inits = ["cosine", "constant", "linear", "wsd"], ["std002", "fanin", "trunc", "zero_out"]
    steps_at = {1: 200, 10: 300, 50: 500}
    k = 0

    def honest(family, opt, lr, every, dtype, steps):
        nonlocal i, k
        spec = {"family": family, "opt": opt, "lr": lr, "sched": scheds[k % 4], "warmup": [0, 20][(k // 4) % 2],
                "steps": steps, "every": every, "dtype": dtype, "init": inits[(k // 2 + k // 8) % 4],
                "seed": 100 + i}
        runs.append(("h%03d-%s-%s-lr%g-e%d-%s" % (i, family, opt, lr, every, dtype) + ("-s%d" % steps if steps >= 2000 else ""), spec, True))
        i += 1
        k += 1

    for family in ["mlp", "attn"]:
        for opt, lrs in [("lion", [1e-5, 1e-4, 1e-3]), ("adafactor", [1e-3, 1e-2])]:
            for lr in lrs:
                for every in [1, 10, 50]:
                    for dtype in ["F32", "BF16"]:
                        honest(family, opt, lr, every, dtype, steps_at[every])
    for family, opt, lr, dtype, steps in [("mlp", "adamw", 1e-3, "F32", 2000), ("mlp", "adamw", 1e-4, "BF16", 5000),
                                          ("attn", "adamw", 1e-3, "BF16", 2000), ("mlp", "sgdm", 1e-2, "F32", 5000),
                                          ("mlp", "lion", 1e-4, "BF16", 2000), ("attn", "adam", 1e-3, "F32", 2000),
                                          ("mlp", "adafactor", 1e-2, "BF16", 2000), ("attn", "lion", 1e-4, "F32", 2000)]:
        honest(family, opt, lr, 200, dtype, steps)
    for c in ["derived", "mixed", "straight", "straight_noise", "cumlr", "spliced"]:
        for family in ["mlp", "attn"]:
            for opt in ["lion", "adafactor"]:
                dtype = ["F32", "BF16"][j % 2]
                spec = {"family": family, "opt": opt, "lr": 1e-4 if opt == "lion" else 1e-2, "sched": scheds[j % 4], "warmup": 20,
                        "steps": 300, "every": 10, "dtype": dtype, "init": inits[j % 4], "seed": 900 + j, "construction": c}
                runs.append(("d%03d-%s-%s-%s-%s" % (j, c, family, opt, dtype), spec, False))
                j += 1
    for family in ["mlp", "attn"]:
        for opt in ["adamw", "sgdm", "lion"]:
            for dtype in ["F32", "BF16"]:
                lr = {"adamw": 1e-3, "sgdm": 1e-2, "lion": 1e-4}[opt]
                spec = {"family": family, "opt": opt, "lr": lr, "sched": scheds[j % 4], "warmup": 20, "steps": 300, "every": 10,
                        "dtype": dtype, "init": "std002", "seed": 900 + j, "construction": "permuted"}
                runs.append(("d%03d-permuted-%s-%s-%s" % (j, family, opt, dtype), spec, False))
                j += 1
    # The smooth random-walk forger (issue 13): every optimizer, both families, F32 and BF16.
    for family in ["mlp", "attn"]:
        for opt in ["adamw", "sgdm", "lion", "adafactor"]:
            for dtype in ["F32", "BF16"]:
                lr = {"adamw": 1e-3, "sgdm": 1e-2, "lion": 1e-4, "adafactor": 1e-2}[opt]
                spec = {"family": family, "opt": opt, "lr": lr, "sched": scheds[j % 4], "warmup": 20, "steps": 300, "every": 10,
                        "dtype": dtype, "init": inits[j % 4], "seed": 900 + j, "construction": "walk"}
                runs.append(("d%03d-walk-%s-%s-%s" % (j, family, opt, dtype), spec, False))
                j += 1
    return runs


def permute_hidden(family, state, seed):
    """The function-preserving symmetry of a trained network: permutes the hidden units of its MLP block."""
    g = torch.Generator().manual_seed(seed + 31)
    st = {k: v.clone() for k, v in state.items()}
    hidden, out_w = ("fc1", "head") if family == "mlp" else ("fc1", "fc2")
    n = st[hidden + ".weight"].shape[0]
    perm = torch.randperm(n, generator=g)
    st[hidden + ".weight"] = st[hidden + ".weight"][perm]
    st[hidden + ".bias"] = st[hidden + ".bias"][perm]
    if family == "mlp":
        st["ln.weight"], st["ln.bias"] = st["ln.weight"][perm], st["ln.bias"][perm]
    st[out_w + ".weight"] = st[out_w + ".weight"][:, perm]
    return st


def main():
    torch.set_num_threads(1)
    if sys.argv[1] == "--grid":
        root = sys.argv[2]
        runs = grid(len(sys.argv) > 3 and sys.argv[3] == "quick")
        os.makedirs(root, exist_ok=True)
        with open(os.path.join(root, "runs.jsonl"), "w") as f:
            for name, spec, honest in runs:
                f.write(json.dumps({"name": name, "spec": spec, "honest": honest}) + "\n")
        for name, spec, honest in runs:
            out = os.path.join(root, name)
            if not os.path.exists(os.path.join(out, "run-config.json")):
                run(spec, out)
            print("done", name, flush=True)
        return
    if sys.argv[1] == "--jobs":
        with open(sys.argv[2]) as f:
            for line in f:
                if line.strip():
                    job = json.loads(line)
                    if not os.path.exists(os.path.join(job["out"], "run-config.json")):
                        run(job["spec"], job["out"])
                    print("done", job["out"], flush=True)
    else:
        run(json.loads(sys.argv[1]), sys.argv[2])


def run(spec, out):
    os.makedirs(out, exist_ok=True)
    seed, c = spec["seed"], spec.get("construction", "honest")
    if c in ("derived", "mixed", "permuted"):
        _, donor, _ = train(dict(spec, lr=max(spec["lr"], 3e-3), opt="adamw", sched="constant"), seed + 500,
                            keep=lambda t: t == spec["steps"])
        pre = donor[spec["steps"]]
        if c == "permuted":
            pre = permute_hidden(spec["family"], pre, seed)
        torch.manual_seed(seed)
        fresh = make_model(spec["family"])
        rules = init_rules(fresh, spec["init"])
        fs = fresh.state_dict()
        start = {}
        for k, v in pre.items():
            f = fs[k]
            if f.dim() < 2 or float(f.std()) == 0:
                start[k] = f.clone()  # gains/biases as claimed (the disguise a careful forger applies)
            elif c in ("derived", "permuted"):
                start[k] = v * (float(f.std()) / float(v.std()))
            else:
                start[k] = 0.6 * v * (float(f.std()) / float(v.std())) + 0.8 * f
        _, states, log = train(spec, seed, start_state=start)
    elif c == "spliced":
        rules, a, log_a = train(spec, seed)
        _, b, log_b = train(spec, seed + 777)
        half = spec["steps"] // 2
        states = {s: (a[s] if s <= half else b[s]) for s in a}
        log = log_a[:half] + log_b[half:]
    else:
        rules, states, log = train(spec, seed)
        if c == "walk":
            states = walk_path(states, spec, seed)
        elif c in ("straight", "straight_noise", "cumlr"):
            steps = sorted(states)
            T = steps[-1]
            if c == "cumlr":
                cum = np.concatenate([[0.0], np.cumsum([lr_at(spec, t) for t in range(T)])])
                fr = {s: cum[s] / cum[T] for s in steps}
            else:
                fr = {s: s / T for s in steps}
            states = interpolate(states, fr, 0.0 if c == "straight" else (0.1 if c == "straight_noise" else 0.02), seed)
    for s, st in states.items():
        write_safetensors(os.path.join(out, "step-%d.safetensors" % s), st, spec["dtype"], s)
    with open(os.path.join(out, "log.jsonl"), "w") as f:
        for r in log:
            f.write(json.dumps(r) + "\n")
    opt = {"adamw": {"name": "adamw", "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.1,
                     "no_decay": ["*.bias", "ln*.weight", "*.ln*.weight", "lnf.weight"]},
           "adam": {"name": "adam", "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0},
           "sgdm": {"name": "sgd", "momentum": 0.9, "weight_decay": 0.0},
           "lion": {"name": "lion", "betas": [0.9, 0.99], "weight_decay": 0.1,
                    "no_decay": ["*.bias", "ln*.weight", "*.ln*.weight", "lnf.weight"]},
           "adafactor": {"name": "adafactor", "weight_decay": 0.0}}[spec["opt"]]
    cfg = {"vocab_size": V, "loss_units": "nats", "optimizer": opt,
           "lr_schedule": {"shape": spec["sched"], "peak_lr": spec["lr"], "min_lr": spec["lr"] * 0.1,
                           "warmup_steps": spec.get("warmup", 0), "total_steps": spec["steps"]},
           "grad_clip": 1.0, "batch_size": 16, "init": rules, "checkpoint_dtype": spec["dtype"],
           "claimed": {"from_scratch": True}}
    with open(os.path.join(out, "run-config.json"), "w") as f:
        json.dump(cfg, f, indent=1)


if __name__ == "__main__":
    main()
