"""The pre-training options (:class:`PretrainConfig`) and what each may be.

Every value is checked for its kind and range when the config is built, so a YAML slip
(``lr: fast``, ``betas: 0.5``, ``batch_size: 2.5``) is one error naming the value and what
it may be, not a ``TypeError`` traceback from the first comparison or layer that meets it.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from genemoe.config_presets import (
    deep_merge,
    load_preset,
    model_config,
    preset_files,
    read_config_yaml,
)
from genemoe.config_yaml import yaml_load
from genemoe.errors import input_error, nearest_names
from genemoe.train.config_origin import Origin, naming_origin
from genemoe.train.train_config import finite_number, whole_number

__all__ = ["PRETRAIN_MODELS", "PretrainConfig", "config_extends", "extends_comment",
           "resolve_pretrain_config"]

logger = logging.getLogger(__name__)


def _holds(check: Callable[[], bool]) -> bool:
    try:
        return bool(check())
    except (TypeError, ValueError):  # a value of another kind (text, a list, a number)
        return False


PRETRAIN_MODELS = ("genemoe", "moe", "vaecox")  # the models with an encoder to pre-train
# Options the command line sets (--seed, --device, --progress), never a YAML's pretrain:
COMMAND_LINE_OPTIONS = {"seed": "--seed", "device": "--device", "progress": "--progress"}
# The loss weights, each checked and said apart when invalid.
LAMBDAS = ("lambda_gp", "lambda_adv", "lambda_kl", "lambda_l1", "lambda_balance")

# What each checked value of :class:`PretrainConfig` may be (said in the error's fix).
_VALID = {
    "model": "to genemoe, moe or vaecox", "epochs": "to a whole number, 1 or more",
    "batch_size": "to a whole number, 2 or more",
    "lr": "above 0", "n_critic": "to 1 or more", "critic_lr": "above 0 (or null: lr)",
    "decay_from": "between 0 and 1", "noise_std": "to 0 or more",
    "betas": "to two values in [0, 1)", "recon_target": "to noisy or clean",
    "critic_widths": "to one or more widths of 1 or more", "min_shared_genes": "in (0, 1]",
    **dict.fromkeys(LAMBDAS, "to a number of 0 or more"), "checkpoint_every": "to 1 or more",
    "grad_clip": "above 0 (or null: off)", "kl_collapse": "to 0 or more",
    "eval_batch_size": "to 1 or more", "num_threads": "to 1 or more (or null: torch's)",
    "stream": "to true, false or auto", "stream_memory_fraction": "in (0, 1]",
    "stream_workers": "to 0 or more", "stream_prefetch": "to 0 or more",
    "stream_val_rows": "to 1 or more (or null: all)",
}


@dataclass(frozen=True)
class PretrainConfig:
    """How to pre-train (defaults: the paper's settings; presets scale them down)."""

    model: Literal["genemoe", "moe", "vaecox"] = "genemoe"  # encoder family; widths from the preset's model:
    epochs: int = 200  # the paper: 200 epochs
    batch_size: int = 256  # the paper (the official code used 512)
    lr: float = 2e-4  # Adam learning rate of generator and critic (the paper)
    critic_lr: float | None = None  # the critic's own Adam learning rate; None = lr (the paper)
    betas: tuple[float, float] = (0.5, 0.999)  # Adam betas (official code; usual for WGAN-GP)
    decay_from: float = 0.5  # lr decays linearly to ~0 over epochs after this share (official: 100/200)
    n_critic: int = 5  # critic steps per generator step (WGAN-GP; official code)
    lambda_gp: float = 10.0  # gradient-penalty weight λ_gp (the paper)
    lambda_adv: float = 1.0  # weight of the generator's Wasserstein term -E D(G(x̂)) (the paper: 1)
    lambda_kl: float = 10.0  # KL weight λ_KL (the paper)
    lambda_l1: float = 20.0  # L1 reconstruction weight λ_L1 (the paper)
    lambda_balance: float = 10.0  # weight of importance + load over every gate λ_balance (the paper)
    noise_std: float = 0.2  # σ of the augmentation x̂ = x + z (paper's N(0, 0.2), on scaled genes)
    recon_target: Literal["noisy", "clean"] = "noisy"  # eq. 8 compares G(x̂) with x̂; clean = denoise
    critic_widths: tuple[int, ...] = (1024, 512, 256)  # hidden widths of the Mish critic (the paper)
    grad_clip: float | None = None  # generator gradient-norm clip; None = off (as the paper)
    min_shared_genes: float = 0.5  # several bundles: least share of the smallest's genes they share
    kl_collapse: float = 0.01  # KL per latent dim (nats) below which the latent counts as collapsed
    eval_batch_size: int = 512  # rows per forward pass on the validation split
    checkpoint_every: int = 1  # epochs between checkpoints (the last epoch is always saved)
    seed: int = 0  # seeds the batch order (numpy) and torch (init, noise, dropout, gates)
    device: str = "auto"  # "auto" = CUDA when available, else CPU
    num_threads: int | None = None  # torch CPU threads (process-wide); None = torch's default
    progress: bool = True  # tqdm bar over epochs
    stream: bool | Literal["auto"] = "auto"  # read training rows from disk batch by batch (pretrain_stream)
    stream_memory_fraction: float = 0.25  # auto: stream when the training matrix > this share of free memory
    stream_workers: int = 0  # streaming: 0 = one read-ahead thread, N = N DataLoader worker processes
    stream_prefetch: int = 4  # streaming: batches read ahead (per worker); 0 with 0 workers = no overlap
    stream_val_rows: int | None = 500  # streaming: validation rows monitored (bounded memory); None = all

    def __post_init__(self) -> None:
        checks: dict[str, Callable[[], bool]] = {
            "model": lambda: self.model in PRETRAIN_MODELS,
            "epochs": lambda: whole_number(self.epochs) and self.epochs >= 1,
            "batch_size": lambda: whole_number(self.batch_size) and self.batch_size >= 2,
            "lr": lambda: finite_number(self.lr) and self.lr > 0,
            "n_critic": lambda: whole_number(self.n_critic) and self.n_critic >= 1,
            "critic_lr": lambda: self.critic_lr is None or (finite_number(self.critic_lr) and self.critic_lr > 0),
            "decay_from": lambda: finite_number(self.decay_from) and 0 <= self.decay_from <= 1,
            "noise_std": lambda: finite_number(self.noise_std) and self.noise_std >= 0,
            "betas": lambda: len(self.betas) == 2 and all(finite_number(b) and 0 <= b < 1 for b in self.betas),
            "recon_target": lambda: self.recon_target in ("noisy", "clean"),
            "critic_widths": lambda: len(self.critic_widths) >= 1
            and all(whole_number(w) and w >= 1 for w in self.critic_widths),
            "grad_clip": lambda: self.grad_clip is None or (finite_number(self.grad_clip) and self.grad_clip > 0),
            "min_shared_genes": lambda: finite_number(self.min_shared_genes) and 0 < self.min_shared_genes <= 1,
            **{k: (lambda k=k: finite_number(getattr(self, k)) and getattr(self, k) >= 0)
               for k in LAMBDAS},  # each named with its value (was "lambdas": which one?)
            "kl_collapse": lambda: finite_number(self.kl_collapse) and self.kl_collapse >= 0,
            "eval_batch_size": lambda: whole_number(self.eval_batch_size) and self.eval_batch_size >= 1,
            "checkpoint_every": lambda: whole_number(self.checkpoint_every) and self.checkpoint_every >= 1,
            "num_threads": lambda: self.num_threads is None
            or (whole_number(self.num_threads) and self.num_threads >= 1),
            "stream": lambda: self.stream in (True, False, "auto"),
            "stream_memory_fraction": lambda: finite_number(self.stream_memory_fraction)
            and 0 < self.stream_memory_fraction <= 1,
            "stream_workers": lambda: whole_number(self.stream_workers) and self.stream_workers >= 0,
            "stream_prefetch": lambda: whole_number(self.stream_prefetch) and self.stream_prefetch >= 0,
            "stream_val_rows": lambda: self.stream_val_rows is None
            or (whole_number(self.stream_val_rows) and self.stream_val_rows >= 1),
        }
        bad = [k for k, ok in checks.items() if not _holds(ok)]
        if bad:  # said as TrainConfig says its own: each value, and what it may be
            raise input_error(
                "invalid pre-training value(s): " + ", ".join(
                    f"{k}={getattr(self, k)!r}" for k in bad),
                where="pretrain config",
                fix="set " + "; ".join(f"{k} {_VALID[k]}" for k in bad)
                    + " (the `pretrain:` section of the --config YAML or preset"
                    + (", or --epochs)" if "epochs" in bad else ")"))

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (tuples as lists: JSON/YAML-ready)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PretrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:  # seed, device, progress: set by the command line, not listed as keys
            keys = known - set(COMMAND_LINE_OPTIONS)
            raise input_error(f"unknown pre-training option(s) {', '.join(map(str, unknown))}"
                              + nearest_names(unknown, keys),
                              where="pretrain: section of the --config YAML or preset",
                              fix=f"use only: {', '.join(sorted(keys))}")
        d = dict(d)
        for k in ("betas", "critic_widths"):
            if isinstance(d.get(k), list):  # another kind is left to the checks (said there)
                d[k] = tuple(d[k])
        return cls(**d)


def _is_run_config(path: Path) -> bool:
    """A pre-training run's own ``config.yaml`` (``preset``, ``pretrain``, ``model``)."""
    try:
        raw = yaml_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):  # said by read_config_yaml
        return False
    return isinstance(raw, dict) and set(raw) == {"preset", "pretrain", "model"}


