"""``genemoe demo``: the whole pipeline on the synthetic cohort (or a bundle), read as a result.

synthetic files (real formats) → ``prepare`` → ``train`` (Gene-MOE and its peers on both
tasks: logreg, mlp, fcn for classification; coxnet for survival) → ``predict`` on the raw
counts file → an HTML report per Gene-MOE run → ONE table of every model on the test
split, a sentence saying which did best and by how much (from the numbers: McNemar's
exact test for paired test accuracy, a paired bootstrap of the C-index difference on the
same test patients, beside the C-index within types and that of cancer type alone),
predict's warnings, and where everything is. Every output made from the synthetic cohort
says so.

Every model first gets the same tuning budget (``tune`` Optuna trials, 3 by default, on
the validation split only: ``genemoe tune``), then trains once with its best trial's options
(``genemoe train --config best.yaml``); ``tune=0`` trains the ``small`` preset as it is
(the classical models still choose from their small validation grids, said in the summary).
The neural models train for at most ``epochs`` (30) epochs with early stopping on
validation, so the demo took 1 min 11 s to 2 min 30 s on 2 cores in fresh clones (README),
much longer on a loaded machine; on a cohort this small that is a demonstration, not a
benchmark (``genemoe benchmark`` is).
"""

from __future__ import annotations

import logging
import shlex
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from genemoe.data.bundle import Bundle, atomic_write_text, check_out_dir, load_bundle
from genemoe.errors import input_error
from genemoe.report.demo_page import DEMO_FILE
from genemoe.workflows.demo_record import NAMES, is_demo_record, write_demo_record

if TYPE_CHECKING:
    from genemoe.evaluate.paired_c import PairedC

__all__ = ["run_demo", "DEMO_MODELS", "DemoRow", "next_for_bundle", "predict_said"]

log = logging.getLogger(__name__)

# (model, task) pairs the demo trains, Gene-MOE first; classical peers tune on validation.
DEMO_MODELS = (("genemoe", "classify"), ("logreg", "classify"), ("mlp", "classify"),
               ("fcn", "classify"), ("genemoe", "survival"), ("coxnet", "survival"))
WIDTH = 100  # the verdict's and notes' lines (the table is as wide as it is)
PREDICTIONS = "predictions_from_counts.csv"  # the raw counts file scored by Gene-MOE
# predict's caveats shown under the predictions' path beside its warnings (the rest: the record)
SHOWN_CAVEATS = ("model_own_samples",)  # the file held the model's own 637 + 89 samples


@dataclass
class DemoRow:
    """One trained model: its run directory, test metrics and the same metric on train."""

    model: str
    task: str
    run_dir: Path
    test: dict
    train_metric: float
    seconds: float
    trials: int = 0


def _synthetic_bundle(out_dir: Path, seed: int) -> tuple[Bundle, dict[str, Path]]:
    from genemoe.data.prepare import PrepareConfig, prepare_dataset
    from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files

    log.info("preparing a synthetic cohort: 900 tumours and 20 normals × 1,500 genes, 33 types "
             "(genemoe prepare)")
    cohort = make_synthetic_cohort(n_samples=900, n_genes=1500, seed=seed, include_normals=20)
    files = write_synthetic_files(cohort, out_dir / "synthetic_input")
    bundle = prepare_dataset(
        [files["counts"]], out_path=out_dir / "synthetic_bundle", label_paths=[files["labels"]],
        clinical_path=files["clinical"], annotation_path=files["annotation"],
        config=PrepareConfig(seed=seed, synthetic=True),
    )
    return bundle, files


def _train_metric(run_dir: Path, task: str) -> float:
    """Accuracy (classify) or Harrell's C-index (survival) on the run's training split."""
    from genemoe.evaluate.survival import concordance_index

    p = pd.read_csv(run_dir / "predictions.tsv", sep="\t")
    p = p[p["split"] == "train"]
    if task == "classify":
        return float((p["predicted_type"].astype(str) == p["cancer_type"].astype(str)).mean())
    return float(concordance_index(p["time"], p["event"].astype(bool), p["risk"]))


