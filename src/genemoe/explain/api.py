"""``genemoe explain``: gene rankings of a trained run (Integrated Gradients and alternatives).

``explain_run`` loads ``RUN/model.pt``, takes samples from a bundle (the test split by
default, or named sample ids), scales them with the run's own scaler, attributes each
sample's predicted class (classify; pooled per label, as ``--compare`` does: its labelled
class) or its risk (survival) to the genes, and writes::

    DIR/genes_by_class.csv   class, rank, gene_id, symbol, mean_attribution,
                             mean_abs_attribution, n_samples (every gene of every class;
                             survival: by mean |attribution|, with effect_sign)
    DIR/attributions.npy     (n_samples, n_genes) float32, rows in samples.tsv order
    DIR/samples.tsv          sample_id, cancer_type, predicted, group, output_change,
                             live_change, delta, split (survival: also risk, time, event);
                             group is the class the sample is pooled under, whose output
                             was attributed; split is the run's (run_split.py: ``new``,
                             ``no outcome``)
                             output_change is what the attributions add up to (less delta):
                             f(x) - f_frozen(reference) with the routing frozen, else
                             f(x) - f(reference); live_change is the live model's
                             f(x) - f(reference) (they differ by the routing jump)
    DIR/genes.tsv            gene_id, symbol: the columns of attributions.npy
    DIR/genes_by_sample.csv  sample_id, rank, gene_id, symbol, attribution (each sample's
                             top 50 genes, by |attribution|, signed); image models also
                             pixel, genes_in_pixel, shares_pixel_with, as genes_by_class.csv
    DIR/convergence.json     the method, its completeness |Σ attributions - (f(x) - f(ref))|,
                             seconds per sample, options; routing frozen: routing_jump, the
                             gap f(ref) - f_frozen(ref) the attributions leave out, and
                             routing_warning where it is large (median above 10% of the
                             live change) or flips a sample's sign
    DIR/top_genes.png        top genes per class
    DIR/maps/<sample>.png    per explained sample (at most 12: misclassified ones first,
                             the others in turns over the predicted classes): image models,
                             the input image and its attribution map; vector models, a
                             signed bar chart of its top 20 genes by |attribution|, titled
                             with its true and predicted type (survival: type, risk and
                             outcome) and its completeness delta

Methods (``method``, :mod:`genemoe.explain.methods`): ``auto`` (default) is ``train_ig``
for models that read the gene vector (IG from training tumours, with each sample's routing
frozen at its own experts on the sparse ``genemoe`` and ``moe``) and plain IG for image
models;
``ig`` forces plain IG, whose path crosses routing switches on sparse models, so that
completeness then fails by the jumps (convergence.json says so: relative deltas well above
0.05 that do not shrink with ``n_steps``); ``gradient_shap`` and ``deeplift`` are the
alternatives. Rankings can be restricted to protein-coding genes or to genes expressed in
the class (``genes``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch

from genemoe.data.args import AtFolder, as_list, check_flags, folder_of, path_of, shown_path
from genemoe.data.bundle import (
    atomic_write_text,
    check_out_dir,
    dump_json,
    file_sha256,
    load_bundle,
    remove_outputs,
)
from genemoe.data.scaling import Scaler
from genemoe.errors import input_error
from genemoe.explain.bundle_genes import model_genes
from genemoe.explain.convergence import (
    _convergence,
    _genes_ranked_text,
    _note_pixel_sharing,
    _refined,
)
from genemoe.explain.cost import cost_text
from genemoe.explain.integrated_gradients import BaselineName, baseline_vector
from genemoe.explain.linear import (
    LINEAR_MODELS,
    LinearScore,
    is_linear_payload,
    weight_record,
    weighted_keep,
)
from genemoe.explain.maps import (
    _MAX_MAPS,
    _gene_labels,
    _image_layout,
    _image_maps,
    _image_size,
    _map_facts,
    _vector_maps,
)
from genemoe.explain.members import linear_members, with_agreement
from genemoe.explain.methods import (
    DEFAULT_DRAWS,
    DEFAULT_N_STEPS,
    NOT_REFINED,
    PATH_METHODS,
    Method,
    attribute_with,
    refines,
    resolve_method,
    train_references,
)
from genemoe.explain.options import LABEL_WHERE, check_options, check_samples, method_in_use
from genemoe.explain.out_folder import clear_other_kind
from genemoe.explain.padding import note_padding
from genemoe.explain.rankings import (
    GeneSet,
    filled_symbols,
    gene_keep_masks,
    rank_genes,
    rank_samples,
    top_genes_line,
    with_expression_contrast,
    with_pixel_columns,
)
from genemoe.explain.reference_pool import reference_pool
from genemoe.explain.references import note_references, reference_draw
from genemoe.explain.routing_jump import live_change, routing_jump, routing_warning
from genemoe.explain.run_split import run_splits, seen_warning
from genemoe.explain.sample_rows import (
    ATTRIBUTED,
    attributed_target,
    samples_to_explain,
)
from genemoe.explain.samples_table import outcome_columns as _outcome
from genemoe.explain.samples_table import samples_records
from genemoe.explain.summary_text import (
    barely_moved_lines,
    compared_with,
    drawn_lines,
    ensemble_of,
    members_text,
    pooled_lines,
    ranking_notes,
    reference_lines,
    reintegrated_lines,
    routing_jump_lines,
    still_off_text,
    took_lines,
)
from genemoe.models.moe import has_sparse_routing
from genemoe.text_wrap import WIDTH, warning_text, wrapped
from genemoe.train.rng import keeps_global_rng

__all__ = ["ExplainResult", "explain_run"]

log = logging.getLogger(__name__)

_METHOD_TITLES = {"ig": "Integrated Gradients", "frozen_ig": "Integrated Gradients, routing frozen",
                  "train_ig": "Integrated Gradients from training tumours",
                  "gradient_shap": "GradientSHAP", "deeplift": "DeepLIFT",
                  "linear": "coefficient x difference (exact)"}


@dataclass
class ExplainResult(AtFolder):
    """What :func:`explain_run` wrote."""

    out_dir: Path
    n_samples: int
    task: str
    convergence: dict[str, Any]
    ranking: pd.DataFrame
    files: list[Path] = field(default_factory=list)

    def describe(self, top: int = 5) -> str:
        c = self.convergence
        lines = [f"explained {self.n_samples} sample{'s' if self.n_samples != 1 else ''} "
                 f"({self.task}) with {c.get('method', 'ig')} → {shown_path(self.out_dir)}"
                 + (" [SYNTHETIC data]" if c.get("synthetic") else ""), *drawn_lines(c),
                 *([wrapped(f"  an ensemble of {c['ensemble']}", first_whole=False)]
                   if c.get("ensemble") else []),  # one line of ~160 characters
                 *reference_lines(c),
                 *([f"  attributed: {c['attributed']}"] if c.get("group_by") == "label" else []),
                 *_completeness_lines(c),
                 *reintegrated_lines(c),
                 *barely_moved_lines(c), *routing_jump_lines(c), *took_lines(c),
                 *pooled_lines(c)]
        if c.get("warning"):  # wrapped as predict's warnings (one line of 300 characters)
            lines.append(wrapped(f"  warning: {c['warning']}", first_whole=False))
        if c.get("completeness_warning"):  # genes were ranked under "off by 0.00%", unwarned
            lines.append(wrapped("  warning: the gene rankings below are noise, not meaningful: "
                                 "the model's output does not move between the reference and "
                                 "the samples (convergence.json: completeness_warning)",
                                 first_whole=False))
        if c.get("genes_ranked"):
            lines.append(f"  genes ranked: {c['genes_ranked']}")
        ranked = [wrapped(f"  {cls} (n={int(df['n_samples'].iloc[0])})"  # survival's: 154 wide
                          f"{', ' if self.task == 'survival' else ': '}"
                          + top_genes_line(df, top, both_ends=self.task == "survival"),
                          first_whole=False)
                  for cls, df in self.ranking.groupby("class", sort=True)]  # survival: both ends
        lines += ranked + ranking_notes(self.ranking, ranked)
        written = [p.name for p in self.files if p.parent == self.out_dir]  # one line each:
        if written:  # seven of them under the rankings
            lines.append(wrapped("  wrote " + ", ".join(written), first_whole=False))
        n_maps = sum(p.parent.name == "maps" for p in self.files)
        if n_maps:
            lines.append(f"  wrote {n_maps} per-sample attribution figure{'s' if n_maps != 1 else ''}"
                         " in maps/" + (f" (at most {_MAX_MAPS}, spread over the "
                                        f"{'cancer types' if self.task == 'survival' else 'classes'})"
                                        if n_maps < self.n_samples else ""))
        return "\n".join(lines)


def _completeness_lines(c: dict[str, Any]) -> list[str]:
    """How far the attributions' sum misses its target: ``off by 0.12% in the median sample,``
    then ``at most ...`` on the next line; the target on a line of its own where the first
    line would pass 100 characters (f_frozen's ran to 104), each line wrapped. Where no
    sample's output moved (``n_measured`` 0), that nothing was measured (it said "off by
    0.00% ... at most 0.00%")."""
    head = f"  completeness (attributions' sum against {compared_with(c)}):"
    if c.get("n_samples") and not c.get("n_measured", c.get("n_relative", 1)):
        return [f"{head} not measured,", f"    no sample's output moved from the reference "
                f"(all {c['n_samples']:,} moved less than {c.get('barely_moved_cutoff', 1e-3):.2g})"]
    off = f"off by {c['median_relative_delta']:.2%} in the median sample,"
    first = [f"{head} {off}"] if len(head) + 1 + len(off) <= WIDTH else [head, f"    {off}"]
    most = (f"    at most {c['max_relative_delta']:.2%} (|delta| at most {c['max_abs_delta']:.3g});"
            f" {c.get('n_samples_off_5pct', 0)} off by more than 5%")  # one ran to 269 characters
    still = still_off_text(c.get("refine") or {})  # on a line of its own: wrapped after the
    if still:  # 5% count, it split "after 16 | steps" (--max-steps = --n-steps: ~190 wide)
        return [*first, f"{most};", wrapped(f"    {still[2:]}", first_whole=False)]
    return [*first, wrapped(most, first_whole=False)]


def _load_model(payload: dict, device: str = "cpu") -> torch.nn.Module:
    from genemoe.models.registry import list_models
    from genemoe.train.distributed import resolve_device
    from genemoe.train.model_file import rebuild_model

    if payload.get("kind") != "torch":
        if is_linear_payload(payload):  # coxnet, coxph, logreg, svm_linear: coefficient x (x - reference)
            if device != "cpu":  # --device bogus was taken without a word
                resolve_device(device)  # refused as for a neural model
                log.info("%s is linear: its exact attributions are computed on the CPU "
                         "(--device %s not needed)", payload["model_name"], device)
            return LinearScore(payload)
        neural = ", ".join(list_models(task=payload["task"], kind="torch"))
        if payload["model_name"] in LINEAR_MODELS:  # was "'logreg' is ... not linear"
            raise input_error(f"an ensemble of {payload['model_name']} members is not supported "
                              "yet", where="--model", fix="explain one member run (train "
                              "without --ensemble)")
        raise input_error(
            f"{payload['model_name']!r} is a classical scikit-learn model and not linear: no "
            "gradients to integrate, no exact linear attributions", where="--model",
            fix=f"explain a neural model for {payload['task']} ({neural}) or a linear one "
                f"({', '.join(LINEAR_MODELS)}: exact)")
    model = rebuild_model(payload)  # a backbone restored: no "frozen *random*" warning
    return model.to(resolve_device(device)).eval()  # IG and its peers run where it is


@keeps_global_rng  # the caller's random states back (torch's advanced before)
def explain_run(run_dir: Path | str, *, data: Path | str, out_dir: Path | str,
                samples: Iterable[str] | str | None = None, split: str = "test",
                baseline: BaselineName = "train_mean", n_steps: int = DEFAULT_N_STEPS,
                internal_batch_size: int = 64, max_samples_per_class: int | None = 50,
                group_by: Literal["predicted", "label"] = "predicted", top: int = 10,
                method: Method = "auto", n_draws: int | None = None, genes: GeneSet = "all", seed: int = 0,
                max_maps: int = _MAX_MAPS, max_steps: int = 400,
                progress: bool = True, device: str = "auto", context: str = "") -> ExplainResult:
    """Gene attributions of a trained neural run on bundle samples (IG by default).

    Parameters
    ----------
    run_dir
        A ``genemoe train`` run directory (or its ``model.pt``).
    data
        The bundle to take samples from: the one it was trained on, or another (a held-out
        cohort's); references are the model's own training tumours
        (:mod:`~genemoe.explain.reference_pool`), genes it dropped as zero everywhere are
        filled as zero (:mod:`~genemoe.explain.bundle_genes`).
    out_dir
        Directory to write (files listed in the module docstring).
    samples, split
        Sample ids to explain; without them, the rows of ``split`` (``test`` by default,
        ``all`` for every row).
    baseline
        ``train_mean`` (the zero vector of the z-scored data) or ``zeros`` (zero expression
        on the log scale, through the scaler); see
        :mod:`genemoe.explain.integrated_gradients`. For ``ig``, ``frozen_ig`` and
        ``deeplift``; ``train_ig`` and ``gradient_shap`` start from training tumours.
    n_steps, internal_batch_size
        Integration points per sample; rows per forward/backward pass (memory).
    max_samples_per_class
        Without ``samples``: at most this many per predicted class (classify) or in all
        (survival: one output, the risk), a draw seeded by ``seed`` (the bundle's order is
        often by type or centre); None for all.
    group_by
        Pool samples per ``predicted`` class (default) or per ``label`` for the rankings,
        attributing that class's logit: the predicted class's, or the labelled class's
        (whatever the model predicted; ``explain --compare``, so every run compared
        attributes the same output). Survival: the risk, pooled in one ranking.
    top
        Genes per class in ``top_genes.png``.
    method
        ``auto`` (``train_ig``, IG from training tumours with the routing frozen on
        sparse models, for gene-vector models; plain IG for image models), ``ig``,
        ``frozen_ig``, ``gradient_shap``, ``deeplift`` or ``train_ig``
        (:mod:`genemoe.explain.methods`).
    n_draws
        GradientSHAP draws, or ``train_ig`` references, per sample (from at most 200
        training-split samples); None: 32 and 8.
    genes
        Rank ``all`` genes, only ``protein_coding`` ones (the bundle's ``biotype``), or in
        each class only genes ``expressed`` there (detected, > 0, in at least half of
        the class's explained samples). Attributions themselves always cover every gene.
    seed
        Seeds the draw of samples (``max_samples_per_class``) and GradientSHAP's and
        ``train_ig``'s reference draws.
    max_maps
        Per-sample figures drawn in ``maps/`` (0: none).
    max_steps
        IG: samples whose relative completeness delta exceeds 1% are integrated again
        with 4x the steps, up to this many (``n_steps`` or less: integrate once).
    progress
        A progress bar while attributing.
    device
        Where the network runs: ``auto`` (CUDA when available), ``cpu``, ``cuda`` or
        ``cuda:N`` (a linear model's exact score: the CPU). Recorded in the summary.
    context
        Put before the routing-jump and seen-samples warnings (``explain --compare``: the
        method and the run, ``train_ig (--other RUN): ``), else nothing.

    Besides the tables and ``top_genes.png``, one figure per explained sample is drawn in
    ``DIR/maps/<sample>.png`` for at most ``max_maps`` samples (misclassified ones first,
    then the others in turns over the predicted classes, survival's over the cancer types,
    each's first in bundle order): for image models the input image with its per-pixel
    attribution map, for vector models (``genemoe``, ``fcn``, ``mlp``, ...) a signed bar
    chart of the sample's top 20 genes by |attribution| (symbols, else ids), titled with
    the sample id, its true and predicted type (survival: type, risk and outcome) and its
    completeness delta, its axis naming the method. Their paths are in
    ``ExplainResult.files``. Without a progress bar (``progress=False``), a long
    explanation's cost is said first (:mod:`genemoe.explain.cost`).
    """
    from genemoe.train.model_file import load_model_file

    check_options(baseline, group_by=group_by, max_maps=max_maps, seed=seed, n_steps=n_steps,
                  internal_batch_size=internal_batch_size, n_draws=n_draws, max_steps=max_steps,
                  max_samples_per_class=max_samples_per_class)  # group_by "foo": read two ways
    check_samples(samples)  # `--samples ids.txt` was "id 'ids.txt' is not in the bundle"
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:  # Python's only (no flag)
        raise input_error(f"must be a whole number of 1 or more, got {top!r}", where="top",
                          fix="pass top=10 (the genes per class in the figure), or leave it out")
    check_flags((progress, "progress"))  # "no" was read as true: the bar drawn
    out_dir = path_of(out_dir, "out_dir")
    run_dir = folder_of(run_dir, "run_dir")  # a RunResult too
    check_out_dir(out_dir, "explain")  # a run's folder lost its report and plots to it
    payload = load_model_file(Path(run_dir))
    out_dir.mkdir(parents=True, exist_ok=True)  # a folder it cannot write, said before the work
    model = _load_model(payload, device)
    task = payload["task"]
    bundle = load_bundle(folder_of(data, "data"))
    scaler = Scaler.from_dict(payload["scaler"])
    genes_in = model_genes(bundle, payload)  # genes dropped there as zero everywhere: filled
    if genes_in.filled:
        log.warning("%s", warning_text(genes_in.note(len(payload["gene_ids"]))["text"]))
    samples = None if samples is None else [str(s) for s in as_list(samples)]  # an array, one id
    X, rows, out, labels, predicted, n_from = samples_to_explain(
        model, bundle, payload, scaler, genes=genes_in, samples=samples, split=split,
        cap=None if samples else max_samples_per_class, seed=seed)
    target = attributed_target(  # with group_by label: the labelled class's output (it was the
        out, labels, payload["class_names"], group_by=group_by,  # predicted one, pooled
        sample_ids=bundle.sample_ids[rows],  # under the label)
        where=LABEL_WHERE) if task == "classify" else None
    method = resolve_method(model, method)
    sparse = has_sparse_routing(model)
    method = method_in_use(method, model_name=payload["model_name"], sparse=sparse,
                           n_draws=n_draws, n_steps=n_steps, baseline=baseline)
    groups = predicted if (group_by == "predicted" or task != "classify") else labels
    cols = genes_in.cols  # -1: filled as zero
    raw = genes_in.take(bundle.X, rows)  # (n, genes) the bundle's log expression
    keep = gene_keep_masks(  # --genes refused before the work (it came after 25 s)
        genes, groups, biotype=_bundle_biotype(bundle, cols), raw=raw)
    pool = (reference_pool(bundle, payload, genes_in, seed=seed)  # the model's own training
            if method in DEFAULT_DRAWS else None)  # tumours (were the given bundle's split)
    train_X = None if pool is None else pool.scaled(scaler)
    if pool is not None:
        log.info("references from %s", pool.text())
    asked_draws = n_draws
    if method == "train_ig" and train_X is not None:  # 300 asked, 156 used: said as 300
        n_draws = references_used(n_draws or DEFAULT_DRAWS[method], len(train_X),
                                  default=n_draws is None)
    log.info("%s: %d samples × %d genes", method, *X.shape)
    if not progress and (cost := cost_text(model, X, method, target=target, n_steps=n_steps,
                                           n_draws=n_draws or DEFAULT_DRAWS.get(method, 0),
                                           batch=internal_batch_size, max_steps=max_steps)):
        logging.getLogger("genemoe.explain.cost").info(  # shown without -v (a narrating
            "%s", cost)  # logger): no bar shows a 12-minute run, said before it (cost.py)
    steps_used: list = []
    halves: list = []  # train_ig's two half-draw means (no extra pass): the draw's stability
    changes: list = []  # train_ig's (n, m) attributed change per reference: its routing jumps
    weighted: list = []  # a linear model's genes with weight per output
    attr, delta, seconds = attribute_with(method, model, X, target=target, baseline=baseline,
                                          scaler=scaler, train_X=train_X, n_steps=n_steps,
                                          n_draws=n_draws, internal_batch_size=internal_batch_size,
                                          seed=seed, max_steps=max_steps, progress=progress,
                                          steps_used=steps_used, reference_halves=halves,
                                          reference_changes=changes, weighted=weighted,
                                          member_attributions=(each := []))  # an ensemble's
    if weighted:  # a linear model's genes without weight (attribution 0) are not ranked
        keep = weighted_keep(keep, weighted[0], target=target, groups=groups)
    survival = task == "survival"  # one group: ranked by |attribution|, direction said
    ranking = with_expression_contrast(rank_genes(
        attr, groups, gene_ids=payload["gene_ids"], symbols=payload.get("symbols"), keep=keep,
        order="mean_abs" if survival else "mean", inputs=X if survival else None),
        raw, groups, payload["gene_ids"])
    if (layout := _image_layout(model, bundle.var.iloc[cols[cols >= 0]])) is not None:  # pixel mates, per row
        ranking = with_pixel_columns(ranking, layout.seen_pixel_of_gene(
            _image_size(model)), payload["gene_ids"], _gene_labels(payload))
    ranked = _genes_ranked_text(keep, len(cols), genes, weighted=bool(weighted))
    frozen = method in ("frozen_ig", "deeplift", "train_ig") and sparse
    conv = _convergence(attr, delta, method=method, routing="frozen" if frozen else "live", sparse=sparse,
                        baseline="training tumours" if method in DEFAULT_DRAWS else baseline,
                        n_steps=n_steps if method in PATH_METHODS else None,
                        n_draws=(n_draws or DEFAULT_DRAWS[method]) if method in DEFAULT_DRAWS else None,
                        genes=genes, genes_ranked=ranked,
                        refine=_refined(attr, delta, steps_used, max_steps, skipped=None if refines(
                            method, model) else NOT_REFINED) if "ig" in method else None,
                        seconds_per_sample=seconds / max(1, len(X)), group_by=group_by, task=task,
                        run_dir=str(Path(run_dir).absolute()), bundle=str(bundle.path), payload=payload)
    _note_pixel_sharing(conv, layout, _image_size(model))
    note_padding(conv, run_dir)  # most pixels empty: said as train and the benchmark say it
    if method == "train_ig" and (asked_draws or DEFAULT_DRAWS[method]) != n_draws:
        conv["n_draws_asked"] = asked_draws or DEFAULT_DRAWS[method]  # n_draws: those used
    if weighted:  # "6 genes carry weight (of 2,000 selected; 19,076 in the model)"
        conv["weight"] = weight_record(weighted[0], payload)
    if pool is not None:  # where the references came from (the model's training tumours)
        conv["reference_source"] = pool.record()
    if (zero_filled := genes_in.note(len(payload["gene_ids"]))) is not None:
        conv["zero_filled_genes"] = zero_filled  # counted and said (refused before)
    if method == "train_ig":  # one draw serves every sample: named, lopsided ones warned of
        src, at = pool.bundle, pool.rows
        note_references(conv, reference_draw(src.sample_ids[at], src.obs["cancer_type"]
                                             .to_numpy(object)[at], n_draws=conv["n_draws"],
                                             seed=seed),
                        classes=labels.astype(str) if survival else predicted, groups=groups,
                        halves=halves, order="mean_abs" if survival else "mean")
    sample_ids = bundle.sample_ids[rows].astype(str)
    live = None  # the live model's change, where it differs from the attributed one
    if frozen:  # what the frozen reference leaves out of the live model's change
        refs = (train_references(train_X, n_draws or DEFAULT_DRAWS[method], seed)
                if method == "train_ig" else baseline_vector(baseline, X.shape[1], scaler=scaler)[None])
        live = live_change(model, X, target=target, references=refs)
        conv["routing_jump"] = routing_jump(model, X, attr, delta, target=target,
                                            references=refs, live=live,
                                            per_reference=np.mean(changes, 0) if changes else None)
        if warn := routing_warning(conv["routing_jump"], sample_ids, attr.sum(1), live):
            conv["routing_warning"] = warn  # a 41% median jump went unwarned (5% misses warn)
            log.warning("%s", warning_text(context + warn))  # and on the report page (469 wide)
    if task == "classify":  # which output each sample's attributions explain
        conv["attributed"] = ATTRIBUTED[group_by]
    conv.update(samples_records(conv, payload))  # survival: risk's scale, what is attributed
    conv["samples_by_cancer_type"] = {str(k): int(v) for k, v in  # a pooled survival ranking said
                                      pd.Series(labels.astype(str)).value_counts().sort_index().items()}
    if (k := len(getattr(model, "members", ())) or getattr(model, "n_members", 1)) > 1:
        ens = ensemble_of(payload.get("config")) or {}
        said = (members_text(ens) if ens.get("members_scheme") == "folds"  # unsaid before;
                else "")  # auto's words kept as they were
        conv["ensemble"] = (f"{k} {(payload.get('config') or {}).get('model', 'model')} "
                            f"{f'({said})' if said else 'members'}: the mean of each member's "
                            "attributions of its own output (logit or raw risk); completeness "
                            "against the mean of their changes")
        conv["ensemble_members"] = ens.get("members_scheme")  # config.yaml's scheme
        each = each or linear_members(model, X, target=target, baseline=baseline, scaler=scaler)
        conv.update(with_agreement(conv, each, groups, survival=survival, keep=keep))  # unsaid
    conv["drawn_from"] = {"n": n_from, "split": "--samples" if samples else split,
                          "cap_per_predicted_class": None if samples else max_samples_per_class}
    conv["seed"] = seed  # the draw's and the reference draws' (recorded nowhere before)
    conv["device"] = str(next(model.parameters(), torch.empty(0)).device)  # where it ran
    conv["classes_without_samples"] = (sorted(set(map(str, payload["class_names"])) - set(  # were
        map(str, groups))) if task == "classify" else [])  # left out of the rankings unsaid
    model_file = Path(run_dir) / "model.pt" if Path(run_dir).is_dir() else Path(run_dir)
    conv["model_sha256"] = file_sha256(model_file)  # the report tells a retrained run apart
    by_sample = rank_samples(attr, sample_ids, gene_ids=payload["gene_ids"],  # --genes too
                             symbols=payload.get("symbols"), top=50, keep=np.stack(
                                 [keep[g] for g in groups]) if isinstance(keep, dict) else keep)
    if layout is not None:  # pixel mates per row, as genes_by_class.csv (were unmarked)
        by_sample = with_pixel_columns(by_sample, layout.seen_pixel_of_gene(
            _image_size(model)), payload["gene_ids"], _gene_labels(payload))
    outcome = _outcome(bundle, rows, out, payload) if task == "survival" else None
    splits = run_splits(payload, Path(run_dir), sample_ids, no_outcome=None if outcome is None  # a
                        or "time" not in outcome else np.isnan(outcome["time"]))  # bundle split again
    conv["split_from"] = "bundle" if splits is None else "run"  # labelled its own samples test
    if splits is None:
        splits = bundle.obs["split"].to_numpy(object)[rows] if "split" in bundle.obs else None
    if splits is not None and (warn := seen_warning(  # 8 of 9 "test" samples were the run's
            splits, asked=bool(samples), split=split)):
        conv["training_warning"] = warn
        log.warning("%s%s", context, conv["training_warning"])  # and on the report page
    files = _write(out_dir, attr, ranking, conv, by_sample=by_sample, sample_ids=sample_ids, labels=labels,
                   predicted=predicted, groups=groups, delta=delta, payload=payload, top=top,
                   splits=splits, outcome=outcome, live=live)
    spread = labels.astype(str) if task == "survival" else predicted  # maps over the types
    facts = _map_facts(task, labels, predicted, outcome)  # true and predicted type; risk, outcome
    wrong = labels.astype(str) != predicted.astype(str) if task == "classify" else None
    what = _METHOD_TITLES[method] + (", routing frozen" if frozen and method != "frozen_ig" else "")
    if not max_maps:  # (survival: all 12 were ACC's, the bundle's first rows)
        pass
    elif _image_layout(model) is not None:
        files += _image_maps(model, X, attr, sample_ids, facts, out_dir / "maps", max_maps,
                             spread=spread, first=wrong, what=what)
    else:
        files += _vector_maps(attr, delta, sample_ids, spread, facts, _gene_labels(payload),
                              out_dir / "maps", max_maps, synthetic=conv["synthetic"], first=wrong,
                              what=what, compared=compared_with(conv), live=live)
    return ExplainResult(out_dir, len(rows), task, conv, ranking, [f.absolute() for f in files])


def references_used(n_draws: int, n_pool: int, *, default: bool = False) -> int:
    """How many references ``train_ig`` integrates from: ``n_draws`` (``default``: not
    given), or the ``n_pool`` training samples it draws them from where fewer, said in a
    warning (the terminal and convergence.json gave the number asked, 300, where 156 were
    used)."""
    if n_draws <= n_pool:
        return n_draws
    log.warning("--n-draws %d%s: only %d training samples in the pool: train_ig integrates "
                "from all %d", n_draws, " (the default)" * default, n_pool, n_pool)
    return n_pool


def _bundle_biotype(bundle, cols: np.ndarray) -> np.ndarray | None:
    """The biotype of the model's genes, from the bundle's gene table (None without one)."""
    if "biotype" not in bundle.var.columns:
        return None
    biotype = bundle.var["biotype"].to_numpy(object)[cols]
    biotype[cols < 0] = None  # a gene filled as zero: not in the bundle's gene table
    return biotype


def _clear_previous(out_dir: Path) -> None:
    """An explanation written over another replaces it whole, said in a warning: the old
    per-sample maps (12 stayed beside 1 new one), report and method comparison go first;
    an ``explain --compare`` there loses its methods.csv and method folders, named
    (:func:`~genemoe.explain.out_folder.clear_other_kind`)."""
    clear_other_kind(out_dir, "single")
    if not (out_dir / "convergence.json").exists():
        return
    log.warning("%s holds an explanation: replacing it", out_dir)
    remove_outputs(out_dir, ("maps", "report.html", "methods.csv", "plots"))


def _write(out_dir: Path, attr: np.ndarray, ranking: pd.DataFrame, conv: dict, *, by_sample, sample_ids,
           labels, predicted, groups, delta, payload: dict, top: int,
           splits: np.ndarray | None = None,
           outcome: dict[str, np.ndarray] | None = None,
           live: np.ndarray | None = None) -> list[Path]:
    from genemoe.explain.figures import top_genes_figure

    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_previous(out_dir)
    paths = [out_dir / n for n in ("genes_by_class.csv", "attributions.npy", "samples.tsv",
                                   "genes.tsv", "convergence.json", "genes_by_sample.csv")]
    atomic_write_text(paths[5], by_sample.to_csv(index=False))
    atomic_write_text(paths[0], ranking.to_csv(index=False))
    tmp = out_dir / ".attributions.tmp.npy"
    np.save(tmp, attr.astype(np.float32))
    tmp.replace(paths[1])
    delta = np.asarray(delta, dtype=np.float64)  # one dtype for the three: float32 columns
    #   were written to 8 digits beside live_change's 17
    change = attr.astype(np.float64).sum(1) - delta  # what the attributions add up to; live:
    table = pd.DataFrame({"sample_id": sample_ids, "cancer_type": labels, "predicted": predicted,
                          "group": groups, "output_change": change,  # the live model's
                          "live_change": change if live is None else np.asarray(
                              live, dtype=np.float64), "delta": delta,
                          **({} if splits is None else {"split": splits}), **(outcome or {})})
    atomic_write_text(paths[2], table.to_csv(sep="\t", index=False))
    genes = pd.DataFrame({"gene_id": payload["gene_ids"],
                          "symbol": filled_symbols(payload["gene_ids"], payload.get("symbols"))})
    atomic_write_text(paths[3], genes.to_csv(sep="\t", index=False))
    atomic_write_text(paths[4], dump_json(conv))
    synthetic = " [SYNTHETIC DATA]" if conv["synthetic"] else ""
    paths.append(top_genes_figure(ranking, out_dir / "top_genes.png", top=top,
                                  both_ends=conv.get("task") == "survival",
                                  title=f"{payload['model_name']}: {_METHOD_TITLES[conv['method']]}"
                                        f"{synthetic}"))
    return paths
