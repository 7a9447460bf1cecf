"""A transformers TrainerCallback that records a Trainer run into a trainproof ledger.

    from trainproof.hf import TrainproofCallback
    trainer = Trainer(model, args, ..., callbacks=[TrainproofCallback(key="lab.key", origin="example.com/runs/7")])

The ledger is OUTPUT_DIR/ledger.db unless `ledger=` is given; the run config comes from the
TrainingArguments (run_config_from_args) and the live model; the step-0 weights are written as
step-0.safetensors beside the ledger at on_train_begin; every `on_log` record goes into the ledger's
JSONL log; every `on_save` records OUTPUT_DIR/checkpoint-N/ with the log so far; `on_train_end` closes
the recorder. Only the main process (state.is_world_process_zero) records.

Importable without transformers: it then implements the TrainerCallback hooks by duck typing.
"""
import os

from .recorder import Recorder

try:  # pragma: no cover - depends on the environment
    from transformers import TrainerCallback as _Base
except Exception:  # transformers absent (or broken): same hooks, no base class
    _Base = object

HOOKS = ("on_init_end", "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_step_begin",
         "on_pre_optimizer_step", "on_optimizer_step", "on_substep_end", "on_step_end", "on_evaluate",
         "on_predict", "on_save", "on_log", "on_prediction_step", "on_push_begin")

# HF lr_scheduler_type -> (run-config shape, ends at min_lr 0)
_SHAPES = {"linear": "linear", "cosine": "cosine", "constant": "constant", "constant_with_warmup": "constant",
           "cosine_with_min_lr": "cosine", "warmup_stable_decay": "wsd"}
# Summary keys of the final on_log (means over the run, not values at that step)
_SUMMARY = ("train_runtime", "train_samples_per_second", "train_steps_per_second", "total_flos", "train_loss")


def _get(obj, name, default=None):
    v = getattr(obj, name, default)
    return default if v is None else v


