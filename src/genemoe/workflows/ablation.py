"""``genemoe ablation``: the Gene-MOE paper's ablation (Tables II and III), honestly.

The paper's four models on identical, repeated, stratified folds:

1. ``fcn`` — the baseline: two fully connected layers;
2. ``moe`` — the MoE layer instead of them (MOE only);
3. ``genemoe`` — MoE + MOAE (Gene-MOE, trained from scratch);
4. pre-trained Gene-MOE — ``genemoe`` whose encoder starts from a pre-training run,
   fine-tuned on each fold: either one ``genemoe pretrain`` run for every fold
   (``pretrained=RUN``) or one run per fold (``pretrain_per_fold=True``, below).

For survival the peers ``vaecox`` (VAE-Cox) and ``coxnnet`` (Cox-nnet) run beside them;
with per-fold pre-training VAE-Cox also runs pre-trained (its paper pre-trains its VAE),
as an extra row beside the VAE-Cox trained from scratch. Its VAE is pre-trained by
``genemoe pretrain``'s objective (``pretrain: model: vaecox``: adversarial critic + KL +
L1), not the plain VAE loss of the VAE-Cox paper; the tables say so.

Every number comes from :func:`~genemoe.workflows.benchmark.run_benchmark` (its folds,
per-fold gene filter and scaler, validation-only model selection, resumable cells): the
models from scratch in ``OUT/models/``, the pre-trained Gene-MOE in ``OUT/pretrained/``
(and the pre-trained VAE-Cox in ``OUT/pretrained_vaecox/``), all on the folds of
:func:`~genemoe.workflows.folds.plan_folds` with the same options, which are checked to
be identical.

No leakage. Cross-validation tests every sample of the bundle once, so:

- ``pretrained=RUN``: a run that used (for training or validation) any sample — or, for
  TCGA-style barcodes, any patient — of any fold's test part is refused before anything
  is trained; such a run must come from other cohorts (or another bundle without these
  samples).
- ``pretrain_per_fold=True``: for every repeat × fold a fresh pre-training runs on that
  fold's own training part (the rows every other model of the fold trains on), with its
  validation part as the reconstruction monitor, on the fold's genes and scaler (fitted on
  the training part, as for every model); its test part is never read. So the pre-trained
  model of a fold has seen exactly the rows its from-scratch peers see, and none it is
  scored on: it is as unbiased as they are. Each run records the samples it used (train
  and val roles); they are checked to be disjoint from the fold's test part after the
  run, and again by the fine-tuning (:func:`~genemoe.train.finetune.load_pretrained_encoder`
  refuses a run that used a sample it tests on). Runs live in ``OUT/pretrain/rR_fF/``
  (VAE-Cox: ``rR_fF_vaecox/``), are resumed or reused on a re-run, and their final
  validation reconstruction and collapse checks are in ``OUT/pretrain/summary.csv``.

``OUT/results.csv``: one row per model × repeat × fold (the benchmark's columns plus
``label``); ``OUT/tables.md``: classification as the paper's Table III (rows = models;
accuracy, macro precision, recall, F1), survival as Table II transposed (rows = cancer
types, columns = models; C-index); each cell the mean ± std over every test fold of every
repeat (written by :mod:`~genemoe.workflows.ablation_tables`). A pre-trained model whose
pre-training collapsed is marked † there, with a note under the table, and its terminal row
says so; ``--pretrained``'s paragraph names its frozen epochs and the run's genes absent here.

What is checked before anything is trained (argument types, one training recipe for every
arm, a ``--pretrained`` run's samples, model and genes) is in
:mod:`~genemoe.workflows.ablation_checks`; what its benchmarks refuse (``--device``, the
preset's model and training options, a ``--pretrained`` run's normalisation) is checked too
(:mod:`~genemoe.workflows.benchmark_checks`), before ``--out`` is touched: a refused rerun
leaves the earlier results as they were. ``OUT/ablation.json`` records the options: a rerun
of other options removes the earlier ``tables.md``, ``results.csv``, ``report.html`` and
``plots/`` before it computes anything, and a folder moved or copied elsewhere reads the
paths recorded inside it relative to it (:mod:`~genemoe.workflows.ablation_rerun`).
"""

from __future__ import annotations