def _tuned_config(bundle: Bundle, out_dir: Path, model: str, task: str, *, trials: int,
                  seed: int, epochs: int | None) -> tuple[Path, float]:
    """Tune ``model`` on the validation split (``trials`` trials); its best.yaml and seconds."""
    from genemoe.workflows.tune import tune_run

    log.info("tuning %s for %s: %d trial%s on the validation split", model, task, trials,
             "" if trials == 1 else "s")  # was "1 trials"
    tuned = tune_run(bundle.path, out_dir=out_dir / "tuning" / f"{model}_{task}", task=task,
                     model_name=model, n_trials=trials, preset="small", seed=seed,
                     epochs=epochs, progress=False)
    return tuned.out_dir / "best.yaml", float(tuned.result.seconds)


def _train_all(bundle: Bundle, out_dir: Path, runs: list[tuple[str, str]], *, seed: int,
               epochs: int, progress: bool, tune: int = 0) -> list[DemoRow]:
    from genemoe.models.registry import get_spec
    from genemoe.workflows.train import train_run

    rows = []
    for model, task in runs:
        neural = get_spec(model).kind == "torch"
        config, tune_seconds = (_tuned_config(bundle, out_dir, model, task, trials=tune, seed=seed,
                                              epochs=epochs if neural else None)  # no warning
                                if tune else (None, 0.0))
        log.info("training %s for %s%s", model, task,
                 f" (at most {epochs} epoch{'s' if epochs != 1 else ''}, early stopping on "
                 "validation)" if neural
                 else "" if tune else " (its own grid on the validation split)")
        run_dir = out_dir / "runs" / f"{model}_{task}"
        res = train_run(bundle.path, out_dir=run_dir, task=task, model_name=model, preset="small",
                        config_path=config, seed=seed, epochs=epochs if neural else None,
                        progress=progress and neural)
        rows.append(DemoRow(model, task, run_dir, res.metrics["test"],
                            _train_metric(run_dir, task), res.seconds + tune_seconds, tune))
    return rows


def _clear_previous_demo(out_dir: Path, models: tuple[tuple[str, str], ...]) -> None:
    """A demo run again into its --out starts afresh: the tuning studies (which would
    resume, with other options or seed) and runs of its own ``models`` are removed, with the
    summary.txt and the predictions of the raw counts file it wrote, said in one line. Only
    those: ``genemoe demo --out .`` in a project folder removed the whole of its ``runs/``
    and ``tuning/`` (README's own commands write runs there)."""
    from genemoe.workflows.predict_companions import companion_owner, record_path

    old = [d for m, t in models for d in (out_dir / "tuning" / f"{m}_{t}",
                                          out_dir / "runs" / f"{m}_{t}") if d.is_dir()]
    summary = out_dir / "summary.txt"  # its table named the runs removed here
    if summary.is_file() and summary.read_text(errors="replace").startswith("genemoe demo"):
        old.append(summary)
    if is_demo_record(record := out_dir / DEMO_FILE):  # its page too, which links the runs
        old += [f for f in (record, out_dir / "report.html") if f.is_file()]
    pred = out_dir / PREDICTIONS  # a synthetic demo's, left beside a later --data demo's runs
    if companion_owner(pred) == pred.name:  # predict's own output (its record names it)
        old += [f for f in (pred, record_path(pred)) if f.is_file()]
    if old:
        log.info("replacing the previous demo in %s: %s", out_dir,
                 ", ".join(str(d.relative_to(out_dir)) for d in old))
        for d in old:
            if d.is_dir():
                shutil.rmtree(d)
            else:
                d.unlink()


