"""``genemoe features``: latent-feature analysis of a Gene-MOE model (paper section III-C, Fig. 8).

On held-out samples (the bundle's test split by default) the model's encoder gives the
latent mean ``μ`` ``(n_samples, latent)``. The ``n_features`` latent dimensions with the
highest variance across those samples are the *leading features*; the Pearson r of each
with every gene's log expression gives ``(n_features, n_genes)``; genes whose mean ``|r|``
over the leading features exceeds ``threshold`` are the *strong genes* (the paper: top 20
features, 0.4; its Fig. 8(b) caption says 0.5).

With a decoder (a ``genemoe pretrain`` run), the same samples are reconstructed
(eval mode: ``z = μ``, no noise) and real and reconstructed expression are embedded
jointly (t-SNE; UMAP with ``--embedding umap`` or ``both``, ``umap-learn`` installed). How much the two clouds overlap
is measured, not eyeballed, by the **k-nearest-neighbour mixing score**: for each point,
the share of its ``k`` nearest neighbours (itself excluded) that belong to the other set,
averaged over all points. Two samples of one distribution score about
``2 n_a n_b / (N (N - 1))`` (≈ 0.5 for equal sizes; reported as ``expected_if_mixed``);
two separate clouds score 0. The score is also given over each set's own points (``real``,
``reconstructed``): reconstructions shrunk towards the mean crowd the real points'
neighbourhoods, which lifts ``real`` while ``reconstructed`` stays low. It is computed in
the model's scaled gene space (z-scores, every gene weighted equally) and in each 2-D
embedding. Shrinkage is not collapse: the reconstructions' share of the real samples'
between-sample variance (``variance_share``) and their R² against the training mean tell
them apart. A collapse (share under :data:`SAME_PROFILE_SHARE` and R² under pre-training's
:data:`~genemoe.train.pretrain_metrics.WEAK_R2`: nearly one profile for every sample) is
warned; shrinkage that crowds the real points' neighbourhoods is noted, with the share.

Values: a bundle of another normalisation than the run read is refused, as fine-tuning
refuses it. Scaling: a ``genemoe train`` run's samples are scaled by the scaler it stored. A
pre-training run's are scaled by the scaler the run stored for this bundle (its
``pretrained.pt`` ``scalers``, one per bundle it read, matched on the bundle's path): for a
run pre-trained on one cross-validation fold (``genemoe ablation --pretrain-per-fold``)
that is the fold's training-part scaler, not the bundle's training split. A bundle the run
did not read is scaled by its own training split (as pre-training scales every bundle),
less the analysed samples in it (:mod:`genemoe.workflows.feature_inputs`; said, and kept
in ``summary.json`` ``scaler``).

Genes of the run the bundle lacks (a cohort prepared the same way whose filter dropped a few)
are filled with the training mean, 0 in scaled space, as fine-tuning and predict do; they are
named in ``summary.json`` and left out of the correlations and the mixing score. Those the
bundle's record says prepare dropped as zero in every sample are filled as zero on the
bundle's scale instead, as ``explain`` fills them (their value is known), counted and said
the same way (``summary.json`` ``zero_filled_genes``). More than 20% missing is refused.

Refused: samples the run was trained on (a pre-training run's ``samples.tsv``; for a
``genemoe train`` run its training/validation rows in ``predictions.tsv`` and the
samples of the pre-training run it started from), and the other samples of their patients
(the patient recorded, else the barcode's: a bundle spelling the barcodes otherwise shares
the patients, not the ids); ``--split unseen`` leaves both out. A run directory holds::

    DIR/latent_gene_correlation.npy  float32 (n_features, n_genes): r of leading feature × gene
    DIR/latent_gene_correlation_genes.tsv  its gene axis: column, gene_id, symbol, in_bundle
    DIR/leading_features.tsv         rank, latent index, variance of each leading feature
    DIR/gene_correlation.tsv         gene_id, symbol, mean |r|, column of r, every gene (sorted;
                                     genes constant across the samples left out, counted in notes)
    DIR/strong_genes.tsv             gene_id, symbol, mean_abs_r, above threshold (sorted); also
                                     comma-separated as strong_genes.csv (its old name)
    DIR/embedding_<method>.tsv       sample_id, cancer_type, source (real|reconstructed), x, y
    DIR/samples.tsv                  the analysed samples: sample_id, patient_id, cancer_type
    DIR/summary.json                 every number, the notes, and (once drawn) the figures

The figures are drawn from these files by :func:`genemoe.report.feature_plots.feature_figures`.
"""