def run_config_from_args(args, max_steps=None, world_size=None):
    """Run-config claims from a transformers TrainingArguments (or any object with its attributes).
    `max_steps` overrides args.max_steps (the Trainer computes it when args.max_steps <= 0)."""
    cfg = {"loss_units": "nats"}
    optim = str(getattr(_get(args, "optim", ""), "value", _get(args, "optim", ""))).lower()
    name = "adamw" if optim.startswith("adamw") or optim == "" else "adafactor" if "adafactor" in optim else \
        "sgd" if optim.startswith("sgd") else "lion" if "lion" in optim else optim
    opt = {"name": name}
    if name == "adamw":
        b1, b2 = _get(args, "adam_beta1"), _get(args, "adam_beta2")
        if b1 is not None and b2 is not None:
            opt["betas"] = [float(b1), float(b2)]
        if _get(args, "adam_epsilon") is not None:
            opt["eps"] = float(args.adam_epsilon)
    if _get(args, "weight_decay") is not None:
        opt["weight_decay"] = float(args.weight_decay)
    cfg["optimizer"] = opt
    steps = max_steps if max_steps is not None else _get(args, "max_steps", -1)
    steps = int(steps) if steps is not None and int(steps) > 0 else None
    sched_type = str(getattr(_get(args, "lr_scheduler_type", ""), "value", _get(args, "lr_scheduler_type", ""))).lower()
    lr = _get(args, "learning_rate")
    if lr is not None:
        sched = {"peak_lr": float(lr)}
        if sched_type in _SHAPES:
            sched["shape"] = _SHAPES[sched_type]
            # transformers 5: warmup_steps is a float, a ratio of the total steps when below 1 (warmup_ratio is
            # gone); 4.x: an int, with warmup_ratio used when it is 0. As TrainingArguments.get_warmup_steps.
            ws = float(_get(args, "warmup_steps", 0) or 0)
            ratio = ws if 0 < ws < 1 else float(_get(args, "warmup_ratio", 0.0) or 0.0)
            warm = int(ws) if ws >= 1 else 0
            if warm <= 0 and ratio > 0:
                if steps:
                    warm = int(-(-ratio * steps // 1))  # math.ceil
                else:
                    warm = None  # a ratio of a total the Trainer has not computed: not claimed
            if warm is not None:
                sched["warmup_steps"] = warm
            if sched["shape"] != "constant":
                kw = _get(args, "lr_scheduler_kwargs", {}) or {}
                min_lr = kw.get("min_lr") if isinstance(kw, dict) else None
                if min_lr is None and isinstance(kw, dict) and kw.get("min_lr_rate") is not None:
                    min_lr = float(lr) * float(kw["min_lr_rate"])
                if min_lr is None and sched_type in ("linear", "cosine"):
                    min_lr = 0.0
                if min_lr is not None:
                    sched["min_lr"] = float(min_lr)
            if steps:
                sched["total_steps"] = steps
        cfg["lr_schedule"] = sched
    per_dev = _get(args, "per_device_train_batch_size")
    if per_dev is not None:
        ws = world_size if world_size is not None else int(_get(args, "world_size", 1) or 1)
        cfg["batch_size"] = int(per_dev) * int(_get(args, "gradient_accumulation_steps", 1) or 1) * ws
    clip = _get(args, "max_grad_norm")
    if clip is not None and float(clip) > 0:
        cfg["grad_clip"] = float(clip)
    if _get(args, "seed") is not None:
        cfg["seed"] = int(args.seed)
    precision = "bf16" if _get(args, "bf16", False) else "fp16" if _get(args, "fp16", False) else None
    if precision:
        cfg["hardware"] = {"precision": precision}
    return cfg


def no_decay_names(model):
    """The parameters HF Trainer's default optimizer does not decay (Trainer.get_decay_parameter_names):
    those of LayerNorm modules and any whose name contains "bias"; newer versions also exempt names
    matching layernorm/rmsnorm/norm patterns, which are included here too."""
    import re
    import torch.nn as nn
    pat = re.compile(r"bias|layernorm|rmsnorm|(?:^|\.)norm(?:$|\.)|_norm(?:$|\.)")
    norms = tuple(t for t in (getattr(nn, n, None) for n in ("LayerNorm", "RMSNorm")) if t)
    out = []
    for mname, mod in model.named_modules():
        for pname, _ in mod.named_parameters(recurse=False):
            full = (mname + "." if mname else "") + pname
            if isinstance(mod, norms) or "LayerNorm" in type(mod).__name__ or "RMSNorm" in type(mod).__name__ \
                    or pat.search(full.lower()):
                out.append(full)
    return out


class TrainproofCallback(_Base):
    """Records a transformers Trainer run (see the module docstring). `run_config` keys override what is
    derived; `vocab_size` defaults to model.config.vocab_size; other keyword arguments go to Recorder."""

    def __init__(self, key, ledger=None, origin=None, run_config=None, vocab_size=None, seq_len=None,
                 save_step0=True, **recorder_kwargs):
        self.key = key
        self.ledger = ledger
        self.origin = origin
        self.run_config = dict(run_config or {})
        self.vocab_size = vocab_size
        self.seq_len = seq_len
        self.save_step0 = save_step0
        self.recorder_kwargs = recorder_kwargs
        self.recorder = None

    # --- hooks used ---

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if not _get(state, "is_world_process_zero", True) or self.recorder is not None:
            return control
        ledger = self.ledger or os.path.join(args.output_dir, "ledger.db")
        fresh = not os.path.exists(ledger)
        cfg = run_config_from_args(args, max_steps=_get(state, "max_steps"))
        vocab = self.vocab_size or _get(_get(model, "config", None), "vocab_size")
        if vocab:
            cfg["vocab_size"] = int(vocab)
        if self.seq_len:
            cfg["seq_len"] = int(self.seq_len)
        if model is not None and hasattr(model, "named_parameters"):
            from .torchconfig import init_claims
            if "weight_decay" in cfg["optimizer"]:
                cfg["optimizer"]["no_decay"] = no_decay_names(model)
            cfg["model"] = {"class": type(model).__name__,
                            "parameters": int(sum(p.numel() for _, p in model.named_parameters()))}
            if int(_get(state, "global_step", 0)) == 0:
                claims = init_claims(model)
                if claims:
                    cfg["init"] = claims
        cfg.update(self.run_config)
        self.derived_run_config = cfg
        origin = self.origin or "trainproof.local/" + os.path.basename(os.path.abspath(args.output_dir))
        self.recorder = Recorder(ledger, self.key, run_config=cfg if fresh else None, origin=origin, **self.recorder_kwargs)
        if self.save_step0 and fresh and model is not None and int(_get(state, "global_step", 0)) == 0:
            self.recorder.checkpoint(0, model)
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.recorder is None or not logs:
            return control
        if any(k in logs for k in _SUMMARY[:4]):
            return control  # the end-of-training summary: run averages, not values at this step
        metrics = {k: v for k, v in logs.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        if metrics:
            self.recorder.log(int(state.global_step), **metrics)
        return control

    def on_save(self, args, state, control, **kwargs):
        if self.recorder is None:
            return control
        step = int(state.global_step)
        path = os.path.join(args.output_dir, "checkpoint-%d" % step)
        if os.path.isdir(path):
            self.recorder.record_checkpoint(step, path)
        return control

    def on_train_end(self, args, state, control, **kwargs):
        if self.recorder is not None:
            rec, self.recorder = self.recorder, None
            rec.close()
        return control


def _noop(self, args, state, control, **kwargs):
    return control


for _h in HOOKS:  # every other hook of the protocol: does nothing (TrainerCallback's behaviour)
    if not hasattr(TrainproofCallback, _h):
        setattr(TrainproofCallback, _h, _noop)