def run_demo(out_dir: Path | str, *, data: Path | str | None = None, seed: int = 0,
             epochs: int = 30, models: tuple[tuple[str, str], ...] = DEMO_MODELS,
             progress: bool = True, tune: int = 3) -> str:
    """Run prepare → train → predict → report and return the result as printable text.

    Parameters
    ----------
    out_dir
        Where everything goes (created).
    data
        A bundle to use instead of the synthetic cohort.
    seed
        Seed of the cohort, the splits and the models.
    epochs
        Upper bound on training epochs (early stopping on validation may stop sooner).
    models
        ``(model, task)`` pairs to train; survival pairs are skipped when the bundle has
        fewer than 10 events.
    progress
        Progress bars over the neural models' epochs.
    tune
        Optuna trials per model on the validation split before its one training run (the
        same budget for every model); 0 trains the ``small`` preset as it is (classical
        models: their own small validation grids).

    Returns
    -------
    str
        One table of every model (test accuracy and macro-F1, or C-index with its 95%
        interval, and the same metric on the training split), the verdict sentence, and
        the paths of the predictions, the reports and the outputs.
    """
    from genemoe.report.html import write_report
    from genemoe.workflows.predict import predict_file

    if tune < 0:
        raise input_error(f"must be 0 or more trials, got {tune}", where="--tune",
                          fix="pass e.g. --tune 3 (0: no tuning)")
    if epochs < 1:  # before a run folder is made
        raise input_error(f"must be 1 or more, got {epochs}", where="--epochs",
                          fix="pass e.g. --epochs 30 (early stopping may stop sooner)")
    out_dir = Path(out_dir)
    check_out_dir(out_dir, "demo")  # a run's, a bundle's or a benchmark's folder: refused
    # the bundle before anything is removed: a mistyped --data removed the previous demo's
    # runs and studies, then was refused (its summary.txt left naming them)
    given = None if data is None else load_bundle(data)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_previous_demo(out_dir, models)
    files: dict[str, Path] = {}
    bundle, files = _synthetic_bundle(out_dir, seed) if given is None else (given, {})
    runs = [(m, t) for m, t in models
            if t == "classify" or bundle.summary.get("n_events", 0) >= 10]
    if any(t == "survival" for _, t in models) and not any(t == "survival" for _, t in runs):
        log.warning("survival left out: the bundle has %d events, 10 needed (prepare it with "
                    "--clinical for survival)", bundle.summary.get("n_events", 0))
    rows = _train_all(bundle, out_dir, runs, seed=seed, epochs=epochs, progress=progress,
                      tune=tune)
    pred = None
    if files and ("genemoe", "classify") in runs:
        pred = out_dir / PREDICTIONS
        log.info("scoring the raw counts file with Gene-MOE (genemoe predict)")
        log.debug("%s", predict_file(out_dir / "runs" / "genemoe_classify", files["counts"],
                                    out_path=pred))  # all of it with -v; the record keeps it
    for r in rows:  # every model's page, each linked from the demo's own
        write_report(r.run_dir)
    said = [verdict(rows, bundle.synthetic)]
    if not tune and (grids := _grid_searches(rows)):  # "the small preset as it is", said of
        said.append(f"--tune 0: {grids} on the validation split, the neural models none: "  # a
                    "not an equal search (--tune N gives every model N trials"
                    + ("; coxnet still fits its alpha path within each" if any(
                        r.model == "coxnet" for r in rows) else "") + ")")  # logreg's grid
    if capped := _at_epoch_cap(rows):  # "logreg classified best" at --epochs 3, unqualified
        said.append(f"{capped} kept the last epoch allowed ({epochs}): still improving, so "
                    "a larger --epochs may change the verdict")
    # wrapped: the verdict and the notes were single lines of about 400 characters
    lines = [_header(bundle, epochs, tune), results_table(rows), "",
             *(textwrap.fill(t, WIDTH, break_on_hyphens=False) for t in said if t)]
    lines += [""] + ([*_packed([f"predictions: {pred.resolve()}",  # was 102 characters
                                 "(the raw counts file scored by Gene-MOE)"], " ", " ",
                               indent=" " * len("predictions: ")),
                      *predict_said(pred)] if pred else [])
    write_demo_record(out_dir, rows, bundle=bundle, seed=seed, epochs=epochs, tune=tune,
                      header=_header(bundle, epochs, tune), said=said, predictions=pred,
                      predictions_said=predict_said(pred) if pred else [])
    page = write_report(out_dir).resolve()  # the table, the verdict, each run's page linked
    lines += [*_packed([f"report:      {page}", "(every model side by side; each run's page "
                        "linked)"], " ", " ", indent=" " * len("report:      ")),
              f"all outputs: {out_dir.resolve()}"]
    atomic_write_text(out_dir / "summary.txt", "\n".join(lines) + "\n")  # was printed only
    return ("\n".join(lines) + f"\nsummary:     {(out_dir / 'summary.txt').resolve()}\n"
            + (NEXT if data is None else next_for_bundle(bundle.path)))