import json
import logging
import re
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from genemoe.config_presets import check_preset_serves
from genemoe.data.args import AtFolder, folder_of, path_of, shown_path
from genemoe.data.bundle import atomic_write_text, load_bundle, remove_outputs
from genemoe.errors import input_error
from genemoe.evaluate.benchmark_tables import PRIMARY_METRIC
from genemoe.report.terminal import epoch_caps
from genemoe.train.finetune import transfer_said_by_caller
from genemoe.train.rng import keeps_global_rng
from genemoe.workflows.ablation_checks import (
    check_ablation_types,
    check_one_recipe,
    check_pretrained_run,
    preset_gaps_said_once,
    warn_frozen_throughout,
)
from genemoe.workflows.ablation_pretrain import (
    fold_pretrain_data,
    fold_runs,
    named_fine_tuning,
    pretrain_defaults_note,
    pretrain_folds,
    pretrain_recipe,
)
from genemoe.workflows.ablation_rerun import (
    ablation_record,
    clear_earlier_outputs,
    earlier_results,
    in_ablation_words,
    read_record,
    rebase_parts,
    said_once,
    write_record,
)
from genemoe.workflows.ablation_tables import (
    ABLATION_MODELS,
    MODEL_LABELS,
    PER_FOLD_LABELS,
    PRETRAINED,
    SURVIVAL_PEERS,
    VAECOX_PRETRAINED,
    ablation_tables,
    collapse_counts,
    collapse_text,
    macro_types,
    summary_folds,
    table_models,
)
from genemoe.workflows.benchmark import FoldPretrained, run_benchmark
from genemoe.workflows.benchmark_checks import (
    BENCHMARK_N_BOOT,
    check_benchmark_folds,
    check_benchmark_options,
)
from genemoe.workflows.benchmark_pretrained import pretrained_options
from genemoe.workflows.benchmark_protocol import remove_stale_pages
from genemoe.workflows.common import check_out_dir
from genemoe.workflows.folds import VAL_FRACTION, FoldPlan, plan_folds

__all__ = ["AblationResult", "ABLATION_MODELS", "SURVIVAL_PEERS", "PRETRAINED",
           "VAECOX_PRETRAINED", "MODEL_LABELS", "PER_FOLD_LABELS", "ablation_models",
           "labelled_results", "check_pretrained_run", "fold_pretrain_data", "pretrain_folds", "pretrain_recipe",
           "run_ablation", "said_once", "ablation_tables"]

log = logging.getLogger(__name__)

Task = Literal["classify", "survival"]

N_BOOT = 200  # run_ablation's bootstrap resamples (survival only)
_FAMILY = {"genemoe": "Gene-MOE", "vaecox": "VAE-Cox"}
# per-fold pre-training: model pre-trained -> (results.csv name, benchmark directory)
_PER_FOLD = {"genemoe": (PRETRAINED, "pretrained"),
             "vaecox": (VAECOX_PRETRAINED, "pretrained_vaecox")}


