"""Options several ``genemoe`` commands share, and ``predict``'s longer ones: one
declaration, one help text (they sat at the top of :mod:`genemoe.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genemoe.cli_process import progress_bars
from genemoe.errors import InputError, input_error

__all__ = ["bad_value", "Bundle", "Preset", "ConfigYaml", "Device", "EPOCHS_RANGE", "Epochs", "SEED_RANGE",
           "Seed", "FoldSeed", "Folds", "Repeats", "Progress", "LabelColumn", "SampleColumn",
           "ValFraction", "StudyName", "csv_option", "TimeColumn", "EventColumn", "Clinical",
           "Precision", "PredictNormalisation", "PredictLabels", "PredictClinical",
           "EXPORT_HELP", "Layer"]

Bundle = Annotated[Path, typer.Option(help="Bundle directory.")]
Preset = Annotated[str, typer.Option(help="small | base | paper, or a YAML path.")]
ConfigYaml = Annotated[Path | None, typer.Option(
    help="YAML overriding the preset (extends: PRESET allowed), or a run's config.yaml.")]
Device = Annotated[str, typer.Option(help="auto | cpu | cuda | cuda:N")]


def bad_value(param: typer.CallbackParam, problem: str, fix: str) -> InputError:
    """The error for a value an option's callback refuses, said as genemoe says any bad input
    (``genemoe: error: Invalid value for '--seed': ...`` and an indented fix line, status 2):
    click's usage block and "Error: Invalid value" came for these alone (``ablation
    --pretrain-epochs 0``), under a generic "fix: give --seed a whole number" for ``-1``."""
    return input_error(problem, where=f"Invalid value for '{max(param.opts, key=len)}'", fix=fix)


def _epochs(param: typer.CallbackParam, value: int | None) -> int | None:
    """1 or more, for every model: ``train --model logreg --epochs 0`` warned that --epochs
    is ignored for logreg and then refused the 0 (tune warned and ran)."""
    if value is not None and value < 1:
        flag = max(param.opts, key=len)
        raise bad_value(param, f"{param.name}={value}, must be 1 or more",
                        f"set epochs to a whole number, 1 or more (e.g. {flag} 30), or leave "
                        "it out")
    return value


EPOCHS_RANGE = {"callback": _epochs}
Epochs = Annotated[int | None, typer.Option(help="Override the preset's epochs.", **EPOCHS_RANGE)]


def _seed(param: typer.CallbackParam, value: int) -> int:
    """A seed numpy and scikit-learn take (-1 ended in numpy's traceback)."""
    if not 0 <= value < 2**32:
        flag = max(param.opts, key=len)
        raise bad_value(param, f"{value} is not a seed (0 to {2**32 - 1:,})",
                        f"pass a whole number from 0 to {2**32 - 1:,}, e.g. {flag} 0")
    return value


SEED_RANGE = {"callback": _seed}
Seed = Annotated[int, typer.Option(
    help="Random seed of the initial weights, the batch order and every random draw.",
    **SEED_RANGE)]
FoldSeed = Annotated[int, typer.Option(help="Seed of the folds and the models.", **SEED_RANGE)]
Folds = Annotated[int, typer.Option(help="K of the stratified K-fold split.")]
Repeats = Annotated[int, typer.Option(help="Repeats of the K-fold split (seed + repeat).")]
Progress = Annotated[bool, typer.Option(
    help="Show progress bars (drawn only when stderr is a terminal).", callback=progress_bars)]


def _val_fraction(param: typer.CallbackParam, value: float) -> float:
    """Above 0: ``prepare --val-fraction 0`` wrote a bundle that ``train`` and ``tune`` then
    refused (they choose the epoch and calibrate on the validation split)."""
    if value == 0:
        raise bad_value(param, "0 leaves no validation split", "pass e.g. --val-fraction "
                        "0.1 (the default): train and tune pick the epoch and calibrate "
                        "on it")
    return value


ValFraction = Annotated[float, typer.Option(help="Validation share of each class.",
                                            callback=_val_fraction)]


def _study(param: typer.CallbackParam, value: str | None) -> str | None:
    """A name with a character in it: ``tune --study ""`` took MODEL-TASK without a word."""
    if value is not None and not value.strip():
        raise bad_value(param, f"{value!r} is no study name", "pass a name, e.g. --study "
                        "genemoe-classify, or leave --study out (MODEL-TASK)")
    return value


StudyName = Annotated[str | None, typer.Option(help="Study name (default MODEL-TASK).",
                                               callback=_study)]


LabelColumn = Annotated[str | None, typer.Option(help="Label column (overrides detection).")]
SampleColumn = Annotated[str | None, typer.Option(help="Sample column of the label table.")]


TimeColumn = Annotated[str | None, typer.Option(help="Survival time column (days).")]
EventColumn = Annotated[str | None, typer.Option(help="Survival event column (1/0, dead/alive).")]
Clinical = Annotated[list[Path] | None, typer.Option(
    help="Survival table(s): TCGA-CDR, Xena TCGA-<P>.survival.tsv (one per project), "
         "time/event or days_to_death columns.")]
Layer = Annotated[str | None, typer.Option(
    help="With an .h5ad: the layer to read instead of X (e.g. counts), or raw for its .raw "
         "(X and its own var). Refused for other files and for a name the file lacks.")]
PredictLabels = Annotated[list[Path] | None, typer.Option(
    help="Known types of these samples (sample → cancer type; several files as prepare "
         "--labels): scores a classification run into <out stem>.scores.tsv.")]
PredictClinical = Annotated[list[Path] | None, typer.Option(
    help="Survival of these samples' patients (tables as prepare --clinical, the run's "
         "endpoint): scores a survival run's risk (C-index) into <out stem>.scores.tsv.")]
Precision = Annotated[str, typer.Option(
    help="fp32 | bf16: bf16 runs a neural model's forward in bfloat16 (about 2x faster on "
         "CPU; ~3 significant digits in the logits, ~2 in the temperature-scaled probabilities); "
         "refused for classical models.")]
PredictNormalisation = Annotated[str, typer.Option(
    help="auto | model | quantile | none: how other pipelines' profiles come onto the "
         "model's scale; auto: the model's own normalisation for the input it was trained "
         "on, else log2(x+1) and per-sample quantile alignment to the training data; none: "
         "log values already on it (Xena's star_fpkm-uq for a model trained on it).")]


EXPORT_HELP = """Write a bundle as AnnData (.h5ad): X, obs, var and the preparation record.

var, by gene_id: symbol, chrom, start, length and biotype where known; train_mean,
train_std (ddof 0), train_min, train_max: each gene's statistics over the training split,
on X's scale (train and predict scale with them); keep: True for the genes prepare's gene
filter kept (fitted on the training split), the genes models train on (X holds the others
too); keep_fold<i> (a --folds bundle): fold i's.

uns['genemoe'] holds the record and the summary as JSON strings (json.loads them) and
synthetic, normalisation, value_scale and n_folds as plain values; uns['log1p'] =
{'base': 2} marks log2(x+1) values; obs['fold'] holds a --folds bundle's folds."""
"""``genemoe export``'s help (cli.py is near its 600 lines): what each part of the file is."""


def csv_option(value: str | None) -> tuple[str, ...] | None:
    """``"a, b,"`` → ``("a", "b")``: a comma-separated option's values (None stays None)."""
    return None if value is None else tuple(v.strip() for v in value.split(",") if v.strip())
