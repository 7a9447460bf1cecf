"""trainproof: record checkpoints and training logs into a signed trainproof ledger from a Python
training loop. Standard library only at import time; torch is imported only when given torch objects.

    rec = trainproof.Recorder("run/ledger.db", "lab.key", run_config={...}, origin="example.com/runs/1")
    rec.log(step, loss=..., lr=...)
    rec.checkpoint(step, model)
    rec.close()
"""
from ._cli import Cli, TrainproofError, find_jar
from .recorder import Recorder

__all__ = ["Recorder", "TrainproofError", "Cli", "find_jar"]
__version__ = "0.1.0"