@dataclass
class AblationResult(AtFolder):
    """What :func:`run_ablation` produced: ``results`` as ``results.csv``, ``tables`` as
    ``tables.md``."""

    out_dir: Path
    task: Task
    results: pd.DataFrame
    tables: str
    pretrained: Path | None
    seconds: float
    pretrain_summary: pd.DataFrame | None = None  # per-fold pre-training: summary.csv's rows
    n_computed: int = 0  # cells trained by this call
    n_reused: int = 0  # cells read back from an earlier call (a rerun said only "0 s")
    # pre-trained row -> (runs whose pre-training collapsed, runs): said on its row (it was
    # said in tables.md's paragraph only, the rows read as fine)
    collapsed: dict[str, tuple[int, int]] = field(default_factory=dict)
    # what the folds' scalers clipped (run_benchmark's ``clipped``: the same folds and scalers
    # for every arm), said as `genemoe benchmark` says it (the ablation said nothing)
    clipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # ablation.json's: said again at the end

    def describe(self) -> str:
        """A few lines for the terminal: per model the mean ± sd of the task's main metric
        over every test fold, and where the tables are (``tables.md`` was printed whole:
        raw Markdown, lines of 379 characters)."""
        metric = PRIMARY_METRIC[self.task]
        reused = (f"; {self.n_reused} of {self.n_computed + self.n_reused} cells reused from an "
                  "earlier run" if self.n_reused else "")
        name = _f1_name(self.results) if self.task == "classify" else _METRIC_NAMES[metric]
        header, notes = _clip_header(f"  {name}, mean ± sd over test folds",
                                     self.clipped)  # the clipped inputs were unsaid
        lines = [f"ablation: {shown_path(self.out_dir)}  ({self.task}; {self.seconds:.0f} s{reused})",
                 header]
        order = table_models(self.task, self.results)  # tables.md's order (the peers came
        groups = sorted(self.results.groupby("model", sort=False),  # before the pre-trained)
                        key=lambda g: order.index(g[0]) if g[0] in order else len(order))
        width, footnotes = max((len(str(g["label"].iloc[0])) for _, g in groups), default=0), []
        for model, g in groups:
            bad = self.collapsed.get(str(model), (0, 0))
            values, counted = summary_folds(g, metric)  # tables.md's folds (was every one)
            row, below = model_row(str(g["label"].iloc[0]), width, values,
                                   collapse_text(*bad) if bad[0] else "", counted=counted,
                                   n_folds=len(g) if metric == "c_index" else None)
            lines.append(row)
            footnotes += below
        lines += footnotes  # a collapse said under the rows where its row would pass 100
        if PRETRAINED not in set(self.results["model"]):
            lines.append(f"    {MODEL_LABELS[PRETRAINED].split(' (')[0]}: not run (add --pretrained "
                         "RUN or --pretrain-per-fold)")
        if caps := epoch_caps(self.results):  # in tables.md, and here too (the rows' labels,
            labels = dict(zip(self.results["model"], self.results["label"], strict=True))
            lines += _wrapped("  kept the last epoch (may be undertrained): ",  # not results.csv's
                              [f"{labels.get(m, m)} {v}" for m, v in caps.items()])  # names
        lines += notes + [textwrap.fill(w, width=LINE_WIDTH, initial_indent="  warning: ",
                                        subsequent_indent=" " * 4) for w in self.warnings]
        lines += [f"tables:  {shown_path(self.out_dir / 'tables.md')}",
                  f"results: {shown_path(self.out_dir / 'results.csv')}"]
        if self.pretrain_summary is not None:
            lines.append(f"pre-training: {shown_path(self.out_dir / 'pretrain' / 'summary.csv')}")
        return "\n".join(lines)


_METRIC_NAMES = {"macro_f1": "F1 (macro)", "c_index": "C-index"}
LINE_WIDTH = 100  # characters of a terminal line


def _f1_name(results: pd.DataFrame) -> str:
    """``F1 (macro over 31–33 of 33 types)`` where a fold's macro averages left types out
    (:func:`macro_types`; a macro-F1 over 31 types was said as if over 33), else ``F1
    (macro)``: every type in every fold, and the clip note keeps its place in the header."""
    f1 = results[[c for c in results.columns if c.startswith("f1_")]]
    if f1.empty or f1.notna().all(axis=None):
        return _METRIC_NAMES["macro_f1"]
    return f"F1 (macro over {macro_types(results)})"


def model_row(label: str, width: int, values: pd.Series, note: str = "", *,
              n_folds: int | None = None, counted: list[str] | None = None
              ) -> tuple[str, list[str]]:
    """A model's summary row (``label`` padded to ``width``: mean ± sd of ``values`` over
    the test folds, their count: ``k/n_folds`` where fewer than ``n_folds``, and ``counted``,
    e.g. ``1 degenerate`` from :func:`summary_folds`) and the lines said under the rows:
    ``note`` (a collapsed pre-training) ends the row where the row stays within
    :data:`LINE_WIDTH` characters; else the row is marked † and the note follows the rows,
    naming the row (the per-fold
    pre-trained Gene-MOE's row was 122 characters: ``... (10 folds; pre-training collapsed
    in 2 of 10 runs)``); tables.md has the details.

    Examples
    --------
    >>> model_row("MOE (moe)", 9, pd.Series([0.5, 0.7]))
    ('    MOE (moe)  0.600 ± 0.141  (2 folds)', [])
    """
    v = values.dropna()
    n = len(v) if n_folds is None else n_folds
    said = "".join(f"; {c}" for c in counted or ())
    if v.empty:
        return f"    {label:<{width}}  –" + (f"  (0/{n} folds{said})" if said else ""), []
    sd = f" ± {v.std(ddof=1):.3f}" if len(v) > 1 else ""
    folds = f"{len(v)}/{n}" if n != len(v) else str(n)
    head = f"    {label:<{width}}  {v.mean():.3f}{sd}  ({folds} fold{'s' if n != 1 else ''}{said}"
    if not note or len(row := f"{head}; {note})") <= LINE_WIDTH:
        return (row if note else f"{head})"), []
    return f"{head}) †", textwrap.wrap(f"† {label}: {note}", width=LINE_WIDTH,
                                       initial_indent="    ", subsequent_indent=" " * 6)