def _check_command_line_options(sources: list[str | Path], section: dict[str, Any],
                                given: dict[str, Any]) -> None:
    """Refuse ``seed``, ``device`` or ``progress`` in a YAML's ``pretrain:`` section: the
    command line's values replaced them unsaid. A pre-training run's own ``config.yaml``
    records them: there they are dropped (a value other than this call's is said)."""
    for src in sources:
        path = Path(str(src))
        if not (path.suffix in {".yaml", ".yml"} or path.is_file()):
            continue  # a packaged preset (none sets them)
        here = {k: v for k, v in ((load_preset(path).get("pretrain") or {}).items())
                if k in COMMAND_LINE_OPTIONS}
        if here and _is_run_config(path):
            other = [f"{k} {v!r} (this run: {given[k]!r})" for k, v in here.items()
                     if given[k] != v]
            if other:
                logger.warning("%s records the run's %s; this pre-training uses the command "
                               "line's", path, ", ".join(other))
        elif here:
            raise input_error(
                f"pretrain: {', '.join(here)} in a YAML would not be read (the command "
                "line's value is used)", path=path,
                fix="drop " + ", ".join(here) + " from its pretrain: section and pass "
                + " ".join(_flag(k, v) for k, v in here.items()))
    for k in COMMAND_LINE_OPTIONS:
        section.pop(k, None)