def _at_epoch_cap(rows: list[DemoRow]) -> str:
    """The models (``Gene-MOE (classify) and mlp``) whose run kept its last allowed epoch,
    from each run's config.yaml (:func:`~genemoe.evaluate.benchmark_files.epoch_cap_note`), or ""."""
    import yaml

    from genemoe.evaluate.benchmark_files import epoch_cap_note

    names = [f"{NAMES.get(r.model, r.model)} ({r.task})" for r in rows
             if (r.run_dir / "config.yaml").is_file() and epoch_cap_note(
                 yaml.safe_load((r.run_dir / "config.yaml").read_text()) or {})]
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def _grid_searches(rows: list[DemoRow]) -> str:
    """``logreg chose from 5 settings of C, coxnet from 90 of alpha, l1_ratio``: the
    classical models' own validation grids (run without a tuning budget), from each run's
    config.yaml (``params.fitted``), or ""."""
    import yaml

    said = []
    for r in rows:
        path = r.run_dir / "config.yaml"
        fitted = ((yaml.safe_load(path.read_text()) or {}).get("params") or {}).get(
            "fitted") or {} if path.is_file() else {}
        if len(grid := fitted.get("grid_scores") or []) > 1:
            said.append(f"{NAMES.get(r.model, r.model)} from {len(grid)} settings of "
                        + ", ".join(k for k in grid[0] if k != "score"))
    return ", ".join(said).replace(" from ", " chose from ", 1)  # the first one's verb


def predict_said(pred_path: Path) -> list[str]:
    """Predict's warnings and the count of the model's own samples, as the record beside
    ``pred_path`` keeps them (each wrapped short), and how many caveats more it holds.

    The demo logged predict's summary at DEBUG only: its warning that 20 samples were of a
    tissue the model never saw, and that 637 + 89 rows were the model's own training and
    validation samples (optimistic), reached no one (an outside probe)."""
    import json

    from genemoe.workflows.predict_companions import record_path

    record = record_path(pred_path)
    notes = json.loads(record.read_text()).get("warnings") or [] if record.is_file() else []
    shown = [n for n in notes if n.get("level") == "warning" or n.get("code") in SHOWN_CAVEATS]
    out = [textwrap.fill("warning: " * (n["level"] == "warning") + n["text"], WIDTH,
                         initial_indent="  ", subsequent_indent="      ",
                         break_on_hyphens=False) for n in shown]
    if rest := len(notes) - len(shown):
        out.append(f"  {rest} more caveat{'s' * (rest != 1)} in {record.name} (-v prints "
                   "predict's whole summary)")
    return out


# what a first-time user does next (the demo ended on paths alone: a probe's first contact)
NEXT = ("next:        your own data: genemoe prepare --expression FILE --labels FILE --out "
        "bundles/mine,\n             then genemoe benchmark --data bundles/mine\n"
        "             (README: \"From download to a prepared bundle\")")  # was 102 wide


