"""Recorder: a dedicated JSONL training log and safetensors checkpoints, recorded into a trainproof
ledger by a background thread that runs the Java tool (`record`), so the training step never waits
for hashing or signing."""
import atexit
import json
import math
import numbers
import os
import queue
import tempfile
import threading
import time
import warnings
import weakref

from . import safetensors
from ._cli import Cli, TrainproofError

LOG_NAME = "trainproof-log.jsonl"
CHECKPOINT_NAME = "step-{step}.safetensors"

_open_recorders = weakref.WeakSet()


@atexit.register
def _close_open_recorders():
    # A script that forgets close() still gets its buffered records recorded at interpreter exit.
    for r in list(_open_recorders):
        try:
            r.close()
        except Exception as e:  # at exit there is nobody left to raise to
            warnings.warn("trainproof: recording at exit failed: %s" % e)


class Recorder(object):
    """Records a training run into the ledger `ledger`, signing with the private key `key`.

    The ledger is created on first use (`trainproof init`, with `run_config` as its genesis claims and
    `origin` as its identity); on an existing ledger `run_config` and `origin` are not used. Checkpoints
    and the log are written into the ledger's folder by default (`checkpoint_dir=`, `log_path=`
    override), so `trainproof verify LEDGER --artifacts <ledger's folder>` re-reads everything.

    log() and checkpoint() only queue work; a background thread writes the log lines, writes the
    checkpoint files and runs `trainproof record`. A failure there is raised (TrainproofError) by the
    next call to any method; the recorder then records nothing more. checkpoint() waits only when
    `max_pending_checkpoints` snapshots are already queued (memory bound).
    """

    def __init__(self, ledger, key, run_config=None, origin=None, checkpoint_dir=None, log_path=None,
                 jar=None, java=None, passphrase_env=None, flush_records=1000, flush_seconds=60.0,
                 max_pending_checkpoints=2, checkpoint_name=CHECKPOINT_NAME, resume_from=None, serve=True):
        self.ledger = os.path.abspath(ledger)
        self.folder = os.path.dirname(self.ledger)
        self.key = os.path.abspath(key)
        self.checkpoint_dir = os.path.abspath(checkpoint_dir) if checkpoint_dir else self.folder
        self.log_path = os.path.abspath(log_path) if log_path else os.path.join(self.folder, LOG_NAME)
        self.checkpoint_name = checkpoint_name
        self.flush_records = int(flush_records)
        self.flush_seconds = float(flush_seconds)
        self._key_args = ["--key", self.key] + (["--passphrase-env", passphrase_env] if passphrase_env else [])
        self._cli = Cli(jar=jar, java=java)
        # serve=True: one `trainproof record LEDGER --serve` process for this recorder, started at the first
        # record and kept alive (one JVM start instead of one per flush); serve=False: one `record` per flush.
        self._serve = bool(serve)
        self._server = None
        self.stats = {"log_calls": 0, "checkpoints": 0, "record_calls": 0, "record_seconds": 0.0, "write_seconds": 0.0}
        self._last_checkpoint_step = None
        # resume_from=R: this process restarted from the ledger's checkpoint at step R; the first checkpoint
        # it records carries the claim (record --resume R), so steps already passed by the abandoned
        # attempt are accepted and verify orders the trajectory by the claim.
        self._resume_from = None if resume_from is None else _step(resume_from)
        self._last_step = None
        self._error = None
        self._closed = False
        self._queue = queue.Queue()
        self._slots = threading.BoundedSemaphore(max(1, int(max_pending_checkpoints)))
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        if not os.path.exists(self.ledger):
            self._init_ledger(run_config, origin)
        elif run_config is not None:
            warnings.warn("trainproof: %s exists; its run config (genesis entry) is kept, run_config= is not used" % self.ledger)
        self._thread = threading.Thread(target=self._work, name="trainproof-recorder", daemon=True)
        self._thread.start()
        _open_recorders.add(self)

    # ---- public API (training thread) ----

    def log(self, step, **metrics):
        """Queues one log record {"step": step, **metrics, "wall_time": now}. Values must be numbers."""
        self._check()
        if self._closed:
            raise TrainproofError("recorder is closed")
        step = _step(step)
        rec = {"step": step}
        for k, v in metrics.items():
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                v = _scalar(v, k)
            rec[k] = v
        rec["wall_time"] = time.time()
        self._last_step = step if self._last_step is None else max(self._last_step, step)
        self.stats["log_calls"] += 1
        self._queue.put(("log", rec))

    def checkpoint(self, step, model_or_state_dict, metadata=None):
        """Snapshots the weights (torch tensors are cloned to CPU here; nothing else happens in this
        thread), then in the background writes CHECKPOINT_DIR/step-N.safetensors and records it together
        with the log records queued so far. Steps must increase."""
        self._check()
        step = self._next_checkpoint_step(step)
        state = model_or_state_dict.state_dict() if hasattr(model_or_state_dict, "state_dict") else model_or_state_dict
        if not hasattr(state, "items"):
            raise TypeError("checkpoint(): expected a model with state_dict() or a mapping name -> tensor, got %s"
                            % type(model_or_state_dict).__name__)
        snap = {}
        seen = {}
        for name, value in state.items():
            ident = id(value)
            if ident in seen:  # tied weights: safetensors stores each name; the copy is shared
                snap[name] = snap[seen[ident]]
                continue
            seen[ident] = name
            snap[name] = safetensors.snapshot(value, name)
        self._slots.acquire()
        self._check_after_wait()
        self.stats["checkpoints"] += 1
        self._queue.put(("ckpt", step, snap, dict(metadata or {})))

    def record_checkpoint(self, step, path):
        """Records a checkpoint file or directory that already exists (e.g. an HF `checkpoint-N/`), with
        the log records queued so far. The name stored is relative to the directory holding `path`."""
        self._check()
        step = self._next_checkpoint_step(step)
        if not os.path.exists(path):
            raise FileNotFoundError(path)
        self._slots.acquire()
        self._check_after_wait()
        self.stats["checkpoints"] += 1
        self._queue.put(("path", step, os.path.abspath(path)))

    def event(self, step, text):
        """Records an `event` entry (resume, restart, config change, note) after the queued records."""
        self._check()
        self._queue.put(("event", _step(step), str(text)))

    def flush(self):
        """Waits until everything queued so far is written and recorded; raises a background failure."""
        self._check()
        done = threading.Event()
        self._queue.put(("flush", done))
        done.wait()
        self._check()

    def close(self, end=False):
        """Records what is queued, then stops the background thread. `end=True` also appends the ledger's
        `end` entry (nothing can be recorded after it). Raises a background failure."""
        if self._closed:
            self._check()
            return
        self._closed = True
        _open_recorders.discard(self)
        self._queue.put(("close", bool(end)))
        self._thread.join()
        self._check()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            try:
                self.close()
            except TrainproofError as e:
                warnings.warn("trainproof: %s" % e)
        return False

    @classmethod
    def from_torch(cls, model, optimizer, scheduler=None, ledger=None, key=None, run_config=None,
                   total_steps=None, vocab_size=None, batch_size=None, seq_len=None, seed=None, init=None,
                   save_step0=True, **kwargs):
        """A Recorder whose run config is filled from the live model, optimizer and scheduler (see
        trainproof.torchconfig.run_config; keys in `run_config` override what was derived), with the
        step-0 checkpoint saved before the first step (unless the ledger already exists)."""
        from .torchconfig import run_config as derive
        if ledger is None or key is None:
            raise TypeError("from_torch needs ledger= and key=")
        fresh = not os.path.exists(ledger)
        cfg = derive(model, optimizer, scheduler, total_steps=total_steps, vocab_size=vocab_size,
                     batch_size=batch_size, seq_len=seq_len, seed=seed, init=init)
        for k, v in (run_config or {}).items():
            cfg[k] = v
        rec = cls(ledger, key, run_config=cfg if fresh else None, **kwargs)
        rec.derived_run_config = cfg
        if save_step0 and fresh:
            rec.checkpoint(0, model)
        return rec

    # ---- internals ----

    def _check(self):
        if self._error is not None:
            raise TrainproofError("trainproof recording failed in the background: %s" % self._error,
                                  getattr(self._error, "exit_code", None)) from self._error

    def _check_after_wait(self):
        if self._error is not None:
            self._slots.release()
            self._check()

    def _next_checkpoint_step(self, step):
        step = _step(step)
        if self._closed:
            raise TrainproofError("recorder is closed")
        if self._last_checkpoint_step is not None and step <= self._last_checkpoint_step:
            raise ValueError("checkpoint step %d is not after the previous checkpoint (step %d)"
                             % (step, self._last_checkpoint_step))
        if self._last_checkpoint_step is None and self._resume_from is not None and step <= self._resume_from:
            raise ValueError("checkpoint step %d is not after the resumed checkpoint (step %d)" % (step, self._resume_from))
        self._last_checkpoint_step = step
        self._last_step = step if self._last_step is None else max(self._last_step, step)
        return step

    def _init_ledger(self, run_config, origin):
        if origin is None:
            raise TrainproofError("%s does not exist: creating it needs origin= (the ledger's identity, "
                                  "e.g. 'example.com/runs/42')" % self.ledger)
        os.makedirs(self.folder, exist_ok=True)
        args = ["init", self.ledger] + self._key_args + ["--origin", origin]
        tmp = None
        try:
            if run_config is not None:
                fd, tmp = tempfile.mkstemp(prefix=".run-config-", suffix=".json", dir=self.folder)
                with os.fdopen(fd, "w") as f:
                    json.dump(run_config, f, indent=2, allow_nan=False)
                args += ["--run-config", tmp]
            self._cli.run(args)
        finally:
            if tmp:
                os.unlink(tmp)

    def _rel(self, path):
        rel = os.path.relpath(path, self.folder)
        return path if rel.startswith("..") else rel

    def _record(self, args):
        t0 = time.time()
        if self._serve:
            if self._server is None:
                self._server = self._cli.serve([self.ledger] + self._key_args, cwd=self.folder)
            self._server.request(_request(args))  # returns once the entries are durable
        else:
            self._cli.run(["record", self.ledger] + self._key_args + args, cwd=self.folder)
        self.stats["record_calls"] += 1
        self.stats["record_seconds"] += time.time() - t0

    def _open_log(self):
        # A line cut off by a crash was never recorded (record skips an unterminated last line): drop it
        # so the next line does not glue onto it.
        if os.path.exists(self.log_path):
            with open(self.log_path, "rb+") as f:
                size = f.seek(0, 2)
                if size:
                    pos = size
                    while pos > 0:
                        step = min(65536, pos)
                        f.seek(pos - step)
                        chunk = f.read(step)
                        i = chunk.rfind(b"\n")
                        if i >= 0:
                            pos = pos - step + i + 1
                            break
                        pos -= step
                    if pos != size:
                        f.truncate(pos)
        else:
            os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        return open(self.log_path, "ab")

    def _work(self):
        log = None
        unrecorded = 0
        last_record = time.time()
        try:
            log = self._open_log()
            while True:
                timeout = max(0.05, self.flush_seconds - (time.time() - last_record)) if unrecorded else None
                try:
                    task = self._queue.get(timeout=timeout)
                except queue.Empty:
                    task = None
                if task is None:
                    if unrecorded:
                        log.flush()
                        self._record(["--log", self._rel(self.log_path)])
                        unrecorded, last_record = 0, time.time()
                    continue
                kind = task[0]
                if kind == "log":
                    log.write(json.dumps(task[1], separators=(",", ":")).encode("utf-8") + b"\n")
                    unrecorded += 1
                    if unrecorded >= self.flush_records and self._queue.empty():
                        log.flush()
                        self._record(["--log", self._rel(self.log_path)])
                        unrecorded, last_record = 0, time.time()
                    continue
                try:
                    if kind in ("ckpt", "path"):
                        step = task[1]
                        if kind == "ckpt":
                            t0 = time.time()
                            path = _unused(os.path.join(self.checkpoint_dir, self.checkpoint_name.format(step=step)))
                            meta = {"step": str(step)}
                            meta.update({str(k): str(v) for k, v in task[3].items()})
                            safetensors.write(path, task[2], metadata=meta)
                            self.stats["write_seconds"] += time.time() - t0
                        else:
                            path = task[2]
                        log.flush()
                        os.fsync(log.fileno())
                        resume = []
                        if self._resume_from is not None:
                            resume, self._resume_from = ["--resume", str(self._resume_from)], None
                        self._record(["--step", str(step), "--checkpoint", self._rel(path), "--log", self._rel(self.log_path)]
                                     + resume)
                        unrecorded, last_record = 0, time.time()
                    elif kind == "event":
                        log.flush()
                        self._record(["--step", str(task[1]), "--event", task[2], "--log", self._rel(self.log_path)])
                        unrecorded, last_record = 0, time.time()
                    elif kind == "flush":
                        if unrecorded:
                            log.flush()
                            self._record(["--log", self._rel(self.log_path)])
                            unrecorded, last_record = 0, time.time()
                    elif kind == "close":
                        log.flush()
                        os.fsync(log.fileno())
                        args = ["--log", self._rel(self.log_path)]
                        if task[1]:
                            args = ["--step", str(self._last_step or 0), "--end"] + args
                        if unrecorded or task[1]:
                            self._record(args)
                        if self._server is not None:
                            server, self._server = self._server, None
                            server.close()
                        return
                finally:
                    if kind in ("ckpt", "path"):
                        self._slots.release()
                    elif kind == "flush":
                        task[1].set()
        except BaseException as e:  # kept and raised in the training thread at its next call
            self._error = e
            self._fail_rest()
        finally:
            if self._server is not None:  # after a failure: end the session, the failure is what is raised
                try:
                    self._server.close()
                except Exception:
                    pass
                self._server = None
            if log is not None:
                try:
                    log.close()
                except OSError:
                    pass

    def _drain(self, task):
        if task[0] in ("ckpt", "path"):
            self._slots.release()
        elif task[0] == "flush":
            task[1].set()

    def _fail_rest(self):
        # Release everyone waiting on queued work; the error is raised at their next call.
        while True:
            try:
                task = self._queue.get_nowait()
            except queue.Empty:
                break
            self._drain(task)
        # Keep answering work queued after the failure so no caller waits forever.
        t = threading.Thread(target=self._drain_forever, name="trainproof-recorder-failed", daemon=True)
        t.start()

    def _drain_forever(self):
        while True:
            task = self._queue.get()
            self._drain(task)
            if task[0] == "close":
                return