_CLIP_LINE = re.compile(r"(?P<head>inputs clipped to ±\S+ (?:z|\(\S+ scaling\)))(?:, \d+ folds "
                        r"summed)?: (?P<parts>.+?) \((?:up to )?[\d,]+ genes?[^;]*; "
                        r"(?P<top>largest [^)]+)\)(?P<tail>.*)")
_CLIP_PART = re.compile(r"(?P<part>\S+) (?P<n>[\d,]+)(?: values?)? \((?P<share>[^)]*)\)")


def clip_words(line: str) -> str | None:
    """`genemoe benchmark`'s clip line (:func:`~genemoe.workflows.benchmark_protocol.
    clipped_lines`) in a few words, the parts with clipped values and their counts (their
    shares, genes and largest value are in ``models/summary.md``); None where the line is not
    of that form, or says that older cells were not counted.

    Examples
    --------
    >>> clip_words("inputs clipped to ±10 z, 2 folds summed: train 0 values (0.0%), val 10 "
    ...            "(0.3%), test 70 (0.3%) (up to 31 genes in a fold's part; largest |z| 32.1)")
    'inputs clipped to ±10 z: val 10, test 70 values'
    """
    m = _CLIP_LINE.fullmatch(line)
    parts = [_CLIP_PART.fullmatch(p) for p in m["parts"].split(", ")] if m else [None]
    if m is None or m["tail"] or not all(parts):
        return None
    kept = [f"{p['part']} {p['n']}" for p in parts if p is not None and p["n"] != "0"]
    one = len(kept) == 1 and kept[0].endswith(" 1")
    return f"{m['head']}: {', '.join(kept)} value{'' if one else 's'}" if kept else None


def _clip_header(header: str, clipped: list[str], width: int = 100) -> tuple[str, list[str]]:
    """The summary's header with what the folds' scalers clipped after it, where it fits in
    ``width`` characters (``F1 (macro), mean ± sd over test folds:  (inputs clipped to ±10 z:
    val 10, test 70 values)``: the summary stays a few lines); else the header and `genemoe
    benchmark`'s note lines (``note: inputs clipped ...``), wrapped."""
    words = clip_words(clipped[0]) if len(clipped) == 1 else None
    if words is not None and len(header) + len(words) + 5 <= width:
        return f"{header}:  ({words})", []
    return f"{header}:", [textwrap.fill(line, width=width, initial_indent="  note: ",
                                        subsequent_indent=" " * 8) for line in clipped]


def _part_protocol(part: Path) -> dict:
    """The benchmark part's protocol.json (its endpoint, the samples it used and left out,
    options tuned on another endpoint), for tables.md: said in each part's summary.md only."""
    path = part / "protocol.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _wrapped(head: str, items: list[str], width: int = 100) -> list[str]:
    """``head`` and the comma-separated ``items`` in lines of about ``width`` characters, an
    item never split (a label is read whole)."""
    lines = [head]
    for i, item in enumerate(items):
        text = item + ("," if i < len(items) - 1 else "")
        if len(lines[-1]) + len(text) > width and lines[-1].strip() != head.strip():
            lines[-1] = lines[-1].rstrip()
            lines.append("    ")
        lines[-1] += text + " "
    return [line.rstrip() for line in lines]


def ablation_models(task: Task) -> list[str]:
    """The models trained from scratch for ``task`` (the pre-trained one comes on top)."""
    return list(ABLATION_MODELS) + (list(SURVIVAL_PEERS) if task == "survival" else [])