from __future__ import annotations

import logging
import math
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch

from genemoe import __version__
from genemoe.data.args import AtFolder, folder_of, path_of, shown_path
from genemoe.data.bundle import (
    atomic_file,
    atomic_write_text,
    dump_json,
    load_bundle,
    remove_outputs,
)
from genemoe.errors import input_error
from genemoe.evaluate.features import (
    embed,
    knn_mixing_score,
    leading_features,
    pearson_matrix,
    strong_genes,
    umap_available,
    variance_share,
)
from genemoe.models.base import collect_aux
from genemoe.text_wrap import wrapped
from genemoe.train.distributed import resolve_device
from genemoe.train.pretrain_metrics import WEAK_R2, short_collapse
from genemoe.train.rng import keeps_global_rng
from genemoe.workflows.common import check_out_dir
from genemoe.workflows.feature_inputs import (
    CORRELATED_VALUES,
    MAX_MISSING,
    check_values,
    clip_note,
    correlation_space,
    gene_symbols,
    missing_note,
    read_inputs,
    scaler_note,
    symbols_note,
    zero_note,
)
from genemoe.workflows.feature_run import (
    RunModel,
    bundle_patients,
    load_run_model,
    used_samples,
)
from genemoe.workflows.feature_samples import Split, draw_note, select_samples
from genemoe.workflows.features_checks import check_feature_options

__all__ = ["FeatureResult", "load_run_model", "used_samples", "analyse_features"]

logger = logging.getLogger(__name__)

Embedding = Literal["tsne", "umap", "both"]
K_DEFAULT, EMBEDDING_DEFAULT = 15, "tsne"  # the mixing score's neighbours; the embedding


# ---------------------------------------------------------------------------- the samples