def _request(args):
    """The `record --serve` request (docs/cli.md) for record's command-line arguments `args`."""
    req = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--end":
            req["end"] = True
            i += 1
            continue
        v = args[i + 1]
        if a in ("--step", "--resume"):
            req[a[2:]] = int(v)
        elif a in ("--log", "--checkpoint"):
            req.setdefault(a[2:], []).append(str(v))
        elif a == "--event":
            req["event"] = str(v)
        else:
            raise ValueError("no served form for record option %s" % a)
        i += 2
    return req


def _unused(path):
    """`path`, or with -1, -2, ... before the extension when a file is already there: after a resume the
    abandoned attempt's checkpoint at the same step is signed evidence, never overwritten."""
    if not os.path.exists(path):
        return path
    root, ext = os.path.splitext(path)
    k = 1
    while os.path.exists("%s-%d%s" % (root, k, ext)):
        k += 1
    return "%s-%d%s" % (root, k, ext)


def _step(step):
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        if hasattr(step, "item"):
            step = step.item()
        if isinstance(step, bool) or not isinstance(step, numbers.Integral):
            raise TypeError("step must be an integer, got %r" % (step,))
    step = int(step)
    if step < 0:
        raise ValueError("step must be >= 0, got %d" % step)
    return step


def _scalar(v, name):
    if hasattr(v, "item"):  # 0-d torch tensor / numpy scalar
        try:
            v = v.item()
        except Exception:
            raise TypeError("metric %r: not a scalar (%r)" % (name, v))
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError("metric %r must be a number, got %r" % (name, v))
    return v
