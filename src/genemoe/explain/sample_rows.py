"""Which bundle rows an explanation takes, and which output of each it attributes.

:func:`samples_to_explain` selects the rows (named ids or a split, capped per predicted
class by a seeded draw), scales them with the run's scaler and runs the model once;
:func:`attributed_target` picks each sample's attributed class: its predicted class, or
with the rankings pooled per *labelled* class (``explain --compare``) its labelled one, so
that a class's ranking pools that class's output, the same output in every run compared
(a ranking labelled LUSC was made of the STAD logit of a sample predicted STAD).
"""

from __future__ import annotations

import logging
from typing import Literal

import numpy as np
import pandas as pd
import torch

from genemoe.data.scaling import Scaler
from genemoe.data.tcga import SAMPLE_TYPES, parse_barcode, sample_type_label
from genemoe.errors import input_error
from genemoe.explain.bundle_genes import ModelGenes
from genemoe.explain.maps import _cap_per_class

__all__ = ["samples_to_explain", "select_rows", "attributed_target", "ATTRIBUTED"]

log = logging.getLogger(__name__)

ATTRIBUTED = {"predicted": "each sample's predicted class's output (logit), pooled per "
                           "predicted class",
              "label": "each sample's labelled (true) class's output (logit), pooled per "
                       "labelled class, whatever the model predicted"}
"""convergence.json's ``attributed``: which output was attributed and how it was pooled."""


def samples_to_explain(model: torch.nn.Module, bundle, payload: dict, scaler: Scaler, *,
                       genes: ModelGenes, samples: list[str] | None, split: str, cap: int | None,
                       seed: int):
    """Scaled ``X (n, n_genes)``, bundle rows, model outputs, labels and predicted classes
    of the samples to explain (at most ``cap`` per predicted class, a seeded draw: the
    bundle's order is often by type or centre), and how many there were to draw from;
    ``genes``: the model's genes in the bundle (:func:`~genemoe.explain.bundle_genes.model_genes`)."""
    rows = select_rows(bundle, samples, split)
    if len(rows) == 0:
        raise input_error(f"no samples to explain in split {split!r}", path=bundle.path,
                          where="--split", fix="choose another --split or pass --samples")
    X = scaler.transform(genes.take(bundle.X, rows))
    with torch.no_grad():
        dev = next(model.parameters(), torch.empty(0)).device  # a linear score: the CPU
        out = np.concatenate([model(torch.from_numpy(X[i:i + 1024]).to(dev)).out.float().cpu().numpy()
                              for i in range(0, len(X), 1024)])
    names = np.asarray(payload["class_names"], dtype=object)
    labels = bundle.obs["cancer_type"].to_numpy(object)[rows]
    predicted = (names[out.argmax(1)] if payload["task"] == "classify"
                 else np.full(len(rows), "risk", object))
    keep = _cap_per_class(predicted, cap, seed=seed)
    return X[keep], rows[keep], out[keep], labels[keep], predicted[keep], len(rows)


def attributed_target(out: np.ndarray, labels: np.ndarray, class_names: list[str], *,
                      group_by: Literal["predicted", "label"], sample_ids: np.ndarray,
                      where: str = "--compare") -> np.ndarray:
    """Each sample's attributed output ``(n,)``: the predicted class (``out.argmax(1)``), or
    with ``group_by="label"`` the labelled class's index in ``class_names``.

    Parameters
    ----------
    where
        The argument blamed for a labelled class the model lacks: the caller's, the one
        that asked for the labelled classes (``explain --compare``, ``group_by='label'``).

    Raises
    ------
    InputError
        An unknown ``group_by`` (either other value was read as the other pooling), or a
        labelled class the model has no output for (named, with its samples; the first
        five of each and how many in all).
    """
    if group_by not in ("predicted", "label"):
        raise input_error(f"unknown grouping {group_by!r}", where="group_by",
                          fix="pass group_by='predicted' or group_by='label'")
    if group_by == "predicted":
        return out.argmax(1)
    index = pd.Index([str(c) for c in class_names]).get_indexer([str(c) for c in labels])
    if (index < 0).any():
        unknown = sorted({str(c) for c, i in zip(labels, index, strict=True) if i < 0})
        ids = [str(s) for s, i in zip(sample_ids, index, strict=True) if i < 0]
        raise input_error(f"{len(ids)} sample(s) labelled with a class the model has no output "
                          f"for ({_first_five(unknown, 'classes')}): {ids[:5]}"
                          + (f" and {len(ids) - 5} more" if len(ids) > 5 else ""), where=where,
                          fix="explain samples of the model's classes (model.pt: class_names), "
                              "named with --samples" + (" (samples=), or pool per predicted "
                                                        "class: group_by='predicted'"
                                                        if where.startswith("group_by") else ""))
    return index


def _first_five(names: list[str], what: str) -> str:
    """``names`` joined, cut to the first five with how many in all (``A, B, C, D, E, ...
    7 classes in all``: a cut list read as the whole)."""
    return ", ".join(names[:5]) + (f", ... {len(names)} {what} in all" if len(names) > 5 else "")


