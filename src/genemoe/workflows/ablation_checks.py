"""What :func:`~genemoe.workflows.ablation.run_ablation` checks before anything is trained.

- :func:`check_ablation_types`: each argument of the right type (``seed="0"`` failed deep in
  the folds with a TypeError, ``pretrain_per_fold="no"`` was read as true);
- :func:`check_fold_sizes`: test parts large enough to hold every cancer type (``--folds
  200`` on 990 samples was a warning, then 200 test parts of 4-5 samples each); it lives in
  :mod:`~genemoe.workflows.folds`, whose :func:`plan_folds` applies it to the benchmark too;
- :func:`check_one_recipe`: every arm of the ablation trains with the same recipe (a
  preset's ``train_<task>_models:`` gave one arm its own learning rate, without a word); a
  regulariser of one arm's own (``model.genemoe.dropout``) is warned on before training;
- :func:`check_pretrained_run`: a ``--pretrained`` run that saw no test sample of any
  fold, of the preset's Gene-MOE, and sharing enough genes with the bundle;
- :func:`warn_frozen_throughout`: ``--freeze-encoder-epochs`` covering every epoch;
- :func:`preset_gaps_said_once`: a preset file's gaps said once for all the arms.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from genemoe.config_presets import (
    TRAIN_ALIASES,
    deep_merge,
    last_setter,
    load_preset,
    model_config,
    preset_files,
    preset_gaps,
    train_config,
)
from genemoe.data.args import check_flags
from genemoe.data.bundle import Bundle
from genemoe.errors import input_error
from genemoe.train.train_config import whole_number
from genemoe.workflows.ablation_recipe import model_recipe_text, model_recipe_values
from genemoe.workflows.ablation_tables import ABLATION_MODELS
from genemoe.workflows.common import check_whole_numbers
from genemoe.workflows.folds import FoldPlan, check_fold_sizes  # (moved there)

__all__ = ["check_ablation_types", "check_fold_sizes", "check_one_recipe", "check_pretrained_run",
           "preset_gaps_said_once", "warn_frozen_throughout"]

log = logging.getLogger("genemoe.workflows.ablation")


def check_ablation_types(*, seed: Any, n_boot: Any, freeze_encoder_epochs: Any,
                         pretrain_epochs: Any, epochs: Any, n_folds: Any, n_repeats: Any,
                         pretrain_per_fold: Any, progress: Any) -> None:
    """Refuse an argument of the wrong type, before any value is compared or used.

    ``seed="0"`` ended in the folds' TypeError, ``n_boot="x"`` in ``'<' not supported``,
    ``seed=-1`` in numpy's "expected non-negative integer"; ``pretrain_per_fold="no"`` and
    ``progress="no"`` were read as true (``run_benchmark`` refuses them all).

    Raises
    ------
    InputError
        A number that is not whole (named by its option), a negative seed, or a flag that
        is not True or False.
    """
    check_whole_numbers((seed, "--seed"), (n_boot, "--n-boot"), (n_folds, "--folds"),
                        (n_repeats, "--repeats"),
                        (freeze_encoder_epochs, "--freeze-encoder-epochs"))
    for value, where in ((pretrain_epochs, "--pretrain-epochs"), (epochs, "--epochs")):
        if value is not None and not whole_number(value):  # 1.5 was blamed on --config
            raise input_error(f"must be a whole number of epochs, got {value!r}", where=where,
                              fix=f"pass a whole number to {where}, or leave it out")
    if seed < 0:  # numpy's "expected non-negative integer", from inside the folds
        raise input_error(f"must be 0 or more, got {seed}", where="--seed",
                          fix="pass e.g. --seed 0")
    check_flags((pretrain_per_fold, "pretrain_per_fold"), (progress, "progress"))  # "no": true


def _arm_recipe(layers: list[tuple[str, dict[str, Any]]], task: str, model: str,
                epochs: int | None) -> dict[str, Any]:
    """The training options ``model`` gets from the preset's ``layers`` for ``task``, merged
    layer by layer as :func:`~genemoe.train.fit.resolve_config` merges them."""
    recipe: dict[str, Any] = {}
    for _, layer in layers:
        recipe = deep_merge(recipe, train_config(layer, task, model))
    for alias in set(TRAIN_ALIASES) & set(recipe):
        recipe.setdefault(TRAIN_ALIASES[alias], recipe.pop(alias))
    if epochs is not None:  # --epochs sets every arm's
        recipe["epochs"] = epochs
    return recipe


def _shown(value: Any) -> str:
    """A recipe value as a reader writes it (``0.01``, ``1e-05``, ``[1, 2]``)."""
    return f"{value:g}" if isinstance(value, float) else "the code's default" if value is None else str(value)


def check_one_recipe(preset: str | Path, models: list[str], task: str,
                     epochs: int | None = None) -> str:
    """Refuse a preset that gives the ablation's arms different training recipes; warn
    where their ``model.<arm>`` options differ in a regulariser (:func:`_say_model_recipe`).

    The ablation compares architectures: a ``train_<task>_models: {genemoe: {lr: ...}}``
    section gave one arm its own learning rate, label smoothing or noise, and the table
    read as a clean ablation (macro-F1 0.255 → 0.514 from the recipe alone).

    Parameters
    ----------
    preset
        The ablation's ``--preset`` (a packaged name, or a YAML and what it extends).
    models
        The arms trained from scratch (the pre-trained ones share their recipe).
    task, epochs
        The ablation's task, and ``--epochs`` (it sets every arm's).

    Returns
    -------
    str
        The warning on the arms' own regulariser ("" where they share it), for the run's
        record (``ablation.json``'s ``warnings``).

    Raises
    ------
    InputError
        Naming the file that sets an arm's own values, the arm, its values and the others'.
    """
    files = preset_files(preset)
    layers = [(name, data) for name, _, data in files]
    recipes = {m: _arm_recipe(layers, task, m, epochs) for m in models}
    keys = [k for k in dict.fromkeys(k for r in recipes.values() for k in r)
            if len({repr(r.get(k)) for r in recipes.values()}) > 1]
    if not keys:  # refused below: not warned first
        return _say_model_recipe(files, [m for m in models if m in ABLATION_MODELS])
    section = f"train_{task}_models"
    own: dict[tuple[str, str], list[str]] = {}  # (file, arm) -> keys it sets for that arm
    for m in models:
        for k in keys:
            source = last_setter(k, [(n, {section: d.get(section) or {}}) for n, d in layers],
                                 "train", m, task)
            if source is not None and source == last_setter(k, layers, "train", m, task):
                own.setdefault((source, m), []).append(k)
    if not own:  # every difference comes from a per-model section: a bug if not
        raise RuntimeError(f"the ablation's arms differ in {keys}, set by no {section}")
    (name, model), set_keys = next(iter(own.items()))
    path = next(p for n, p, _ in files if n == name)
    others = [m for m in models if (name, m) not in own]
    theirs = (f"; {', '.join(others)}: " + ", ".join(f"{k} {_shown(recipes[others[0]].get(k))}"
                                                     for k in set_keys)) if others else ""
    arms = sorted({m for _, m in own})
    raise input_error(
        f"{section}.{model} gives {model} its own training recipe ("
        + ", ".join(f"{k} {_shown(recipes[model].get(k))}" for k in set_keys) + theirs
        + ")" + (f", and so do {section} entries for {', '.join(a for a in arms if a != model)}"
                 if len(arms) > 1 else "")
        + ": the ablation compares the architectures under one recipe", path=path,
        fix=f"move these values to the shared `train_{task}:` section (every arm trains with "
            "them), or compare tuned recipes with `genemoe benchmark` (its models may each "
            "take their own)")


def _say_model_recipe(files: list[tuple[str, Path, dict[str, Any]]], arms: list[str]) -> str:
    """Warn, before training, where the preset's ``model.<arm>`` gives the ablation's arms
    (fcn, moe, genemoe) different values of a regulariser
    (:data:`~genemoe.workflows.ablation_recipe.RECIPE_MODEL_KEYS`), naming the file, the
    option, each arm's value and the fix; tables.md says it too. Returns the warning ("":
    none).

    ``model.genemoe.dropout: 0.1`` beside the others' 0.5 passed without a word (the check
    read ``train_<task>_models`` only), then as an INFO line no terminal showed, while the
    table credited it to the architecture. Warned, not refused: a rate tuned per
    architecture is a choice a reader can weigh once named. The survival peers keep their
    published settings (VAECox's dropout 0).
    """
    merged: dict[str, Any] = {}
    for _, _, data in files:
        merged = deep_merge(merged, {"model": data.get("model") or {}})
    differ = model_recipe_values({m: model_config(merged, m) for m in arms})
    if not differ:
        return ""
    layers = [(name, data) for name, _, data in files]
    setters = dict.fromkeys(s for k, values in differ.items() for m in values
                            if (s := last_setter(k, layers, "model", m, None)) is not None)
    where = [n if n.startswith("preset ") else str(p) for n, p, _ in files if n in setters]
    said = (f"{where[-1]}: the arms' own {model_recipe_text(differ)} is a regulariser, not "
            "architecture: part of the differences between them may come from it; give "
            f"{', '.join(arms)} one value (`model.<arm>` in the preset) for one recipe")
    log.warning("%s", said)
    return said


def _patient(sample_id: str) -> str | None:
    """The patient of a TCGA-style barcode, None for any other identifier."""
    from genemoe.data.tcga import parse_barcode

    try:
        return parse_barcode(sample_id).patient_id
    except ValueError:
        return None


def check_pretrained_run(bundle: Bundle, plans: list[FoldPlan], run: Path | str, *,
                         preset: str) -> dict:
    """Refuse a pre-trained run that saw a test sample of any fold, or does not fit ``preset``.

    Parameters
    ----------
    bundle, plans
        The bundle and the folds of the ablation (:func:`plan_folds`).
    run
        A ``genemoe pretrain`` run directory (``samples.tsv``, ``pretrained.pt``).
    preset
        The ablation's preset: its ``model.genemoe`` must be the run's architecture.

    Returns
    -------
    dict
        ``run``, ``n_samples`` (samples the run used), ``model_config``, ``n_genes`` (the
        run's), ``collapsed`` and ``collapse_warning`` (the run's own collapse check).

    Raises
    ------
    InputError
        A file or no folder; no ``samples.tsv``; a test sample or patient seen in
        pre-training (named with its repeat and fold); another model or other widths than
        the preset's ``genemoe``; too few of the run's genes in the bundle for the
        fine-tuning (it refused them after every model from scratch had trained).
    """
    from genemoe.train.finetune import read_pretrained

    run = Path(run)
    samples_path = run / "samples.tsv"
    if run.is_file():  # was "no such folder"
        raise input_error("--pretrained is a file, not a folder", path=run,
                          fix="pass the --out directory of a finished `genemoe pretrain` run "
                              "(the folder holding pretrained.pt and samples.tsv)")
    if not run.is_dir():  # was "the pre-trained run has no samples.tsv"
        raise input_error("no such folder", path=run,
                          fix="check the path (and the working directory); pass the --out "
                              "directory of a finished `genemoe pretrain` run")
    if not samples_path.is_file():
        raise input_error("the pre-trained run has no samples.tsv: its samples cannot be checked "
                          "against the test folds", path=run,
                          fix="pass the --out directory of a finished `genemoe pretrain` run")
    used = pd.read_csv(samples_path, sep="\t", dtype=str)["sample_id"].dropna().tolist()
    used_ids, used_patients = set(used), {p for p in map(_patient, used) if p is not None}
    patients = bundle.obs["patient_id"].astype(str).to_numpy(object)
    for plan in plans:
        test_ids = bundle.sample_ids[plan.test].astype(str)
        seen = sorted(used_ids.intersection(test_ids))
        seen_patients = sorted(used_patients.intersection(patients[plan.test]))
        if seen or seen_patients:
            what = (f"{len(seen)} test sample(s) (e.g. {', '.join(seen[:3])})" if seen else
                    f"{len(seen_patients)} test patient(s) (e.g. {', '.join(seen_patients[:3])})")
            raise input_error(
                f"pre-training used {what} of repeat {plan.repeat}, fold {plan.fold}: the "
                "pre-trained model would be scored on data it has seen", path=samples_path,
                fix="cross-validation tests every sample of the bundle, so pre-train on other "
                    "cohorts (bundles without these samples), then pass --pretrained; or pass "
                    "--pretrain-per-fold instead (each fold's run pre-trains on its training "
                    "part only)")
    payload = read_pretrained(run)
    want = {k: v for k, v in model_config(load_preset(preset), "genemoe").items()
            if k != "with_decoder"}
    if payload["model_name"] != "genemoe" or payload["model_config"] != want:
        raise input_error(
            f"the run pre-trained {payload['model_name']!r} with {payload['model_config']}, but "
            f"the ablation's genemoe is {want} (preset {preset!r})", path=run,
            fix=f"run the ablation with the run's preset ({payload.get('preset')!r}), or "
                "pre-train genemoe with this one")
    _check_run_genes(bundle, [str(g) for g in payload["gene_ids"]], run)
    collapse = (payload.get("summary") or {}).get("collapse") or {}
    return {"run": str(run), "n_samples": len(used_ids), "model_config": want,
            "n_genes": len(payload["gene_ids"]), "collapsed": bool(collapse.get("collapsed")),
            "collapse_warning": next(iter(collapse.get("warnings") or []), None)}


def _check_run_genes(bundle: Bundle, run_genes: list[str], run: Path) -> None:
    """Refuse a run whose genes the bundle lacks beyond what the fine-tuning allows
    (:func:`~genemoe.train.finetune.load_pretrained_encoder`'s ``max_missing``): each fold
    keeps a subset of the bundle's genes, so a run refused here would be refused in every
    fold, after the models from scratch had trained."""
    import inspect

    from genemoe.train.finetune import load_pretrained_encoder

    most = inspect.signature(load_pretrained_encoder).parameters["max_missing"].default
    shared = len(set(run_genes).intersection(bundle.var["gene_id"].astype(str)))
    missing = len(set(run_genes)) - shared
    if shared == 0 or missing > most * len(set(run_genes)):
        raise input_error(
            f"the bundle has {shared:,} of the {len(set(run_genes)):,} genes the run was "
            f"pre-trained on ({missing:,} missing; the fine-tuning allows at most {most:.0%})",
            path=run, fix="pre-train on bundles prepared like this one (same --annotation and "
                          "gene identifiers), or pass a run pre-trained on this bundle's genes")


def warn_frozen_throughout(preset: str | Path, task: str, *, epochs: int | None,
                           freeze_encoder_epochs: int) -> None:
    """Warn, once before training, that ``--freeze-encoder-epochs`` covers every epoch of
    the fine-tuning: the pre-trained encoder is never trained (``genemoe train`` warned of
    it; the ablation said nothing, and its cells recorded ``encoder_unfrozen: False``)."""
    if not freeze_encoder_epochs:
        return
    n = epochs if epochs is not None else _arm_recipe(
        [(n, d) for n, _, d in preset_files(preset)], task, "genemoe", None).get("epochs")
    if freeze_encoder_epochs >= int(n or 0) > 0:  # as train's check (no epochs: the code's)
        log.warning("--freeze-encoder-epochs %d covers all %d epochs: the pre-trained encoder "
                    "stays frozen (only the head trains) in the pre-trained rows",
                    freeze_encoder_epochs, int(n))


_GAP_PARTS = re.compile(r"(?P<file>.+) extends no preset and sets no (?P<unset>.+?): "
                        r"(?P<model>\S+) runs with (?P<rest>.+)")


def _gaps_text(texts: Mapping[str, str]) -> str:
    """The preset gaps of several arms (``{model: warning}``) as one warning: ``p.yaml
    extends no preset and sets no train, train_classify: fcn, moe, genemoe run with ...``."""
    parts = {m: _GAP_PARTS.fullmatch(t) for m, t in texts.items()}
    if len(texts) == 1 or not all(parts.values()):
        return "\n".join(dict.fromkeys(texts.values()))
    first = next(iter(parts.values()))
    unset = dict.fromkeys(u.strip() for p in parts.values() for u in p["unset"].split(","))
    return (f"{first['file']} extends no preset and sets no {', '.join(unset)}: "
            f"{', '.join(texts)} run with {first['rest']}")


class _DropSaid(logging.Filter):
    """Drops the log records whose text is one of ``texts``."""

    def __init__(self, texts: set[str]) -> None:
        super().__init__()
        self.texts = texts

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.texts


@contextmanager
def preset_gaps_said_once(preset: str | Path, models: list[str], task: str, *,
                          say: bool = True) -> Iterator[None]:
    """Say a preset file's gaps (:func:`~genemoe.config_presets.preset_gaps`) once for all
    ``models`` now, and not again within the block: "nopre.yaml extends no preset ..." came
    four times (fcn, moe, genemoe, and genemoe again for the pre-trained row), ~200
    characters each. ``say=False``: not now either (the checks before the arms run resolve
    the preset too; the block that runs them says the gaps)."""
    texts = {m: t for m in models if (t := preset_gaps(str(preset), m, task)) is not None}
    if texts and say:
        log.warning("%s", _gaps_text(texts))
    lg, drop = logging.getLogger("genemoe.config_presets"), _DropSaid(set(texts.values()))
    lg.addFilter(drop)
    try:
        yield
    finally:
        lg.removeFilter(drop)