@keeps_global_rng  # the caller's random states back, a first import's draws too
def run_ablation(bundle_path: Path | str, *, task: Task, out_dir: Path | str, n_repeats: int = 5,
                 n_folds: int = 3, preset: str = "small", seed: int = 0,
                 pretrained: Path | str | None = None, freeze_encoder_epochs: int = 0,
                 epochs: int | None = None, device: str = "auto", n_boot: int = N_BOOT,
                 progress: bool = False, pretrain_per_fold: bool = False,
                 pretrain_epochs: int | None = None) -> AblationResult:
    """The paper's ablation on identical folds: ``results.csv`` and ``tables.md``.

    Parameters
    ----------
    bundle_path
        Bundle directory (``genemoe prepare``).
    task
        ``"classify"`` (Table III) or ``"survival"`` (Table II, plus VAE-Cox and Cox-nnet).
    out_dir
        Output directory; re-running resumes (finished cells and pre-training runs are
        reused).
    n_repeats, n_folds, seed
        K-fold cross-validation redrawn ``n_repeats`` times (seed ``seed + repeat``).
    preset, epochs, device
        Model and training options (as ``genemoe benchmark``); ``epochs`` is the
        fine-tuning's (and every model's) training epochs.
    pretrained, freeze_encoder_epochs
        A ``genemoe pretrain`` run (checked by :func:`check_pretrained_run`) for the
        pre-trained Gene-MOE, and epochs its encoder stays frozen (also with
        ``pretrain_per_fold``); without either the table says the pre-trained model was
        not run.
    pretrain_per_fold, pretrain_epochs
        Instead of ``pretrained``: pre-train Gene-MOE (and, for survival, VAE-Cox) on each
        fold's training part (:func:`pretrain_folds`; the preset's ``pretrain:`` section,
        ``pretrain_epochs`` overriding its epochs) and fine-tune each fold from its own run.
    n_boot
        Bootstrap resamples of each survival cell's C-index intervals (``results.csv``'s
        ``c_index_lo``/``hi``; the tables show mean ± std over folds instead). Fewer than
        the benchmark's 1,000: on small cohorts the bootstrap, not the training, dominates.
    progress
        Progress bars over the cells (and the pre-training epochs).

    Returns
    -------
    AblationResult

    Raises
    ------
    InputError
        An argument of the wrong type (:func:`check_ablation_types`: before any other
        check); ``pretrained`` with ``pretrain_per_fold``; ``pretrain_epochs`` without it or
        below 1; ``out_dir`` a file; ``n_folds`` leaving a test part smaller than the
        bundle's cancer types (:func:`check_fold_sizes`); a preset giving one arm its own
        training recipe (:func:`check_one_recipe`); a leaking or mismatched ``pretrained`` run (its model,
        widths or genes: before anything is trained); invalid ``pretrain:`` options; what a
        benchmark of an arm refuses (an unknown or absent ``device``, a model option the
        preset lacks, ``epochs`` 0, a ``pretrained`` run of another normalisation). Every
        refusal comes before ``out_dir`` is touched: a refused rerun leaves the earlier
        ablation's tables, page and ``ablation.json`` as they were.
    """
    t0 = time.perf_counter()
    check_ablation_types(seed=seed, n_boot=n_boot, freeze_encoder_epochs=freeze_encoder_epochs,
                         pretrain_epochs=pretrain_epochs, epochs=epochs, n_folds=n_folds,
                         n_repeats=n_repeats, pretrain_per_fold=pretrain_per_fold,
                         progress=progress)  # first: "0" and 2.5 failed (or warned) below
    out_dir = path_of(out_dir, "out_dir")
    if out_dir.exists() and not out_dir.is_dir():  # was "afile/models: Not a directory"
        raise input_error(f"--out {shown_path(out_dir)} is a file, not a folder",
                          fix="pass a new folder, or one an earlier `genemoe ablation` wrote")
    check_out_dir(out_dir, "benchmark")
    if task not in ("classify", "survival"):
        raise input_error(f"unknown task {task!r}", where="--task", fix="use classify or survival")
    check_preset_serves(preset, ablation_models(task), "ablation")  # a tune's best.yaml
    recipe_warning = check_one_recipe(preset, ablation_models(task), task, epochs)  # one recipe
    if freeze_encoder_epochs < 0:  # was read as 0 (train refuses it)
        raise input_error(f"must be 0 or more epochs, got {freeze_encoder_epochs}",
                          where="--freeze-encoder-epochs",
                          fix="pass e.g. --freeze-encoder-epochs 5, or 0 (never frozen)")
    if n_boot < 1:  # was accepted (-4), and reached the survival cells' bootstrap
        raise input_error(f"must be at least 1 resample, got {n_boot}", where="--n-boot",
                          fix="pass e.g. --n-boot 200 (the default)")
    pretrained = None if pretrained is None else folder_of(pretrained, "pretrained")  # a
    #   result object too, as train's (Path(result) failed with TypeError)
    if pretrained is not None and pretrain_per_fold:
        raise input_error("--pretrained and --pretrain-per-fold both give the pre-trained "
                          "Gene-MOE", where="--pretrained",
                          fix="pass one of them: --pretrained RUN (pre-trained on other cohorts) "
                              "or --pretrain-per-fold (on each fold's training part)")
    if freeze_encoder_epochs and pretrained is None and not pretrain_per_fold:  # was ignored
        raise input_error(f"--freeze-encoder-epochs {freeze_encoder_epochs} freezes a pre-trained "
                          "encoder, and none is given", where="--freeze-encoder-epochs",
                          fix="add --pretrained RUN or --pretrain-per-fold, or drop "
                              "--freeze-encoder-epochs")
    if pretrain_epochs is not None and not pretrain_per_fold:  # said only what is missing
        raise input_error(f"--pretrain-epochs {pretrain_epochs} needs --pretrain-per-fold (it "
                          "sets the per-fold pre-training's epochs)",
                          fix="add --pretrain-per-fold, or drop --pretrain-epochs")
    if pretrain_epochs is not None and pretrain_epochs < 1:
        raise input_error(f"must be at least 1 epoch, got {pretrain_epochs}",
                          where="--pretrain-epochs", fix="pass e.g. --pretrain-epochs 10, or "
                                                         "drop it (the preset's epochs)")
    if task == "classify" and n_boot != N_BOOT:  # was accepted and ignored, unsaid
        log.warning("--n-boot %d is ignored: it sets the bootstrap of the survival C-index "
                    "intervals, and classification has none", n_boot)
    # what each arm's run_benchmark refuses (--device cuda on a CPU-only machine, --epochs 0,
    # a model option the preset lacks), before --out is touched: a rerun of other options
    # removed the earlier tables.md and report.html, then was refused (gaps: said below)
    with preset_gaps_said_once(preset, ablation_models(task), task, say=False):
        check_benchmark_options(task, ablation_models(task), n_folds=n_folds,
                                n_repeats=n_repeats, n_boot=n_boot, val_fraction=VAL_FRACTION,
                                device=device, preset=preset, seed=seed, epochs=epochs,
                                n_boot_default=None)  # said above, as --n-boot
    bundle = load_bundle(bundle_path := folder_of(bundle_path, "bundle_path"))  # a Bundle object too
    # plan_folds refuses --folds 200 (test parts of 4-5 samples: check_fold_sizes)
    plans = plan_folds(bundle, task, n_folds=n_folds, n_repeats=n_repeats, seed=seed,
                       val_fraction=VAL_FRACTION)
    check, recipes, defaults = None, {}, None
    if pretrained is not None:  # before anything is trained (its genes too: they were
        check = check_pretrained_run(bundle, plans, pretrained, preset=preset)  # refused after)
        check_benchmark_folds(bundle, plans, task, ["genemoe"], pretrained=pretrained,
                              seed=seed)  # its normalisation: was refused in its benchmark
    if pretrain_per_fold:  # a bad pretrain: section fails here, before anything is trained
        recipes = {m: pretrain_recipe(m, preset=preset, seed=seed, device=device,
                                      epochs=pretrain_epochs, progress=progress)
                   for m in ["genemoe", *(["vaecox"] if task == "survival" else [])]}
        defaults = pretrain_defaults_note(preset, epochs=pretrain_epochs)  # none: warned
    if pretrained is not None or pretrain_per_fold:  # the encoder never trained: unsaid
        warn_frozen_throughout(preset, task, epochs=epochs,
                               freeze_encoder_epochs=freeze_encoder_epochs)
    # a rerun of other options removes the earlier tables and page now, said (they were
    # removed at the end: a rerun stopped halfway left the earlier page beside the new cells)
    earlier, before = earlier_results(out_dir), read_record(out_dir)
    record = ablation_record(out_dir, bundle, task=task, n_folds=n_folds, n_repeats=n_repeats,
                             seed=seed, preset=preset, epochs=epochs, n_boot=n_boot,
                             pretrained=pretrained, freeze_encoder_epochs=freeze_encoder_epochs,
                             recipes=recipes, warnings=[recipe_warning] if recipe_warning else [])
    if clear_earlier_outputs(out_dir, before, record):
        earlier = None  # its page is gone: nothing left to judge at the end
    # written anew at the end: a run stopped halfway left the earlier tables beside new cells
    remove_outputs(out_dir, [f for f in ("results.csv", "tables.md") if (out_dir / f).exists()])
    rebase_parts(out_dir, before, _part_options(out_dir, preset, pretrained, recipes, plans))
    if out_dir.is_dir():  # (a new folder: written at the end, after the parts' checks)
        write_record(out_dir, record)
    common = dict(task=task, n_folds=n_folds, n_repeats=n_repeats, preset=preset, seed=seed,
                  epochs=epochs, device=device, val_fraction=VAL_FRACTION,
                  n_boot=n_boot if task == "survival" else BENCHMARK_N_BOOT,  # unused: said above
                  progress=progress)
    with (in_ablation_words(), said_once("genemoe.workflows.benchmark"),  # once: rows left out
          preset_gaps_said_once(preset, ablation_models(task), task)):  # was said per arm
        first = run_benchmark(bundle.path, models=ablation_models(task), out_dir=out_dir / "models",
                              stage="from scratch", **common)
        parts, cells = [first.results], [first.n_computed, first.n_reused]
        if pretrained is not None:
            _say_start("Gene-MOE", f"the encoder of {shown_path(pretrained)}",
                       out_dir / "pretrained")
            with named_fine_tuning(), transfer_said_by_caller():  # its collapse, its ~200-
                #   character "started from ..." line: said once per fold
                res = run_benchmark(bundle.path, models=["genemoe"], out_dir=out_dir / "pretrained",
                                    pretrained=pretrained,
                                    freeze_encoder_epochs=freeze_encoder_epochs,
                                    stage="pre-trained Gene-MOE", **common)
            _check_same_folds(out_dir / "models", out_dir / "pretrained")
            check = {**check, "freeze_encoder_epochs": freeze_encoder_epochs,
                     "genes_absent": _genes_absent(out_dir / "pretrained", plans)}
            parts.append(res.results.assign(model=PRETRAINED))
            cells = [cells[0] + res.n_computed, cells[1] + res.n_reused]
        summary = per_fold = None
        if pretrain_per_fold:
            runs, summary = pretrain_folds(bundle, plans, out_dir / "pretrain", recipes=recipes,
                                           preset=preset, seed=seed, device=device,
                                           epochs=pretrain_epochs, progress=progress)
            warned = set(summary.loc[summary["collapsed"].fillna(False).astype(bool)
                                     & ~summary["reused"].astype(bool), "run"])
            for model, recipe in recipes.items():
                name, sub = _PER_FOLD[model]
                _say_start(_FAMILY[model], f"its own run in {shown_path(out_dir / 'pretrain')}",
                           out_dir / sub)
                with named_fine_tuning(warned), transfer_said_by_caller():  # a collapse said
                    #   at pre-training, mentioned
                    res = run_benchmark(bundle.path, models=[model], out_dir=out_dir / sub,
                                        pretrained=FoldPretrained(runs[model], recipe),
                                        freeze_encoder_epochs=freeze_encoder_epochs,
                                        stage=f"pre-trained {_FAMILY[model]}", **common)
                _check_same_folds(out_dir / "models", out_dir / sub)
                parts.append(res.results.assign(model=name))
                cells = [cells[0] + res.n_computed, cells[1] + res.n_reused]
            per_fold = _per_fold_note(recipes, summary, n_runs=len(plans),
                                      freeze_encoder_epochs=freeze_encoder_epochs)
            per_fold["pretrain_from"] = defaults
        labels = PER_FOLD_LABELS if pretrain_per_fold else MODEL_LABELS
        results = labelled_results(parts, labels)
        atomic_write_text(out_dir / "results.csv", results.to_csv(index=False))
        tables = ablation_tables(results, task, n_folds=n_folds, n_repeats=n_repeats, seed=seed,
                                 preset=preset, pretrained=check, synthetic=bool(bundle.synthetic),
                                 per_fold=per_fold, epochs=epochs,
                                 protocol=_part_protocol(out_dir / "models"), out_dir=out_dir)
        atomic_write_text(out_dir / "tables.md", tables)
        write_record(out_dir, record)
        if earlier is not None and earlier != results.to_csv(index=False):  # other results
            remove_stale_pages(out_dir, False)
        return AblationResult(out_dir, task, results, tables,
                              None if pretrained is None else Path(pretrained),
                              time.perf_counter() - t0, summary, *cells,
                              collapsed=collapse_counts(per_fold, check),
                              clipped=first.clipped, warnings=record.get("warnings", []))