def next_for_bundle(path: Path) -> str:
    """The next step after a demo on the user's own bundle (``--data``): a benchmark of it
    (the demo ended on "your own data: genemoe prepare ..." there too)."""
    return ("next:        every model on repeated folds of this bundle (README: \"Compare "
            "models fairly\"):\n             genemoe benchmark "  # the command on its own line
            f"--data {shlex.quote(str(path))} --out bench/mine")  # (163 wide); a path's space


def _header(bundle: Bundle, epochs: int, tune: int = 0) -> str:
    """What the demo ran on and how, in lines of at most ``WIDTH`` characters (the two lines
    were 105 and 109 characters on the synthetic cohort, longer with a bundle's path)."""
    s = bundle.summary
    n = {p: len(bundle.indices(p)) for p in ("train", "val", "test")}
    what = "SYNTHETIC cohort (genemoe.data.synthetic)" if bundle.synthetic else str(bundle.path)
    parts = [f"genemoe demo · {what}",
             f"{bundle.n_samples:,} samples × {bundle.n_genes:,} genes, "
             f"{len(bundle.class_names)} types, {s.get('n_events', 0):,} events",
             f"split {n['train']} train · {n['val']} val (selection) · {n['test']} test",
             *([] if tune else ["no tuning budget (--tune 0)"]),
             f"neural models: at most {epochs} epoch{'s' if epochs != 1 else ''}"]
    return "\n".join(_packed(parts, ": ", "; ") + (
        [f"tuning: {tune} trial{'s' if tune != 1 else ''} per model on the validation split "
         "(a classical model's first: its own grid)"] if tune else []))


def _packed(parts: list[str], first_sep: str, sep: str, indent: str = "") -> list[str]:
    """``parts`` joined on as few lines of at most ``WIDTH`` characters as they fit, never
    broken inside a part (``first_sep`` after the first part, ``sep`` between the others);
    a continued line starts with ``indent`` (the predictions' "(the raw counts file ...)"
    stood at column 0 under "predictions:")."""
    lines = [parts[0]]
    for i, part in enumerate(parts[1:]):
        joined = lines[-1] + (first_sep if i == 0 else sep) + part
        if len(joined) <= WIDTH:
            lines[-1] = joined
        else:
            lines.append(indent + part)
    return lines


def results_table(rows: list[DemoRow]) -> str:
    """Every model on the test split, one row each (metrics as :mod:`genemoe.report.text`)."""
    from genemoe.report.text import fmt_ci, fmt_seconds, fmt_value, text_table

    cols = ["task", "model", "accuracy", "macro-F1", "C-index", "95% CI", "train", "time"]
    body = []
    for r in rows:
        t = r.test
        body.append([r.task, NAMES.get(r.model, r.model), fmt_value(t.get("accuracy")),
                     fmt_value(t.get("macro_f1")), fmt_value(t.get("c_index")),
                     fmt_ci(t.get("c_index_ci")), fmt_value(r.train_metric),
                     fmt_seconds(r.seconds)])
    tuned = any(r.trials for r in rows)  # the time of a tuned model was its trials' + its run's
    return text_table(cols, body, right=cols[2:], caption=(
        "  metrics on the test split · 95% CI: bootstrap · train: accuracy or C-index on the "
        + ("training split\n  time: the tuning trials and the final training run together"
           if tuned else "training split")))


def _p_said(text: str) -> str:
    """``= 0.016``, or ``< 1e-16`` as it is (was "p = < 1e-16")."""
    return text if text.startswith(("<", ">")) else f"= {text}"


def _mcnemar_p(a: DemoRow, b: DemoRow) -> float:
    """Exact McNemar p of paired test accuracy (samples one model gets right, the other not)."""
    from scipy.stats import binomtest

    def right(r: DemoRow) -> pd.Series:
        p = pd.read_csv(r.run_dir / "predictions.tsv", sep="\t")
        p = p[p["split"] == "test"].set_index("sample_id")
        return p["predicted_type"].astype(str) == p["cancer_type"].astype(str)

    ra, rb = right(a).align(right(b), join="inner")
    only_a, only_b = int((ra & ~rb).sum()), int((~ra & rb).sum())
    return 1.0 if only_a + only_b == 0 else float(binomtest(only_a, only_a + only_b).pvalue)


