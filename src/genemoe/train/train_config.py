"""How to train: :class:`TrainConfig`, every option of :func:`genemoe.train.loop.train_model`
with a working default, checked on construction."""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from genemoe.errors import input_error
from genemoe.train.distributed import is_device_name
from genemoe.train.inference import Device

__all__ = ["TrainConfig", "OptimizerName", "ScheduleName", "VALID", "finite_number", "whole_number"]

# What each checked value of :class:`TrainConfig` may be (said in the error's fix).
VALID = {
    "epochs": "to a whole number, 1 or more", "lr": "above 0", "weight_decay": "to 0 or more",
    "batch_size": "to 1 or more (or null: the whole split)", "warmup_epochs": "to 0 or more",
    "checkpoint_every": "to 1 or more", "grad_clip": "above 0 (or null: off)",
    "patience": "to 1 or more (or null: off)", "select_window": "to an integer, 1 or more",
    "plateau_factor": "between 0 and 1", "eval_batch_size": "to 1 or more",
    "optimizer": "to adam or adamw", "schedule": "to constant, cosine, linear_decay or plateau",
    "device": "to auto, cpu, cuda or cuda:N", "log_every": "to 1 or more", "noise_std": "to 0 or more",
    "label_smoothing": "to at least 0 and below 1", "mixup_alpha": "to 0 or more",
    "routing_mi_weight": "to 0 or more", "ema_decay": "between 0 and 1 (or null: off)",
    "module_lr": "to a mapping of module name to a learning rate above 0 (or null)",
    "seed": "to a whole number from 0 to 4294967295",
}

OptimizerName = Literal["adam", "adamw"]
ScheduleName = Literal["constant", "cosine", "linear_decay", "plateau"]