def labelled_results(parts: list[pd.DataFrame], labels: dict[str, str]) -> pd.DataFrame:
    """The parts' rows in one frame, a ``label`` column after ``model`` (``labels[model]``).

    Joined at once: ``insert`` into the concatenated survival rows (their per-type columns,
    added one by one, in 100+ blocks) printed pandas' ``PerformanceWarning: DataFrame is
    highly fragmented ... (workflows/ablation.py:496)`` at the end of a real run."""
    results = pd.concat(parts, ignore_index=True)
    label, at = results["model"].map(labels).rename("label"), results.columns.get_loc("model") + 1
    return pd.concat([results.iloc[:, :at], label, results.iloc[:, at:]], axis=1)


def _say_start(family: str, start: str, part: Path) -> None:
    """Say once what the pre-trained rows start from: each fold said "started from the
    pre-trained Gene-MOE encoder (encoder) of ...: 70 tensors; 188 of the model's 192 genes
    pre-trained, ..." (158 to 250 characters); the details per fold are behind -v, and in
    each cell's record (``info.pretrained``)."""
    log.info("pre-trained %s: each fold fine-tunes %s (details per fold: -v, and %s)",
             family, start, shown_path(part / "cells"))


def _part_options(out_dir: Path, preset: str, pretrained: Path | None,
                  recipes: dict[str, dict], plans: list[FoldPlan]) -> dict[str, dict[str, Any]]:
    """Each benchmark part's options that name paths (``preset``, ``pretrained``), as this
    run gives them (:func:`~genemoe.workflows.ablation_rerun.rebase_parts`)."""
    parts: dict[str, dict[str, Any]] = {"models": {"preset": str(preset)}}
    if pretrained is not None:
        parts["pretrained"] = {"preset": str(preset),
                               "pretrained": pretrained_options(pretrained, plans)}
    for model, runs in fold_runs(out_dir / "pretrain", list(recipes), plans).items():
        parts[_PER_FOLD[model][1]] = {"preset": str(preset), "pretrained": pretrained_options(
            FoldPretrained(runs, recipes[model]), plans)}
    return parts


