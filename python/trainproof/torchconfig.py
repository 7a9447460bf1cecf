"""Run-config claims (schemas/run-config.schema.json) read from live PyTorch objects.

Only what the objects state is claimed: the optimizer's class and hyper-parameters, the LR schedule
traced by stepping a copy of the scheduler on a one-parameter stand-in optimizer, the parameter count,
and init claims for tensors that still hold their module's PyTorch default initialisation (checked on
the values, see init_claims). Anything that cannot be read is left out, never guessed.
"""
import copy
import math
import warnings

_OPTIMIZERS = {"AdamW": "adamw", "Adam": "adam", "SGD": "sgd", "Adagrad": "adagrad", "RMSprop": "rmsprop",
               "Adafactor": "adafactor", "Lion": "lion", "Muon": "muon", "NAdam": "nadam", "RAdam": "radam"}


def run_config(model, optimizer=None, scheduler=None, total_steps=None, vocab_size=None, batch_size=None,
               seq_len=None, seed=None, init=None):
    cfg = {}
    if vocab_size is not None:
        cfg["vocab_size"] = int(vocab_size)
    cfg["loss_units"] = "nats"
    params = list(model.named_parameters()) if model is not None else []
    if params:
        cfg["model"] = {"class": type(model).__name__, "parameters": int(sum(p.numel() for _, p in params))}
    if optimizer is not None:
        cfg["optimizer"] = optimizer_claims(optimizer, params)
    if optimizer is not None and scheduler is not None:
        sched = schedule_claims(optimizer, scheduler, total_steps)
        if sched:
            cfg["lr_schedule"] = sched
    elif optimizer is not None and optimizer.param_groups:
        lr = optimizer.param_groups[0].get("lr")
        if isinstance(lr, (int, float)):
            cfg["lr_schedule"] = {"shape": "constant", "peak_lr": float(lr)}
            if total_steps is not None:
                cfg["lr_schedule"]["total_steps"] = int(total_steps)
    if batch_size is not None:
        cfg["batch_size"] = int(batch_size)
    if seq_len is not None:
        cfg["seq_len"] = int(seq_len)
    if seed is not None:
        cfg["seed"] = int(seed) if abs(int(seed)) < 2 ** 53 else str(seed)
    claims = init if init is not None else (init_claims(model) if model is not None else [])
    if claims:
        cfg["init"] = claims
    return cfg


def optimizer_claims(optimizer, named_params=()):
    name = type(optimizer).__name__
    out = {"name": _OPTIMIZERS.get(name, name.lower())}
    groups = optimizer.param_groups
    if not groups:
        return out
    g = groups[0]
    if "betas" in g and len(g["betas"]) == 2:
        out["betas"] = [float(g["betas"][0]), float(g["betas"][1])]
    if isinstance(g.get("eps"), (int, float)):
        out["eps"] = float(g["eps"])
    decays = [float(x.get("weight_decay", 0.0)) for x in groups]
    wd = max(decays)
    out["weight_decay"] = wd
    if wd > 0 and len(set(decays)) > 1:
        by_id = {id(p): n for n, p in named_params}
        no_decay = [by_id[id(p)] for x in groups if float(x.get("weight_decay", 0.0)) == 0.0
                    for p in x["params"] if id(p) in by_id]
        out["no_decay"] = no_decay
        if len(set(d for d in decays if d > 0)) > 1:
            warnings.warn("trainproof: parameter groups use several non-zero weight decays %s; "
                          "weight_decay claims the largest" % sorted(set(decays)))
    return out