def _pair(rows: list[DemoRow], key: str) -> tuple[DemoRow, DemoRow] | None:
    """(best, other): the best model on ``key``, and Gene-MOE — or, when Gene-MOE is best,
    the best peer."""
    scored = [r for r in rows if np.isfinite(r.test.get(key) or np.nan)]
    if len(scored) < 2:
        return None
    best = max(scored, key=lambda r: r.test[key])
    ours = [r for r in scored if r.model == "genemoe"]
    other = (max([r for r in scored if r is not best], key=lambda r: r.test[key])
             if best.model == "genemoe" or not ours else ours[0])
    return best, other


def _tied(rows: list[DemoRow], best: DemoRow, key: str) -> list[DemoRow]:
    """The models level with ``best`` as printed (3 decimals), when more than one is."""
    from genemoe.report.text import fmt_value

    level = [r for r in rows if np.isfinite(r.test.get(key) or np.nan)
             and fmt_value(r.test[key]) == fmt_value(best.test[key])]
    return level if len(level) > 1 else []


def _listed(names: list[str]) -> str:
    """``a, b and c`` (was ``a and b and c``)."""
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def verdict(rows: list[DemoRow], synthetic: bool) -> str:
    """Which model did best on each task and how far apart, saying no more than the numbers."""
    from genemoe.report.text import fmt_p, fmt_value

    name = lambda r: NAMES.get(r.model, r.model)  # noqa: E731
    parts = []
    cls = _pair([r for r in rows if r.task == "classify"], "macro_f1")
    if cls and (tied := _tied([r for r in rows if r.task == "classify"], cls[0], "macro_f1")):
        parts.append(f"{_listed(list(map(name, tied)))} classified equally well (test macro-F1 "
                     f"{fmt_value(cls[0].test['macro_f1'])} each): no model is best")
    elif cls:
        b, o = cls
        p = _mcnemar_p(b, o)
        close = [f"{name(r)} (p {_p_said(fmt_p(q))})" for r in rows if r.task == "classify"
                 and r not in (b, o) and (q := _mcnemar_p(b, r)) >= 0.05]  # were unsaid: "fcn
        parts.append(  # best" beside logreg's higher accuracy, p 0.69 between them (a probe)
            f"{name(b)} classified best (test macro-F1 {fmt_value(b.test['macro_f1'])} vs "
            f"{fmt_value(o.test['macro_f1'])} for {name(o)}; accuracy "
            f"{fmt_value(b.test['accuracy'])} vs {fmt_value(o.test['accuracy'])}, McNemar p "
            f"{_p_said(fmt_p(p))}{', not a significant difference' if p >= 0.05 else ''})"
            + (f", though {_listed(close)} {'is' if len(close) == 1 else 'are'} not told "
               "apart from it by McNemar's test" if close else ""))
    srv = _pair([r for r in rows if r.task == "survival"], "c_index")
    if srv and (tied := _tied([r for r in rows if r.task == "survival"], srv[0], "c_index")):
        parts.append(f"{_listed(list(map(name, tied)))} ranked survival risk equally well "
                     f"(C-index {fmt_value(srv[0].test['c_index'])} each): no model is best")
    elif srv:
        parts.append(_survival_said(*srv, [r for r in rows if r.task == "survival"]))
    cohort = "this synthetic cohort" if synthetic else "this cohort"
    text = (f"On {cohort}, " + "; ".join(parts) + ".") if parts else ""
    text += _overfit_sentence([r for r in rows if r.task == "classify"])
    return text