def select_rows(bundle, samples: list[str] | None, split: str) -> np.ndarray:
    """Bundle rows of the ids ``samples`` (each once, all in the bundle), else of ``split``."""
    if samples is not None:
        twice = sorted({s for s in samples if samples.count(s) > 1})
        if not samples or twice:  # `--samples ,` explained the whole split; twice: double weight
            raise input_error(f"sample id(s) given twice: {twice[:5]}" if twice else
                              "names no sample", where="--samples",
                              fix="give each sample id once, separated by commas, or leave "
                                  "--samples out to explain --split")
        if split != "test":  # the default: any other was set, and went unused unsaid
            log.warning("--samples names the samples: --split %s is not used", split)
        lookup = pd.Index(bundle.sample_ids.astype(str))
        pos = lookup.get_indexer([str(s) for s in samples])
        if (pos < 0).any():
            missing = [s for s, p in zip(samples, pos, strict=True) if p < 0]
            said, full = _prefix_hints(lookup, missing)
            given = [full.get(s, s) for s in samples]  # each short one by its full id
            why, kept = _why_not_in_bundle([s for s in missing if s not in full],
                                           getattr(bundle, "record", None) or {})
            again = (f"; to explain those of another sample type, prepare again with "
                     f"--sample-types {kept}" if kept else "")
            raise input_error(f"{len(missing)} sample id{'s' * (len(missing) != 1)} not in the "
                              f"bundle: {missing[:5]}{said}{why}",
                              path=bundle.path, where="--samples",
                              fix=(f"pass the full ids: --samples {','.join(given)}"
                                   if len(full) == len(missing) and len(given) <= 6 else
                                   "pass the full ids named above" if full else
                                   "use ids of the bundle's obs.sample_id (the run's "
                                   f"predictions.tsv lists them with their split){again}"))
        return pos
    if split not in ("train", "val", "test", "all"):
        raise input_error(f"unknown split {split!r}", where="--split", fix="use test, val, train or all")
    return bundle.indices(None if split == "all" else split)


def _prefix_hints(ids: pd.Index, missing: list[str]) -> tuple[str, dict[str, str]]:
    """For ids the bundle lacks, the bundle ids they begin (``TCGA-OR-A5JR-01`` of
    ``TCGA-OR-A5JR-01A-11R-A29S-07``, a short barcode refused as unknown): the text said
    after the refusal (the first five), and each missing id that begins exactly one bundle
    id, mapped to it."""
    notes, full = [], {}
    for s in missing:
        hits = ids[ids.str.startswith(s)]
        if len(hits) == 1:
            full[s] = str(hits[0])
            notes.append(f"{s} is the start of {hits[0]}")
        elif len(hits):
            notes.append(f"{s} is the start of {len(hits)} ids ({', '.join(map(str, hits[:3]))}"
                         + (", ..." if len(hits) > 3 else "") + ")")
    said = f"; {'; '.join(notes[:5])}" if notes else ""
    return said, full


def _why_not_in_bundle(missing: list[str], record: dict) -> tuple[str, str]:
    """Why ids are not in a bundle, from its preparation ``record``: the text said after the
    refusal (``; 2 are sample types prepare did not keep (11, 06; it kept 01, 03); 2 are in
    no expression file prepare read``), and the ``--sample-types`` that would keep them
    (empty when none was left out for its type). ``missing``: the ids, none a prefix of a
    bundle id. A label table names more samples than the expression holds (pancan33's
    samples.tsv: 11,060 rows, 1,106 samples): its ids were refused unexplained."""
    if not missing or not record:
        return "", ""
    examples = {str(i): reason for reason, ids in (record.get("dropped_sample_examples") or {}).items()
                for i in ids}
    kept = [str(c) for c in (record.get("config") or {}).get("sample_types") or ()]
    by_type = {sample_type_label(c) for c in SAMPLE_TYPES}
    unnamed = sum(int(n) - sum(r == reason for r in examples.values())
                  for reason, n in ((record.get("dropped") or {}).get("samples") or {}).items()
                  if reason not in by_type)  # dropped for a reason an id does not show
    named, types, unread = {}, [], 0
    for s in missing:
        code = _sample_code(s)
        if kept and code is not None and code not in kept:
            types.append(code)
        elif s in examples:
            named[examples[s]] = named.get(examples[s], 0) + 1
        else:
            unread += 1
    parts = [f"{n} dropped by prepare: {reason}" for reason, n in named.items()]
    if types:
        codes = sorted(set(types))
        parts.append(f"{_are(len(types))} of sample type{'s' * (len(codes) > 1)} "
                     f"{', '.join(codes)}, which prepare did not keep (it kept {', '.join(kept)})")
    if unread:
        parts.append(f"{_are(unread)} in no expression file prepare read" + (
            f" or among the {unnamed:,} other samples it dropped (record.json: dropped)"
            if unnamed else " (a label table may name more samples than the expression holds)"))
    return "; " + "; ".join(parts), ",".join(kept + sorted(set(types) - set(kept))) if types else ""


def _are(n: int) -> str:
    """``1 is`` / ``3 are``."""
    return f"{n} {'is' if n == 1 else 'are'}"


def _sample_code(sample_id: str) -> str | None:
    """The TCGA sample-type code of a barcode (``11`` of ``TCGA-A6-2684-11``); None for
    an id that is not a barcode or has none."""
    try:
        return parse_barcode(sample_id).sample_code
    except (ValueError, TypeError):
        return None