def trace_lr(optimizer, scheduler, steps):
    """The LR of param group 0 at steps 0..steps, from a copy of `scheduler` stepped on a stand-in
    optimizer (the real optimizer and scheduler are not touched)."""
    import torch
    groups = []
    for g in optimizer.param_groups:
        h = {k: v for k, v in g.items() if k != "params"}
        h["params"] = [torch.zeros(1, requires_grad=True)]
        groups.append(h)
    stand_in = torch.optim.SGD(groups, lr=groups[0].get("lr", 0.0))
    stand_in.param_groups[:] = []
    for h in groups:
        stand_in.param_groups.append(h)
    s = copy.deepcopy(scheduler, memo={id(optimizer): stand_in})
    lrs = [float(stand_in.param_groups[0]["lr"])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(steps):
            stand_in.step()
            s.step()
            lrs.append(float(stand_in.param_groups[0]["lr"]))
    return lrs


def classify_schedule(lrs, tol=1e-3):
    """{shape, peak_lr, min_lr, warmup_steps, total_steps} when the traced LRs (steps 0..n) follow a
    linear warmup (lr_t = peak*t/W as HF's get_*_schedule_with_warmup, or peak*(t+1)/W) and then, from
    step W, a cosine, linear or constant curve over the remaining n-W steps (the model of
    org.trainproof.analysis.LrScheduleModel), within `tol` of the peak; else {peak_lr} only."""
    n = len(lrs) - 1
    peak = max(lrs)
    if peak <= 0:
        return {}
    first = lrs.index(peak)
    out = {"peak_lr": peak}
    for w in (first, first + 1):
        if w > n:
            continue
        if not all(abs(lrs[s] - peak * s / w) <= tol * peak for s in range(w)) and \
                not all(abs(lrs[s] - peak * (s + 1) / w) <= tol * peak for s in range(w)):
            continue
        tail = lrs[w:]
        lo = min(tail)
        span = max(1, n - w)

        def fits(f):
            return all(abs(tail[i] - f(i)) <= tol * peak for i in range(len(tail)))

        shape = None
        if fits(lambda i: peak):
            shape = "constant"
        elif fits(lambda i: lo + (peak - lo) * 0.5 * (1 + math.cos(math.pi * i / span))):
            shape = "cosine"
        elif fits(lambda i: peak - (peak - lo) * i / span):
            shape = "linear"
        if shape is not None:
            out.update({"shape": shape, "warmup_steps": w, "total_steps": n})
            if shape != "constant":
                out["min_lr"] = lo
            return out
    return out


def schedule_claims(optimizer, scheduler, total_steps=None):
    if total_steps is None:
        total_steps = getattr(scheduler, "T_max", None) or getattr(scheduler, "total_steps", None)
    if total_steps is None:
        warnings.warn("trainproof: total_steps not given; the LR schedule is not claimed (pass total_steps=)")
        return {}
    try:
        lrs = trace_lr(optimizer, scheduler, int(total_steps))
    except Exception as e:  # a scheduler that cannot be copied: claim nothing rather than guess
        warnings.warn("trainproof: could not trace the LR schedule (%s); it is not claimed" % e)
        return {}
    out = classify_schedule(lrs)
    if "shape" not in out:
        warnings.warn("trainproof: the LR schedule is neither warmup+cosine, linear nor constant; only peak_lr is claimed")
    return out


def init_claims(model, tol=0.1):
    """Init claims for the tensors that still look like PyTorch's default initialisation of their
    module: nn.Linear/Conv weight and bias U(±1/sqrt(fan_in)), nn.Embedding N(0, 1), norm-layer weight
    1 and bias 0. A tensor whose values do not fit (sample std outside ±`tol` of the expected, or a value
    outside the uniform bound) was re-initialised by the model's code and gets no claim: pass init=."""
    import torch.nn as nn
    claims = []
    for mname, mod in model.named_modules():
        prefix = mname + "." if mname else ""
        for pname, p in mod.named_parameters(recurse=False):
            full = prefix + pname
            c = _default_claim(mod, pname, p, nn)
            if c is not None and _fits(p, c, tol):
                claims.append(dict(c, pattern=full))
    return [dict(pattern=c.pop("pattern"), **c) for c in claims]


def _default_claim(mod, pname, p, nn):
    norms = tuple(t for t in (getattr(nn, n, None) for n in ("LayerNorm", "RMSNorm", "BatchNorm1d", "BatchNorm2d", "GroupNorm")) if t)
    if isinstance(mod, norms):
        return {"distribution": "ones"} if pname == "weight" else {"distribution": "zeros"} if pname == "bias" else None
    if isinstance(mod, nn.Embedding) and pname == "weight":
        return {"distribution": "normal", "std": 1.0}
    if isinstance(mod, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)) and pname in ("weight", "bias"):
        w = mod.weight
        fan_in = w.shape[1] * (w[0][0].numel() if w.dim() > 2 else 1)
        if fan_in <= 0:
            return None
        return {"distribution": "uniform", "bound": 1.0 / math.sqrt(fan_in)}
    return None


def _fits(p, c, tol):
    t = p.detach().float().cpu().reshape(-1)
    n = t.numel()
    if n == 0:
        return False
    d = c["distribution"]
    if d == "ones":
        return bool((t == 1).all())
    if d == "zeros":
        return bool((t == 0).all())
    if n < 100:
        return False  # too few values to tell the default from a re-initialisation
    std = float(t.std())
    if d == "uniform":
        b = c["bound"]
        return float(t.abs().max()) <= b and abs(std - b / math.sqrt(3)) <= tol * b / math.sqrt(3)
    if d == "normal":
        return abs(std - c["std"]) <= tol * c["std"] and abs(float(t.mean())) <= 5 * c["std"] / math.sqrt(n)
    return False