def _paired_c(b: DemoRow, o: DemoRow) -> PairedC | None:
    """``b``'s test C-index minus ``o``'s on the test patients both scored, with its paired
    bootstrap interval; None without both runs' predictions.tsv."""
    from genemoe.evaluate.paired_c import paired_c_index_difference

    if not all((r.run_dir / "predictions.tsv").is_file() for r in (b, o)):
        return None
    pb, po = (pd.read_csv(r.run_dir / "predictions.tsv", sep="\t").query("split == 'test'")
              .set_index("sample_id") for r in (b, o))
    pb, po = pb.align(po, join="inner", axis=0)
    keep = (pb[["time", "event", "risk"]].notna().all(axis=1) & po["risk"].notna()).to_numpy()
    pb, po = pb[keep], po[keep]  # a patient without an outcome is in no pair (NaN read as an event)
    return paired_c_index_difference(pb["time"], pb["event"].astype(bool), pb["risk"],
                                     po["risk"])


def _survival_said(b: DemoRow, o: DemoRow, rows: list[DemoRow]) -> str:
    """The best survival model against ``o``: a paired bootstrap of the C-index difference on
    the same test patients (was "the intervals overlap": unpaired intervals test nothing),
    the C-index within types, and that of cancer type alone (the run report's words)."""
    from genemoe.evaluate.brier import event_word
    from genemoe.report.terminal import within_c_text
    from genemoe.report.text import fmt_ci, fmt_value

    name = lambda r: NAMES.get(r.model, r.model)  # noqa: E731
    text = (f"{name(b)} ranked survival risk best (C-index {fmt_value(b.test['c_index'])} vs "
            f"{fmt_value(o.test['c_index'])} for {name(o)}")
    if (d := _paired_c(b, o)) is not None:
        text += (f"; paired bootstrap on the same {d.n} test patients: {name(b)} − {name(o)} "
                 f"{d.difference:+.3f} {fmt_ci((d.lo, d.hi))}".rstrip()
                 + ("" if d.excludes_zero else ", not a significant difference"))
    if all(r.test.get("within_type_c_index") is not None for r in (b, o)):
        text += (f"; within cancer types {within_c_text(b.test)} vs "  # a degenerate 1.000
                 f"{within_c_text(o.test)}")  # was said bare, as if ranked perfectly
    if (alone := b.test.get("type_only_c_index")) is not None:
        below = [name(r) for r in rows if r.test.get("c_index") is not None
                 and r.test["c_index"] < alone]
        text += (f"; cancer type alone (each type's training {event_word(_endpoint(b))} rate "
                 f"as the risk) gives {fmt_value(alone)} pooled"
                 + (f", above {_listed(below)}" if below else ""))
    return text + ")"


def _endpoint(r: DemoRow) -> str | None:
    """The survival run's endpoint (``OS``, ``PFI``) from its metrics.json, or None."""
    import json

    path = r.run_dir / "metrics.json"
    return (json.loads(path.read_text()).get("endpoint") if path.is_file() else None)


def _overfit_sentence(rows: list[DemoRow]) -> str:
    """Said only when Gene-MOE fits its training split (≥ 0.9) and loses the most on test."""
    from genemoe.report.text import fmt_value

    gap = {r.model: r.train_metric - (r.test.get("accuracy") or 0.0) for r in rows}
    ours = next((r for r in rows if r.model == "genemoe"), None)
    if ours is None or ours.train_metric < 0.9 or gap["genemoe"] < 0.15 or gap["genemoe"] < max(gap.values()):
        return ""
    train, test = fmt_value(ours.train_metric), fmt_value(ours.test["accuracy"])
    if len(rows) > 1 and all(r.train_metric >= 0.99 for r in rows):
        return (f" Every classifier fits its training split (train accuracy ≥ 0.99); Gene-MOE "
                f"falls furthest on the test split ({train} → {test}): the widest gap between "
                "training and test on this small cohort.")
    return (f" Gene-MOE fits its training split far better than the test split (accuracy "
            f"{train} vs {test}): the widest gap between training and test on a cohort this "
            "small.")