def _per_fold_note(recipes: dict[str, dict], summary: pd.DataFrame, *, n_runs: int,
                   freeze_encoder_epochs: int) -> dict[str, Any]:
    """What ``tables.md`` says about the per-fold pre-training (from ``summary.csv``)."""
    models = {}
    for model, recipe in recipes.items():
        s = summary[summary["model"] == model]
        models[model] = {
            "epochs": int(recipe["pretrain"]["epochs"]), "n_runs": len(s),
            "val_r2": float(s["val_r2"].mean()), "val_r_sample": float(s["val_r_sample"].mean()),
            "val_r_sample_baseline": float(s["val_r_sample_baseline"].mean()),
            "n_collapsed": int(s["collapsed"].astype(bool).sum())}
    return {"models": models, "n_folds": n_runs, "freeze_encoder_epochs": freeze_encoder_epochs}


def _genes_absent(bench_dir: Path, plans: list[FoldPlan]) -> tuple[int, int] | None:
    """The fewest and most of the pre-trained run's genes absent in a fold (its cells'
    ``info.pretrained.n_genes_missing``): said in tables.md (``pretrained/`` alone had it)."""
    missing = []
    for plan in plans:
        try:
            cell = json.loads((bench_dir / "cells" / f"genemoe__r{plan.repeat}_f{plan.fold}.json")
                              .read_text())
        except (OSError, ValueError):
            continue
        n = ((cell.get("info") or {}).get("pretrained") or {}).get("n_genes_missing")
        if n is not None:
            missing.append(int(n))
    return (min(missing), max(missing)) if missing else None


def _check_same_folds(a: Path, b: Path) -> None:
    """The two benchmark directories used the same rows in every part of every fold."""
    sa, sb = (pd.read_csv(d / "splits.tsv", sep="\t", dtype={"sample_id": str}) for d in (a, b))
    if not sa.equals(sb):  # plan_folds is deterministic: this would be a bug
        raise RuntimeError(f"the folds of {a} and {b} differ")