def _flag(key: str, value: Any) -> str:
    """The command line's way to set ``key`` to ``value`` (``--seed 7``, ``--no-progress``)."""
    if key == "progress":
        return "--progress" if value else "--no-progress"
    return f"{COMMAND_LINE_OPTIONS[key]} {value}"


# the first line of a pre-training run's config.yaml whose --config extended a preset
_EXTENDS_LINE = re.compile(r"# preset (?P<preset>.+?) with a --config that extends "
                           r"(?P<extends>.+?) \(its values override the preset's")


def extends_comment(preset: str, extends: str | None) -> str:
    """The comment line opening a pre-training run's ``config.yaml`` that says what its
    ``--config`` extended (``""`` without one); :func:`config_extends` reads it back."""
    if extends is None:
        return ""
    return (f"# preset {preset} with a --config that extends {extends} (its values override "
            "the preset's; summary.json: extends)\n")


def config_extends(config_path: Path | str | None) -> str | None:
    """What a ``--config`` YAML ``extends:`` (a preset's name, or a YAML's path resolved
    against the file's folder, as ``train`` records it), None without one.

    A pre-training run's own ``config.yaml`` (``preset``, ``pretrain``, ``model``: every
    value resolved) extends what that run was built on: what its ``--config`` extended (its
    :func:`extends_comment` line), else its preset. A run given it back as ``--config``
    then records that, not only the command's ``--preset`` (a run of the paper preset's
    values was recorded as ``preset: small``).
    """
    if config_path is None:
        return None
    try:
        text = Path(config_path).read_text()
        raw = yaml_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if isinstance(raw, dict) and set(raw) == {"preset", "pretrain", "model"}:
        said = _EXTENDS_LINE.match(text)
        return said["extends"] if said else str(raw["preset"])
    parent = raw.get("extends") if isinstance(raw, dict) else None
    if parent is None:
        return None
    relative = Path(str(parent))
    if not relative.is_absolute() and relative.suffix in {".yaml", ".yml"}:
        return str(Path(config_path).parent / relative)
    return str(parent)