def finite_number(v: Any) -> bool:
    """Whether ``v`` is a finite real number, not a bool (numpy scalars too: a value
    computed from a history); the kind check before any range check."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


def _positive(v: Any) -> bool:
    return finite_number(v) and v > 0


def whole_number(v: Any) -> bool:
    """Whether ``v`` is a whole number (numpy integers too), not a bool."""
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


@dataclass(frozen=True)
class TrainConfig:
    """How to train (every field has a working default)."""

    epochs: int = 100  # most passes over the training split; early stopping usually ends sooner
    batch_size: int | None = 64  # rows per global batch (all ranks together); None = full batch
    lr: float = 1e-3  # peak learning rate (reached after warmup)
    module_lr: Mapping[str, float] | None = None  # own peak lr for the weights under a submodule
    #                                   path, e.g. {"encoder": 1e-4}; scheduled like lr
    weight_decay: float = 0.0  # L2 penalty (adam) or decoupled decay (adamw)
    optimizer: OptimizerName = "adam"  # Adam is the usual choice for MLP-like models on RNA-seq
    fused: bool | None = None  # fused optimizer kernel; None = use it where this torch supports it
    schedule: ScheduleName = "constant"  # lr after warmup: constant, cosine/linear decay to 0, or
    #                                      halved ("plateau") when the val metric stalls
    warmup_epochs: int = 0  # linear warmup from ~0 to lr over this many epochs (per step)
    plateau_factor: float = 0.5  # "plateau": multiply the lr by this ...
    plateau_patience: int = 5  # ... after this many epochs without a val-metric improvement
    grad_clip: float | None = 1.0  # max global gradient norm; None = no clipping
    aux_weight: float | Mapping[str, float] = 0.01  # weight of each auxiliary loss (or per name;
    #                                                 names missing from a mapping weigh 0)
    patience: int | None = 15  # early stop after this many epochs without improvement; None = off
    min_delta: float = 0.0  # an improvement must beat the best val metric by more than this
    #                         (an exact tie goes to the epoch with the lower val loss)
    restore_best: bool = True  # leave the best epoch's weights in the model at the end
    select_window: int = 1  # model selection and early stopping read the mean validation metric
    #                         of the last w epochs (a trailing window; the kept weights are its
    #                         last epoch's), so one lucky epoch on a small validation part does
    #                         not win; epochs before the first full window are not eligible
    seed: int = 0  # seeds batches (numpy Generator) and torch RNG (dropout); + rank under DDP
    device: Device = "auto"  # "auto" = CUDA when available, else CPU
    amp: bool = True  # bf16 (fp16 + loss scaling where bf16 is missing) autocast on CUDA; no-op on CPU
    num_threads: int | None = None  # torch CPU threads (process-wide); None = torch's default
    eval_batch_size: int = 1024  # rows per batch when predicting the validation split
    checkpoint_every: int = 1  # epochs between checkpoints (the last epoch is always saved)
    min_events: int = 2  # survival: least events (deaths) in every training batch
    log_every: int = 1  # epochs between log lines (the JSON-lines log gets every epoch)
    progress: bool = True  # tqdm bar over epochs (rank 0 only)
    # The training recipe, the same for every model (all off by default; train/augment.py):
    noise_std: float = 0.0  # Gaussian noise on each (scaled) training input, x + N(0, std^2)
    #                         per entry (the Gene-MOE paper's x^ = x + z, in supervised training)
    label_smoothing: float = 0.0  # classify: targets (1 - e) onehot + e / n_classes; applied by
    #                               the task loss (focal_loss(label_smoothing=e), built in run.py)
    mixup_alpha: float = 0.0  # classify: each batch's rows mixed with a permutation of them,
    #                           lambda ~ Beta(a, a); loss lambda loss(y_a) + (1 - lambda) loss(y_b)
    routing_mi_weight: float = 0.0  # classify, gated models: subtract this times the mutual
    #                                 information between class and expert of each top-k gate's
    #                                 soft routing (genemoe.models.moe.routing_mutual_information):
    #                                 the gate learns to send each type to few experts
    ema_decay: float | None = None  # validate, keep and return an exponential moving average
    #                                 of the weights: per-step decay, e.g. 0.999, warmed up as
    #                                 min(decay, n / (n + 9)) at update n; None = off

    def __post_init__(self) -> None:
        whole, num = whole_number, finite_number  # type first: `epochs: three` fails its check, no TypeError
        checks = {
            "epochs": whole(self.epochs) and self.epochs >= 1,
            "lr": num(self.lr) and self.lr > 0,
            "weight_decay": num(self.weight_decay) and self.weight_decay >= 0,
            "seed": whole(self.seed) and 0 <= self.seed < 2**32,
            "batch_size": self.batch_size is None or (whole(self.batch_size)
                                                      and self.batch_size >= 1),
            "warmup_epochs": num(self.warmup_epochs) and 0 <= self.warmup_epochs,
            "checkpoint_every": whole(self.checkpoint_every) and self.checkpoint_every >= 1,
            "grad_clip": self.grad_clip is None or (num(self.grad_clip) and self.grad_clip > 0),
            "patience": self.patience is None or (whole(self.patience) and self.patience >= 1),
            "select_window": whole(self.select_window) and self.select_window >= 1,
            "plateau_factor": num(self.plateau_factor) and 0 < self.plateau_factor < 1,
            "eval_batch_size": whole(self.eval_batch_size) and self.eval_batch_size >= 1,
            "optimizer": self.optimizer in ("adam", "adamw"),
            "schedule": self.schedule in ("constant", "cosine", "linear_decay", "plateau"),
            "device": is_device_name(self.device),
            "log_every": whole(self.log_every) and self.log_every >= 1,
            "noise_std": num(self.noise_std) and self.noise_std >= 0,
            "label_smoothing": num(self.label_smoothing) and 0 <= self.label_smoothing < 1,
            "mixup_alpha": num(self.mixup_alpha) and self.mixup_alpha >= 0,
            "routing_mi_weight": num(self.routing_mi_weight) and self.routing_mi_weight >= 0,
            "ema_decay": self.ema_decay is None or (num(self.ema_decay)
                                                            and 0 < self.ema_decay < 1),
            "module_lr": self.module_lr is None or (isinstance(self.module_lr, Mapping) and all(
                isinstance(k, str) and k and _positive(v) for k, v in self.module_lr.items())),
        }
        bad = [k for k, ok in checks.items() if not ok]
        if bad:  # an InputError (a ValueError): the CLI says it with its fix, no traceback
            raise input_error(
                "invalid training value(s): " + ", ".join(f"{k}={getattr(self, k)!r}" for k in bad),
                where="train config",
                fix="set " + "; ".join(f"{k} {VALID.get(k, 'to a valid value')}" for k in bad)
                    + " (the `train:` section of the --config YAML or preset"
                    + "".join(f", or --{k}" for k in ("epochs", "seed") if k in bad) + ")")

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (JSON/YAML-ready)."""
        d = dataclasses.asdict(self)
        for k in ("aux_weight", "module_lr"):
            if isinstance(getattr(self, k), Mapping):
                d[k] = dict(getattr(self, k))
        return d