def _latent_mean(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``μ`` ``(batch, latent)`` of any model with a (variational) encoder."""
    if hasattr(model, "encode"):
        return model.encode(x)[0]
    encoder = getattr(model, "encoder", None)
    if encoder is None or not hasattr(encoder, "encode"):
        raise input_error(f"{type(model).__name__} has no latent encoder", where="--model",
                          fix="analyse a genemoe, moe or vaecox run")
    return encoder.encode(x)[0]


@torch.no_grad()
def _forward(model: torch.nn.Module, X: np.ndarray, *, batch_size: int = 256,
             ) -> tuple[np.ndarray, np.ndarray | None]:
    """``μ`` ``(n, latent)`` and, with a decoder, the reconstruction ``(n, n_genes)`` (eval mode)."""
    model.eval()
    has_decoder = getattr(model, "decoder", None) is not None
    dev = next(model.parameters()).device
    mus, recons = [], []
    for i in range(0, len(X), batch_size):
        xb = torch.from_numpy(np.ascontiguousarray(X[i : i + batch_size], np.float32)).to(dev)
        if has_decoder:
            recon, mu, _ = model.reconstruct(xb)  # eval: z = μ
            recons.append(recon.float().cpu().numpy())
        else:
            mu = _latent_mean(model, xb)
        mus.append(mu.float().cpu().numpy())
        collect_aux(model)  # clear the MoE layers' records
    return np.concatenate(mus), (np.concatenate(recons) if has_decoder else None)


# ---------------------------------------------------------------------------- entry point


@dataclass
class FeatureResult(AtFolder):
    """What :func:`analyse_features` wrote (``summary`` is ``DIR/summary.json``)."""

    out_dir: Path
    summary: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # logged as warnings, not noted again

    def describe(self) -> str:
        s = self.summary
        n, of = s["n_samples"], s.get("n_available") or s["n_samples"]
        lines = [f"feature analysis: {shown_path(self.out_dir)}  ("
                 f"{n if n >= of else f'{n} of {of}'} {s['split']} samples, "
                 f"{s['n_genes']:,} genes, {s['run']['kind']} run {s['run']['model_name']})",
                 f"  leading features: {s['n_features']} of {s['latent']}",  # the genes: a line
                 f"  strong genes (mean |r| > {s['threshold']:g}): {s['n_strong_genes']:,}"
                 f"{_of_genes(s)}"]
        rec = s.get("reconstruction")
        if rec:
            mix = rec["mixing"]
            if _measured(rec):  # shrunk or collapsed: said before the mixing score
                lines.append(f"  reconstructions: R² {rec['r2']:.2f}, "
                             f"{_share(rec['variance_share'])} of the real variance")
            lines.append(f"  real vs reconstructed k-NN mixing ({rec['expected_if_mixed']:.3f} "
                         "if mixed, 0 if separate):")  # one line per space (brackets nested)
            lines += [f"    {k} {v['score']:.3f}: real {v['real']:.2f}, reconstructed "
                      f"{v['reconstructed']:.2f}" for k, v in mix.items()]
        lines += [wrapped(f"  note: {n}", first_whole=False)  # said once; ran to 170 chars
                  for n in self.notes if n not in self.warnings]
        for fig in s.get("figures", []):
            lines.append(f"  figure: {fig}")
        lines.append(f"  report: genemoe report {shlex.quote(shown_path(self.out_dir))}")  # its page
        return "\n".join(lines)


def _of_genes(s: dict[str, Any]) -> str:
    """``' of 19,267 genes correlated (133 constant left out)'``: the genes the strong ones
    are counted among (it said "of 19,400" with 133 constant genes left out)."""
    n, constant = s.get("n_genes_correlated"), s.get("n_genes_constant") or 0
    if n is None:
        return ""
    return f" of {n:,} genes correlated" + (f" ({constant:,} constant left out)" if constant else "")


def _named(gene: str, gene_ids: list[str], symbols: np.ndarray | None) -> str:
    """``'ENSG00000054796 (SPO11)'``: a gene id with its symbol where the bundle has one
    (the note named bare Ensembl ids beside tables that give symbols)."""
    symbol = "" if symbols is None else str(symbols[gene_ids.index(gene)])
    return f"{gene} ({symbol})" if symbol and symbol != gene else gene


def _measured(rec: dict[str, Any]) -> bool:
    """Whether the reconstructions' spread and R² are numbers (NaN: the samples do not vary)."""
    return all(isinstance(rec.get(k), float) and math.isfinite(rec[k])
               for k in ("variance_share", "r2"))


def _share(share: float) -> str:
    """A share in percent, one decimal below 1% (``'25%'``, ``'0.4%'``)."""
    return f"{share:.1%}" if share < 0.01 else f"{share:.0%}"


SAME_PROFILE_SHARE = 0.05  # reconstructions' share of the real between-sample variance under
#   which (with an R² under pre-training's WEAK_R2) every sample gets nearly one profile
CROWDED = 0.5  # real minus reconstructed k-NN mixing above which real points are crowded


def _verdict(rec: dict[str, Any] | None) -> tuple[list[str], list[str]]:
    """Warnings and notes on the reconstructions: a collapse (nearly one profile for every
    sample: :data:`SAME_PROFILE_SHARE` of the real variance and an R² under
    :data:`~genemoe.train.pretrain_metrics.WEAK_R2`, pre-training's collapse level) is
    warned; shrinkage toward the mean that crowds the real points' neighbourhoods (``real
    0.91, reconstructed 0.00``) is noted as such. Any crowding was warned as "much the same
    profile to every sample", contradicting a pre-training that found no collapse."""
    if not rec or not _measured(rec):
        return [], []
    share, r2 = rec["variance_share"], rec["r2"]
    said = f"{_share(share)} of the real variance, R² {r2:.2f}"
    if share < SAME_PROFILE_SHARE and not r2 >= WEAK_R2:
        return [f"reconstructions collapsed: nearly one profile for every sample ({said})"], []
    gene = rec["mixing"]["gene_space"]
    if gene["real"] - gene["reconstructed"] <= CROWDED:
        return [], []
    return [], [f"reconstructions shrunk toward the mean, not a collapse: {said}",
                f"k-NN mixing (real {gene['real']:.2f}, reconstructed {gene['reconstructed']:.2f})"
                " measures that shrinkage here, not mixing"]


def _methods(embedding: Embedding) -> tuple[list[str], list[str]]:
    """Embeddings to run and notes; refuses ``umap`` alone when it is not installed."""
    if embedding not in ("tsne", "umap", "both"):
        raise input_error(f"unknown embedding {embedding!r}", where="--embedding",
                          fix="use tsne, umap or both")
    if embedding == "tsne":
        return ["tsne"], []
    if umap_available():
        return (["umap"] if embedding == "umap" else ["tsne", "umap"]), []
    if embedding == "umap":
        raise input_error("UMAP is not installed", where="--embedding",
                          fix="pip install umap-learn, or use --embedding tsne")
    return ["tsne"], ["UMAP not available (umap-learn is not installed): t-SNE only"]


def _no_decoder(run: RunModel, k: int | None, embedding: str | None) -> list[str]:
    """The one note on a run without a decoder: ``--k``/``--embedding`` given (not None,
    whatever the value) said unused (they were taken silently, and ``--k`` could refuse the
    run: "needs more than 15"; a given value equal to the default went unsaid), else what
    is not computed. Both were said at once, the same thing twice."""
    unused = [f"{flag} {value}" for flag, value in (("--k", k), ("--embedding", embedding))
              if value is not None]
    if not unused:
        return [f"the {run.kind} run's model has no decoder: no reconstruction, embedding or "
                "mixing score, which --k and --embedding are for (pass a `genemoe pretrain` "
                "run for them)"]
    return [f"{' and '.join(unused)} not used: the {run.kind} run's model has no decoder "
            "(the embeddings and the mixing score need one)"]


def _r2(x: np.ndarray, recon: np.ndarray, baseline: np.ndarray) -> float:
    """``1 - MSE / MSE of the baseline`` ``(n_genes,)``, as pre-training's validation R²
    (:func:`~genemoe.train.pretrain_metrics.reconstruction_metrics`); NaN where the
    baseline is exact."""
    x64 = np.asarray(x, np.float64)
    mse = float(((np.asarray(recon, np.float64) - x64) ** 2).mean())
    base = float(((np.asarray(baseline, np.float64)[None, :] - x64) ** 2).mean())
    return 1.0 - mse / base if base > 0 else math.nan


def _reconstruction_part(out_dir: Path, x_scaled: np.ndarray, recon: np.ndarray, ids: np.ndarray,
                         types: np.ndarray, methods: list[str], *, k: int, seed: int,
                         scaled_by: str = "the bundle's training split",
                         baseline: np.ndarray | None = None) -> dict[str, Any]:
    """Joint embeddings of real and reconstructed rows, their files, the mixing scores, and
    the reconstructions' spread (``variance_share``) and ``r2`` against ``baseline`` (the
    training mean in scaled space, ``(n_genes,)``; None: 0)."""
    both = np.concatenate([x_scaled, recon])  # (2n, n_genes), scaled units
    is_recon = np.r_[np.zeros(len(x_scaled), bool), np.ones(len(recon), bool)]
    gene_mix = knn_mixing_score(both, is_recon, k=k)
    keys = {"score": "score", "real": "score_a", "reconstructed": "score_b"}
    mixing = {"gene_space": {name: gene_mix[key] for name, key in keys.items()}}
    for method in methods:
        xy = embed(both, method, seed=seed)  # (2n, 2)
        m = knn_mixing_score(xy, is_recon, k=k)
        mixing[method] = {name: m[key] for name, key in keys.items()}
        table = pd.DataFrame({"sample_id": np.r_[ids, ids], "cancer_type": np.r_[types, types],
                              "source": np.where(is_recon, "reconstructed", "real"),
                              "x": xy[:, 0], "y": xy[:, 1]})
        atomic_write_text(out_dir / f"embedding_{method}.tsv", table.to_csv(sep="\t", index=False))
    err = recon - x_scaled
    base = np.zeros(x_scaled.shape[1], np.float32) if baseline is None else baseline
    return {"space": f"scaled genes (z-scores by {scaled_by})", "k": gene_mix["k"],
            "expected_if_mixed": gene_mix["expected_if_mixed"], "mixing": mixing,
            "embeddings": methods, "mae_scaled": float(np.abs(err).mean()),
            "mse_scaled": float((err**2).mean()),
            "variance_share": variance_share(x_scaled, recon),
            "r2": _r2(x_scaled, recon, base),
            "collapse_rule": f"variance_share < {SAME_PROFILE_SHARE:g} and r2 < {WEAK_R2:g}"}


# What an earlier analysis in the same folder wrote that this one may not rewrite (a t-SNE
# run's embedding and figure stayed beside a UMAP rerun's, its summary not naming them).
_OWN_OUTPUTS = ("embedding_", "real_vs_reconstructed_", "correlation_heatmap", "report.html")
# What each table holds (summary.json "files"): the .npy's gene axis had no companion;
# gene_correlation.tsv, leading_features.tsv and the embeddings were left out (see _files).
_FILES = {"latent_gene_correlation.npy": "float32 (n_features, n_genes) Pearson r; rows in "
          "leading_features.tsv order, columns in latent_gene_correlation_genes.tsv order",
          "latent_gene_correlation_genes.tsv": "the .npy's gene axis: column, gene_id, symbol, "
          "in_bundle", "strong_genes.tsv": "genes above the threshold (tab-separated)",
          "strong_genes.csv": "the same, comma-separated, under its old name",
          "samples.tsv": "the analysed samples (a --max-samples draw's): sample_id, patient_id, "
          "cancer_type", "gene_correlation.tsv": "every gene with a correlation (constant ones "
          "left out): gene_id, symbol, mean_abs_r, column of the .npy; sorted by mean_abs_r",
          "leading_features.tsv": "rank, latent_index and variance of each leading feature"}


def _files(methods: list[str]) -> dict[str, str]:
    """summary.json's ``files``: every table written, the embeddings' among them."""
    return {**_FILES, **{f"embedding_{m}.tsv": f"the {m} embedding's points: sample_id, "
                         "cancer_type, source (real|reconstructed), x, y" for m in methods}}


@keeps_global_rng  # the caller's random states back (torch's advanced before)
def analyse_features(run_dir: Path | str, *, data: Path | str, out_dir: Path | str,
                     split: Split = "test", n_features: int = 20, threshold: float = 0.4,
                     embedding: Embedding | None = None, n_heatmap_genes: int = 50,
                     k: int | None = None,
                     max_samples: int | None = 1000, seed: int = 0, device: str = "auto",
                     max_missing: float = MAX_MISSING) -> FeatureResult:
    """Correlate a run's leading latent features with genes; embed real vs reconstructed.

    Parameters
    ----------
    run_dir
        A ``genemoe pretrain`` run (encoder + decoder) or a ``genemoe train`` run of a
        latent model (``genemoe``, ``moe``, ``vaecox``; no decoder: no reconstruction part).
    data
        Bundle holding the samples; its genes must include the run's.
    out_dir
        Directory to write (see the module docstring).
    split
        Samples to analyse (refused if the run trained on any of them); ``unseen``: every
        sample of the bundle the run never read, nor their patients (an ablation's per-fold
        run: its fold's test part).
    n_features, threshold
        Leading features (highest latent variance) and the strong-gene cut on mean ``|r|``.
    embedding
        ``tsne``, ``umap`` (needs ``umap-learn``) or ``both`` (UMAP when installed); None:
        ``tsne`` (:data:`EMBEDDING_DEFAULT`), unsaid for a run without a decoder.
    n_heatmap_genes
        Genes in the heat map (recorded for :mod:`genemoe.report.feature_plots`).
    k, max_samples, seed
        Mixing-score neighbours (None: :data:`K_DEFAULT`; a run with a decoder only:
        unchecked, and named in a note when given, for one without); at most this many
        samples (seeded draw, said and listed in ``samples.tsv``; the paper: 1,000).
    device
        Where the encoder runs: ``auto`` (CUDA when available), ``cpu``, ``cuda``, ``cuda:N``.
    max_missing
        Largest share of the run's genes the bundle may lack; those it lacks are filled
        with the training mean (as fine-tuning and predict do), counted and named.

    Returns
    -------
    FeatureResult
    """
    t0 = time.perf_counter()
    given = {"k": k, "embedding": embedding}  # None: not given (the CLI passes None then)
    k = K_DEFAULT if k is None else k
    embedding = EMBEDDING_DEFAULT if embedding is None else embedding
    check_feature_options(n_features=n_features, threshold=threshold, k=k,  # before any
                          max_samples=max_samples, n_heatmap_genes=n_heatmap_genes,  # file is
                          seed=seed, max_missing=max_missing, embedding=embedding)  # written
    out_dir = path_of(out_dir, "out_dir")
    run_dir = folder_of(run_dir, "run_dir")  # a RunResult, PretrainResult too
    check_out_dir(out_dir, "features")  # was written over a pre-training run's summary.json
    run = load_run_model(run_dir)
    has_decoder = getattr(run.model, "decoder", None) is not None  # --k, --embedding: its part
    methods, notes = _methods(embedding) if has_decoder else ([], _no_decoder(run, **given))
    run.model.to(resolve_device(device))  # it ran on the CPU whatever the machine had
    bundle = load_bundle(folder_of(data, "data"))  # a Bundle object too
    values = check_values(run, bundle)  # raw counts were analysed as a log2 FPKM-UQ run's
    selected = select_samples(bundle, run, split, max_samples, seed)
    rows, n_available = selected.rows, selected.n_available
    notes += draw_note(split, len(rows), n_available, max_samples, seed)
    if has_decoder and k >= len(rows):  # every point a neighbour: the mixing score is the set share, always
        capped = max_samples is not None and len(rows) == max_samples
        gives = f"--max-samples {max_samples} draws" if capped else f"the {split} split gives"
        raise input_error(f"--k {k} needs more than {k} samples; {gives} {len(rows)}", where="--k",
                          fix=f"use --k below {len(rows)} (e.g. {max(1, min(15, len(rows) // 3))})"
                              + (", or raise --max-samples" if capped else ""))
    inputs = read_inputs(bundle, run, rows, max_missing=max_missing)
    missing, present = inputs.missing, ~inputs.missing
    notes += (missing_note(run, inputs.mean_filled) + zero_note(run, inputs.zero)
              + scaler_note(inputs, len(rows)))
    mu, recon = _forward(run.model, inputs.x_scaled)  # (n, latent), (n, n_genes) | None
    lead, lead_var = leading_features(mu, n_features)
    if n_features > len(lead):
        notes.append(f"--n-features {n_features} is more than the latent's {len(lead)} "
                     f"features: all {len(lead)} used")
    if len(rows) < 50:  # the null sd of Pearson's r is about 1 / sqrt(n - 1)
        notes.append(f"only {len(rows)} samples: correlations this noisy (|r| of "
                     f"{1 / np.sqrt(len(rows) - 1):.2f} is one null standard deviation) make "
                     "strong genes and mixing scores unreliable; use 50 or more")
    n_types = bundle.obs["cancer_type"].iloc[rows].nunique() if "cancer_type" in bundle.obs else 0
    if n_types > 1:  # gdc6's strong genes were UVM's markers: between-type, unsaid
        notes.append(f"correlations pooled over {n_types} cancer types: a strong gene may mostly "
                     "tell the types apart (a type's markers) rather than vary within one")
    r = pearson_matrix(mu[:, lead], inputs.x_log)  # (n_features, n_genes): CORRELATED_VALUES
    r[:, missing] = np.nan  # filled, not measured
    symbols, symbols_from = gene_symbols(bundle, run)  # the bundle's, else the run's
    notes += symbols_note(symbols_from) + clip_note(inputs, run.gene_ids, symbols)
    ranked = strong_genes(r, np.asarray(run.gene_ids, dtype=object), symbols)
    strong = ranked[ranked["mean_abs_r"] > threshold]
    if n_constant := int(present.sum()) - len(ranked):  # were left out of the table, unsaid
        constant = set(np.asarray(run.gene_ids)[present]) - set(ranked["gene_id"])
        notes.append(f"{n_constant:,} gene{'s' * (n_constant != 1)} constant across these samples "
                     f"(no correlation) left out of gene_correlation.tsv, e.g. "
                     + ", ".join(_named(g, run.gene_ids, symbols) for g in sorted(constant)[:3]))
    out_dir.mkdir(parents=True, exist_ok=True)
    if (out_dir / "leading_features.tsv").exists():  # an earlier analysis's figures and page
        remove_outputs(out_dir, [p.name for p in out_dir.glob("*")  # (none: a report.html
                                 if p.name.startswith(_OWN_OUTPUTS)])  # there is not ours)
    with atomic_file(out_dir / "latent_gene_correlation.npy", suffix=".npy") as tmp:
        np.save(tmp, r.astype(np.float32))
    atomic_write_text(out_dir / "gene_correlation.tsv", ranked.to_csv(sep="\t", index=False))
    atomic_write_text(out_dir / "latent_gene_correlation_genes.tsv", pd.DataFrame(
        {"column": np.arange(len(run.gene_ids)), "gene_id": run.gene_ids,
         "symbol": symbols if symbols is not None else "", "in_bundle": present},
    ).to_csv(sep="\t", index=False))  # the gene axis of the .npy's columns
    strong_table = strong.drop(columns="column")
    atomic_write_text(out_dir / "strong_genes.tsv", strong_table.to_csv(sep="\t", index=False))
    atomic_write_text(out_dir / "strong_genes.csv", strong_table.to_csv(index=False))  # old name
    atomic_write_text(out_dir / "leading_features.tsv", pd.DataFrame(
        {"rank": np.arange(1, len(lead) + 1), "latent_index": lead, "variance": lead_var},
    ).to_csv(sep="\t", index=False))
    ids = bundle.sample_ids[rows].astype(str)
    types = bundle.obs["cancer_type"].astype(str).to_numpy()[rows]
    atomic_write_text(out_dir / "samples.tsv", pd.DataFrame(
        {"sample_id": ids, "patient_id": bundle_patients(bundle, rows), "cancer_type": types},
    ).to_csv(sep="\t", index=False))
    rec = None
    if recon is not None:  # without a decoder: said once, by _no_decoder
        rec = _reconstruction_part(out_dir, inputs.x_scaled[:, present], recon[:, present], ids,
                                   types, methods, k=k, seed=seed, scaled_by=inputs.scaled_by,
                                   baseline=inputs.mean_scaled[present])
    said, noted = _verdict(rec)
    notes += noted
    # the pre-training's whole warning nested in parentheses ran to 400 characters: its
    # claim here, the whole text in summary.json's pretrain_collapse
    warned = [f"the pre-training collapsed: {short_collapse(w, 70)}" for w in run.collapse] + said
    # the notes are said by describe() and kept in summary.json: a record of each as well
    # printed every note twice under -v
    logger.debug("features: %d note%s, in the result and summary.json", len(notes),
                 "s" * (len(notes) != 1))
    for w in warned:  # a collapsed decoder's 0.500 read as near-perfect mixing
        logger.warning("features: %s", w)
    notes = notes + warned
    summary = {
        "run": {"path": str(run.path.absolute()), "kind": run.kind, "model_name": run.model_name},
        "bundle": str(bundle.path), "split": split, "n_samples": int(len(rows)),
        "n_available": int(n_available), "max_samples": max_samples,
        "device": str(next(run.model.parameters()).device),
        "n_genes": len(run.gene_ids), "n_genes_missing": int(inputs.mean_filled.sum()),
        "genes_missing": [run.gene_ids[i] for i in np.flatnonzero(inputs.mean_filled)],
        "zero_filled_genes": inputs.zero.note(run.gene_ids),
        "missing_filled_with": "the training mean (0 in scaled space); left out of the "
                               "correlations and the mixing score",
        "latent": int(mu.shape[1]), "n_features": int(len(lead)),
        "leading_features": lead.tolist(), "leading_variance": lead_var.tolist(),
        "threshold": threshold, "n_strong_genes": int(len(strong)),
        "top_genes": ranked.drop(columns="column").head(10).to_dict(orient="records"),
        "mean_abs_r_all_genes": float(ranked["mean_abs_r"].mean()) if len(ranked) else None,
        "n_heatmap_genes": int(min(n_heatmap_genes, len(ranked))),
        "n_genes_correlated": int(len(ranked)), "n_genes_constant": int(n_constant),
        "correlation_space": correlation_space(bundle), "normalisation": values,
        "correlated_values": CORRELATED_VALUES, "input_clipped": {
            **inputs.clipped, "genes": [run.gene_ids[i] for i in inputs.clipped["genes"]]},
        "symbols_from": symbols_from,
        "scaling": inputs.scaled_by, "scaler": inputs.scaler,
        "pretrain_collapse": list(run.collapse), "files": _files(methods),
        "reconstruction": rec, "notes": notes, "synthetic": bundle.synthetic, "seed": seed,
        "seconds": round(time.perf_counter() - t0, 2), "figures": [], "genemoe_version": __version__,
    }
    atomic_write_text(out_dir / "summary.json", dump_json(summary))
    return FeatureResult(out_dir, summary, notes, warned)