def resolve_pretrain_config(preset: str, config_path: Path | str | None = None, *,
                            seed: int = 0, device: str = "auto", epochs: int | None = None,
                            progress: bool = True, model: str | None = None,
                            ) -> tuple[PretrainConfig, dict[str, Any]]:
    """The pre-training options and the model's widths from a preset (and YAML over it).

    Parameters
    ----------
    preset, config_path
        Preset name or YAML, and an optional YAML merged over it. A ``config_path`` that
        ``extends:`` another preset is said (its values override ``preset``'s), as
        ``train`` says it; :func:`config_extends` gives what it extends, to record.
    seed, device, progress
        Set on the ``pretrain:`` section; a YAML's own ``pretrain: seed/device/progress``
        is refused (they were replaced unsaid).
    epochs, model
        Overrides of ``pretrain.epochs`` and ``pretrain.model`` (None: the preset's).

    Returns
    -------
    tuple
        The :class:`PretrainConfig` (validated: a clear error for a bad option) and the
        ``model.<pretrain.model>`` options without ``with_decoder``.
    """
    cfg = load_preset(preset)
    if config_path is not None:
        cfg = deep_merge(cfg, load_preset(config_path))  # checked (file, YAML, sections), extends:
        parent = config_extends(config_path)
        if parent is not None and parent != str(preset):  # was merged unsaid, recorded as preset
            logger.warning("%s extends %s: its values override --preset %s's", config_path,
                           parent, preset)
    section = dict(cfg.get("pretrain") or {})
    given = {"seed": seed, "device": device, "progress": progress}
    _check_command_line_options([preset] + ([] if config_path is None else [config_path]),
                                section, given)
    section.update(given)
    if epochs is not None:
        section["epochs"] = epochs
    if model is not None:
        section["model"] = model
    arguments = {k: f"the {k} argument (--{k})" for k, v in (("epochs", epochs),
                                                             ("model", model)) if v is not None}
    with naming_origin(_origins(preset, config_path), None, str(section.get("model")),
                       arguments, _VALID):  # "pretrain config: ..." named no file of three
        config = PretrainConfig.from_dict(section)
    if config_path is not None:
        _warn_unused_sections(read_config_yaml(config_path), config.model, Path(config_path))
    model_cfg = {k: v for k, v in model_config(cfg, config.model).items() if k != "with_decoder"}
    return config, model_cfg


def _origins(preset: str | Path, config_path: Path | str | None) -> list[Origin]:
    """The files the options come from, in the order merged (later wins), each with what it
    wrote: ``--preset``'s chain of ``extends:``, then ``--config``'s (a packaged preset is
    named ``"preset small"``)."""
    files = [*preset_files(preset), *([] if config_path is None else preset_files(config_path))]
    return [(name if name.startswith("preset ") else path, data) for name, path, data in files]


def _warn_unused_sections(user: dict[str, Any], model: str, path: Path) -> None:
    """Say which parts of a ``--config`` pre-training does not read: the ``train*:`` sections
    (a tuning run's best.yaml, a training recipe) and other models' options were unused,
    unsaid."""
    unused = [f"{key}: ({', '.join(map(str, value))}) — pre-training's learning rate, epochs "
              "and batch size are pretrain: keys" for key, value in user.items()
              if key.startswith("train") and value]
    unused += [f"model.{name} (the widths of another model: this run pre-trains {model})"
               for name in (user.get("model") or {}) if name != model]
    if unused:  # each key with its own reason (model.genemoe was said to hold a learning rate)
        logger.warning("%s: pre-training reads only its pretrain: section and model.%s; "
                       "unused here: %s", path, model, "; ".join(unused))
