"""Per-class gene rankings from per-sample attributions.

For each class, the samples of that class (predicted by the model, or labelled: an
option) are pooled; each gene gets the mean attribution over them (signed: positive
pushes towards the explained output) and the mean |attribution| (how much the gene moved
the output either way). Genes of a class are ranked by the signed mean, descending: rank 1
is the gene that most supports the class. Survival's one risk group is ranked by the mean
|attribution|, with ``effect_sign`` saying which way higher expression moves the risk: the
signed mean of a group that is not a class depends on where its samples sit against the
baseline more than on the gene's effect.

Rankings can be restricted (``keep``, built by :func:`gene_keep_masks`) to protein-coding
genes or to the genes expressed in each class; :func:`rank_samples` ranks each sample's
own genes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from genemoe.errors import input_error
from genemoe.explain.pixel_mates import pixel_grouped

__all__ = ["with_pixel_columns", "rank_genes", "rank_samples", "gene_keep_masks", "GeneSet", "RANK_COLUMNS",
           "top_genes_line", "read_ranking", "with_expression_contrast", "marked_symbols",
           "has_lower_mark", "LOWER_MARK", "LOWER_LEGEND", "filled_symbols"]

GeneSet = Literal["all", "expressed", "protein_coding"]

RANK_COLUMNS = ("class", "rank", "gene_id", "symbol", "mean_attribution",
                "mean_abs_attribution", "n_samples")


def filled_symbols(gene_ids: Sequence[str], symbols: Sequence[str] | None) -> np.ndarray:
    """``(n_genes,)`` each gene's symbol, its id where the symbol is missing, empty or blank
    (or no symbols, or not one per gene): the one rule of ``genes.tsv``, the ranking tables
    and the figures (genes.tsv left them empty where the tables put the id)."""
    ids = np.asarray(gene_ids, dtype=object)
    if symbols is None or len(symbols) != len(ids):
        return ids
    sym = np.asarray(symbols, dtype=object)
    missing = pd.isna(sym) | (pd.Series(sym, dtype=object).astype(str).str.strip() == "").to_numpy()
    return np.where(missing, ids, sym)


def rank_genes(attributions: np.ndarray, groups: Sequence[str] | np.ndarray, *,
               gene_ids: Sequence[str], symbols: Sequence[str] | None = None,
               top: int | None = None, order: Literal["mean", "mean_abs"] = "mean",
               keep: np.ndarray | Mapping[str, np.ndarray] | None = None,
               inputs: np.ndarray | None = None) -> pd.DataFrame:
    """Ranked genes per group.

    Parameters
    ----------
    attributions
        ``(n_samples, n_genes)``.
    groups
        ``(n_samples,)`` class name of each sample (predicted or labelled); for survival
        one group, e.g. ``"risk"``.
    gene_ids, symbols
        ``(n_genes,)`` identifiers; symbols default to the gene ids where missing.
    top
        Keep only the first ``top`` genes of each class (None: all).
    order
        Rank by the signed mean (default) or by the mean |attribution|.
    keep
        ``(n_genes,)`` bool mask of the genes to rank, or one mask per group (a mapping);
        None ranks every gene.
    inputs
        ``(n_samples, n_genes)`` the explained samples' scaled input (training mean 0): adds
        ``effect_sign``, the sign of sum(attribution x input) over the group's samples: +1
        where the gene's attribution follows its expression (higher raises the output), -1
        where it opposes it. A signed *mean* mixes that with where the explained samples
        happen to sit: test tumours below the training mean made a risk-raising gene's mean
        negative, and it was named as "lowering" the risk.

    Returns
    -------
    pd.DataFrame
        Columns :data:`RANK_COLUMNS` (and ``effect_sign``), classes in sorted order, ranks
        from 1.
    """
    A = np.asarray(attributions, np.float64)
    groups = np.asarray(groups, dtype=object)
    if A.ndim != 2 or len(groups) != A.shape[0] or len(gene_ids) != A.shape[1]:
        raise ValueError(f"attributions {A.shape}, {len(groups)} groups and {len(gene_ids)} genes disagree")
    gene_ids = np.asarray(gene_ids, dtype=object)
    sym = filled_symbols(gene_ids, symbols)
    frames = []
    for cls in sorted(set(groups.tolist())):
        rows = groups == cls
        mean, mean_abs = A[rows].mean(0), np.abs(A[rows]).mean(0)
        key = mean if order == "mean" else mean_abs
        idx = np.argsort(-key, kind="stable")
        mask = keep.get(cls) if isinstance(keep, Mapping) else keep
        if mask is not None:
            idx = idx[np.asarray(mask, bool)[idx]]
        idx = idx[:top]
        frame = pd.DataFrame({
            "class": cls, "rank": np.arange(1, len(idx) + 1), "gene_id": gene_ids[idx],
            "symbol": sym[idx], "mean_attribution": mean[idx], "mean_abs_attribution": mean_abs[idx],
            "n_samples": int(rows.sum()),
        })
        if inputs is not None:
            along = (A[rows] * np.asarray(inputs, np.float64)[rows]).sum(0)
            frame["effect_sign"] = np.sign(along[idx]).astype(int)
        frames.append(frame)
    columns = list(RANK_COLUMNS) + (["effect_sign"] if inputs is not None else [])
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def top_genes_line(df: pd.DataFrame, top: int, *, both_ends: bool = False) -> str:
    """One class's top ``top`` genes (``df``: its rows of a ranking; symbols) as one line;
    ``both_ends`` (survival's one risk group): the genes raising the output most, then those
    lowering it most, named (the report and figure showed the first end only); with
    ``effect_sign`` (a ranking by mean |attribution|), by the direction of their effect.
    A class's gene lower there than in the other classes is marked ``↓``
    (:func:`marked_symbols`, :data:`LOWER_LEGEND`); an image model's genes sharing a pixel
    are grouped, ``[pixel 13: A, B]`` (:func:`~genemoe.explain.pixel_mates.pixel_grouped`:
    they were listed as separate hits)."""
    if not both_ends:
        return ", ".join(_listed(df.nsmallest(top, "rank")))
    if "effect_sign" in df:  # ranked by mean |attribution|: the direction from effect_sign
        ends = [f"{how}: {', '.join(_listed(part.nsmallest(top, 'rank'), marked=False))}"
                for how, part in (("raising it when higher", df[df["effect_sign"] > 0]),
                                  ("lowering it when higher", df[df["effect_sign"] < 0]))
                if len(part)]
        return "; ".join(ends) or "no gene moved it"
    up, low = df[df["mean_attribution"] > 0], df[df["mean_attribution"] < 0]  # older files
    ends = [f"{how} it most: {', '.join(_listed(part, marked=False))}" for how, part
            in (("raising", up.nsmallest(top, "rank")), ("lowering", low.nlargest(top, "rank")))
            if len(part)]
    return "; ".join(ends) or "no gene moved it"


def _listed(rows: pd.DataFrame, *, marked: bool = True) -> list[str]:
    """``rows``' symbols in their order (``marked``: :func:`marked_symbols`), the genes of one
    pixel grouped where ``rows`` has a ``pixel`` column."""
    names = marked_symbols(rows) if marked else rows["symbol"].astype(str).tolist()
    return pixel_grouped(names, rows["pixel"].tolist() if "pixel" in rows else None)


LOWER_MARK = "↓"
LOWER_LEGEND = f"{LOWER_MARK} lower in the class than in the others: its low expression counts for the class"


def marked_symbols(df: pd.DataFrame) -> list[str]:
    """The symbols of ``df``'s rows, each marked :data:`LOWER_MARK` where its
    ``expression_vs_others`` is below 0 (lower in the class than in the other classes: a
    CDH1 at ACC's rank 3, 13.8 log2 units lower there, read as an ACC marker); unmarked
    where the value is missing (survival's one group, older files)."""
    names = df["symbol"].astype(str).tolist()
    if "expression_vs_others" not in df:
        return names
    lower = pd.to_numeric(df["expression_vs_others"], errors="coerce").lt(0).tolist()
    return [n + LOWER_MARK * low for n, low in zip(names, lower, strict=True)]


def has_lower_mark(lines: Sequence[str]) -> bool:
    """Whether any of ``lines`` carries :data:`LOWER_MARK` (its legend is then due)."""
    return any(LOWER_MARK in line for line in lines)


def with_expression_contrast(ranking: pd.DataFrame, raw: np.ndarray,
                             groups: Sequence[str] | np.ndarray,
                             gene_ids: Sequence[str]) -> pd.DataFrame:
    """``ranking`` with ``expression_vs_others``: each ranked gene's mean log expression in
    the class's explained samples minus that in the other classes' (log2 units; NaN with
    one group, as survival's). Negative: the gene is *lower* in the class, and its
    attribution says that its absence supports the class (an adrenal enzyme at KICH's rank
    17, 15.8 log2 units lower in KICH than in ACC, read as a kidney marker).

    ``raw`` ``(n_samples, n_genes)``: the explained samples' values in ``gene_ids`` order.
    """
    raw = np.asarray(raw)  # means in float64, without a float64 copy of the matrix
    groups = np.asarray(groups, dtype=object)
    col = pd.Index(np.asarray(gene_ids, dtype=object)).get_indexer(ranking["gene_id"])
    contrast = np.full(len(ranking), np.nan)
    for cls in set(groups.tolist()):
        inside, rows = groups == cls, (ranking["class"] == cls).to_numpy()
        if inside.all() or not inside.any():
            continue
        diff = raw[inside].mean(0, dtype=np.float64) - raw[~inside].mean(0, dtype=np.float64)
        contrast[rows] = diff[col[rows]]
    return ranking.assign(expression_vs_others=contrast)


def read_ranking(path: str | Path) -> pd.DataFrame:
    """An explanation's ``genes_by_class.csv``: gene ids as text (Entrez ids were read as
    numbers), a gene without a symbol named by its id."""
    ranking = pd.read_csv(path, dtype={"gene_id": str, "symbol": str})
    ranking["symbol"] = (ranking["symbol"].fillna(ranking["gene_id"]) if "symbol" in ranking
                         else ranking["gene_id"])
    return ranking


def rank_samples(attributions: np.ndarray, sample_ids: Sequence[str], *, gene_ids: Sequence[str],
                 symbols: Sequence[str] | None = None, top: int = 50,
                 keep: np.ndarray | None = None) -> pd.DataFrame:
    """Each sample's own top genes by |attribution| (descending), the sign kept: the genes
    that moved its output most, either way (ranked by the signed value, the 14 protective
    genes of a low-risk patient's map were all left out of the file).

    ``keep``: ``(n_samples, n_genes)`` or ``(n_genes,)`` bool, the genes a sample may list
    (``--genes``); a sample with fewer kept genes than ``top`` lists those.

    Returns
    -------
    pd.DataFrame
        ``sample_id, rank, gene_id, symbol, attribution``: up to ``top`` rows per sample, in
        the order of ``sample_ids``.
    """
    A = np.asarray(attributions, np.float64)
    gene_ids = np.asarray(gene_ids, dtype=object)
    sym = filled_symbols(gene_ids, symbols)
    top = min(top, A.shape[1])
    key = np.abs(A) if keep is None else np.where(np.broadcast_to(keep, A.shape), np.abs(A), -1.0)
    idx = np.argsort(-key, axis=1, kind="stable")[:, :top]  # (n, top)
    listed = (np.take_along_axis(key, idx, 1) >= 0).ravel()  # kept genes only
    return pd.DataFrame({
        "sample_id": np.repeat(np.asarray(sample_ids, dtype=object), top),
        "rank": np.tile(np.arange(1, top + 1), len(A)),
        "gene_id": gene_ids[idx].ravel(), "symbol": sym[idx].ravel(),
        "attribution": np.take_along_axis(A, idx, 1).ravel(),
    })[listed].reset_index(drop=True)


def gene_keep_masks(genes: GeneSet, groups: Sequence[str] | np.ndarray, *,
                    biotype: np.ndarray | None = None,
                    raw: np.ndarray | None = None) -> np.ndarray | dict[str, np.ndarray] | None:
    """The ``keep`` argument of :func:`rank_genes` for a gene set.

    Parameters
    ----------
    genes
        ``"all"`` (None: no restriction), ``"protein_coding"`` (``biotype ==
        "protein_coding"``) or ``"expressed"``: per group, the genes detected (``raw > 0``)
        in at least half of the group's samples.
    groups
        ``(n_samples,)`` group of each sample.
    biotype
        ``(n_genes,)`` biotypes (the bundle's gene table), for ``"protein_coding"``.
    raw
        ``(n_samples, n_genes)`` the bundle's (unscaled, log) values, for ``"expressed"``.
    """
    if genes == "all":
        return None
    if genes == "protein_coding":
        coding = None if biotype is None else np.asarray(biotype, dtype=object) == "protein_coding"
        if coding is None or not coding.any():  # a column of blanks ranked nothing, unsaid
            raise input_error("the bundle's genes have no biotype (no protein-coding gene "
                              "among them)", where="--genes",
                              fix="prepare with --annotation (e.g. ensembl105_genes.tsv.gz) or "
                                  "from a matrix with its own gene_type column, or use --genes "
                                  "all|expressed")
        return coding
    if genes == "expressed":
        groups = np.asarray(groups, dtype=object)
        detected = np.asarray(raw) > 0
        return {cls: detected[groups == cls].mean(0) >= 0.5 for cls in sorted(set(groups.tolist()))}
    raise input_error(f"unknown gene set {genes!r}", where="--genes",
                      fix="use all, expressed or protein_coding")


def with_pixel_columns(ranking: pd.DataFrame, pixel_of_gene: np.ndarray, gene_ids: Sequence[str],
                       labels: Sequence[str], *, shown: int = 5) -> pd.DataFrame:
    """An image model's ranking with the pixel of each gene and the genes sharing it.

    A pixel's attribution is split among its genes in proportion to each gene's difference
    from the reference, so genes sharing a pixel come out as separate hits with one shared
    gradient (KLK2, KLK3 and KLK15 in one top 15 were one pixel); these columns say so.

    Parameters
    ----------
    ranking
        ``genes_by_class.csv`` rows (a ``gene_id`` column).
    pixel_of_gene
        ``(n_genes,)`` the pixel the network sees each gene in (row-major index).
    gene_ids, labels
        The model's genes ``(n_genes,)`` and their names (symbols, else ids).
    shown
        At most this many sharing genes named per row.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` plus ``pixel`` (its index), ``genes_in_pixel`` (how many genes the
        network sees there) and ``shares_pixel_with`` (the others' names; "" when alone).
    """
    pixel_of_gene = np.asarray(pixel_of_gene, np.int64)
    members: dict[int, list[str]] = {}
    for label, pixel in zip(labels, pixel_of_gene.tolist(), strict=True):
        members.setdefault(pixel, []).append(str(label))
    pos = pd.Index([str(g) for g in gene_ids]).get_indexer(ranking["gene_id"].astype(str))
    pixel = pixel_of_gene[pos]
    own = np.asarray(labels, dtype=object)[pos]

    def others(p: int, name: str) -> str:
        rest = [m for m in members[p] if m != name]
        return ", ".join(rest[:shown]) + (f" (+{len(rest) - shown} more)" if len(rest) > shown else "")

    return ranking.assign(pixel=pixel, genes_in_pixel=[len(members[p]) for p in pixel.tolist()],
                          shares_pixel_with=[others(p, n) for p, n in zip(pixel.tolist(), own,
                                                                          strict=True)])

