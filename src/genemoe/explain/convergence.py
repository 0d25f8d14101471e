"""``convergence.json`` of an explanation: how well completeness held (the relative deltas,
the samples off by more than 5%, IG's refinement), what the attributions start from and a
warning where they miss; and the notes beside it (the genes ``--genes`` left to rank, genes
sharing an image model's pixel)."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from genemoe.explain.integrated_gradients import (
    barely_moved,
    convergence_summary,
    moved_cutoff,
    off_mask,
    samples_off,
)
from genemoe.explain.summary_text import compared_with
from genemoe.text_wrap import warning_text

__all__ = ["SaidOnce", "_convergence", "_genes_ranked_text", "_note_pixel_sharing", "_refined",
           "pixel_warning_line", "unmeasured_warning"]

log = logging.getLogger(__name__)


def _genes_ranked_text(keep: np.ndarray | dict[str, np.ndarray] | None, n_genes: int,
                       genes: str, *, weighted: bool = False) -> str | None:
    """How many genes ``--genes`` left to rank (per class for ``expressed``), for people;
    ``weighted``: ``keep`` holds a linear model's genes with weight (within ``--genes``)."""
    if keep is None:
        return None
    if isinstance(keep, dict):
        counts = [int(np.sum(k)) for k in keep.values()] or [0]
        span = f"{min(counts):,}" if min(counts) == max(counts) else f"{min(counts):,}-{max(counts):,}"
        if weighted and genes == "all" and min(counts) == max(counts):
            return None  # the weight line says it ("6 genes carry weight ...: only they")
        if weighted:  # the others' attributions are 0: unranked (were ranked in any order)
            return (f"{span} of {n_genes:,}{' per class' if len(keep) > 1 else ''}: those with "
                    "weight" + ("" if genes == "all" else f", {genes}")
                    + " (the others' attributions are 0)")
        return (f"{span} of {n_genes:,} per class ({genes}: detected in at least half of the "
                "class's samples)")
    return f"{int(np.sum(keep)):,} of {n_genes:,} ({genes})"


def _refined(attr: np.ndarray, delta: np.ndarray, steps_used: list[np.ndarray],
             max_steps: int, skipped: str | None = None) -> dict[str, Any]:
    """convergence.json's ``refine``: the tolerance, the most steps, how many samples ended
    at each step count (an ensemble: each at its members' most) and how many still miss the
    tolerance (only those above 5% were counted before); ``skipped``: why no sample was
    integrated again (plain IG on top-k routing), where none was."""
    tolerance = 0.01
    out: dict[str, Any] = {"tolerance": tolerance, "max_steps": max_steps}
    if skipped:
        out["skipped"] = skipped
    if steps_used:
        steps, counts = np.unique(np.max(steps_used, axis=0), return_counts=True)
        out["samples_by_steps"] = {str(int(s)): int(c) for s, c in zip(steps, counts, strict=True)}
    off = off_mask(attr, delta, tolerance=tolerance)
    out["n_samples_above_tolerance"] = int(off.sum())
    if steps_used and not skipped and (why := _why_not_again(off, steps_used, max_steps)):
        out["not_integrated_again"] = why
    return out


def _why_not_again(off: np.ndarray, steps_used: list[np.ndarray], max_steps: int) -> str | None:
    """Why samples above the tolerance (``off``, ``(n,)``) ended short of ``max_steps``
    (each is integrated again up to it: a train_ig sample was said to be "above the 1%
    tolerance after 20 steps" of 80, never integrated again); None where every one got
    ``max_steps``."""
    steps = np.max(steps_used, axis=0)
    if off.any() and max_steps <= int(steps.min()):
        return f"--max-steps {max_steps} is not above --n-steps: integrated once"
    if not (off & (steps < max_steps)).any():
        return None
    if len(steps_used) > 1:
        return ("each ensemble member was integrated to the tolerance on its own; their mean "
                "misses it")
    return "within the tolerance when last checked"


def _convergence(attr: np.ndarray, delta: np.ndarray, **options: Any) -> dict[str, Any]:
    payload = options.pop("payload")
    sparse = options.pop("sparse", True)  # top-k routing: what breaks completeness, else the
    #   layers (a CNN's max-pooling and kinks were blamed on "top-k expert routing")
    conv = convergence_summary(attr, delta)
    conv.update(options, model=payload["model_name"],
                synthetic=bool(payload.get("record", {}).get("synthetic", False)))
    if conv["routing"] == "frozen":
        conv["reference"] = "f_frozen(baseline): routing frozen at each sample's own experts"
    n_off = samples_off(attr, delta)
    conv["n_samples_off_5pct"] = n_off
    conv["n_samples_barely_moved"] = int(barely_moved(attr, delta).sum())  # not in n_off
    conv["barely_moved_cutoff"] = moved_cutoff(attr, delta)  # the routing jump's too
    if warn := unmeasured_warning(attr, delta, compared=compared_with(conv)):
        conv["completeness_warning"] = warn  # "off by 0.00%" was said of a ranking of noise
    if n_off and conv.get("method") == "deeplift":  # no path, no steps ("raise --n-steps")
        conv["warning"] = (f"attributions miss {compared_with(conv)} by more than 5% for {n_off} of "
                           f"{len(delta)} samples: DeepLIFT's rules do not hold through this "
                           "model's layers " + ("(top-k expert routing, attention); use --method "
                                                "auto (train_ig) or frozen_ig" if sparse else
                                                "(max-pooling, normalisation, saturating activations); use --method ig"))
    elif n_off:
        refine = options.get("refine") or {}
        steps = (f"--max-steps (now {refine['max_steps']})" if refine and not refine.get("skipped")
                 else f"--n-draws (now {options['n_draws']})" if conv.get("method") ==
                 "gradient_shap" else "--n-steps")  # it told GradientSHAP to raise --n-steps
        miss = f"attributions miss {compared_with(conv)} by more than 5% for {n_off} of {len(delta)} samples"
        if sparse and conv.get("method") == "ig":  # "raise --max-steps" on a top-k Gene-MOE
            conv["warning"] = (f"{miss}: the model routes each sample to its top-k experts, and "
                               "the output jumps where the path switches experts, which more "
                               "steps cannot close; use --method auto (train_ig) or frozen_ig "
                               f"first, which freeze the routing (raising {steps} helps only "
                               "with ReLU kinks)")
        else:
            conv["warning"] = (f"{miss}: raise {steps}; if the gap does not shrink, the output "
                               "jumps along the path ("
                               + ("sparse top-k expert routing, ReLU kinks" if sparse
                                  else "ReLU kinks, max-pooling")
                               + ") and their attributions are approximate")
    return conv


def unmeasured_warning(attr: np.ndarray, delta: np.ndarray, *,
                       compared: str = "f(x) - f(baseline)") -> str | None:
    """Why completeness was not measured and what the ranking is then worth, where no
    sample's output moved from the reference (``n_measured`` 0: every sample
    :func:`~genemoe.explain.integrated_gradients.barely_moved`); None where one did.

    An xception trained one epoch gave every input the same output: explain printed "off
    by 0.00% ... at most 0.00%" and ranked genes whose attributions were all near 0.

    Parameters
    ----------
    attr, delta
        ``(n, genes)`` attributions and ``(n,)`` completeness deltas.
    compared
        What the attributions' sum is checked against (:func:`compared_with`).
    """
    moved = barely_moved(attr, delta)
    if not len(moved) or not moved.all():
        return None
    move = np.abs(np.asarray(attr, np.float64).sum(1) - np.asarray(delta, np.float64))
    return (f"completeness not measured: no sample's output moved from the reference "
            f"(|{compared}| at most {float(move.max()):.2g}, under {moved_cutoff(attr, delta):.2g}, "
            f"for all {len(move)}): the model's output does not move between the reference and "
            "the samples, so every attribution is near 0 and the gene rankings are noise, not "
            "meaningful; train the model longer (more --epochs) and check that its predictions "
            "differ between samples before explaining it")


def _note_pixel_sharing(conv: dict[str, Any], layout: Any, image_size: int | None = None) -> None:
    """Image models: how many genes share a pixel (``genes_per_pixel``, the most in one), and
    a warning when several do: a pixel's gradient is shared by its genes, which blurs the
    rankings (ResNet-50 on the GDC cohorts, docs/results.md (e))."""
    if layout is None:
        return
    conv["genes_per_pixel"] = layout.most_genes_seen(image_size)  # as the network sees it
    if conv["genes_per_pixel"] > 1:
        conv["pixel_warning"] = (
            f"up to {conv['genes_per_pixel']} genes share a pixel of the "
            f"{layout.seen_as(image_size)} the network sees, so a pixel's credit is split "
            f"among them; for gene-level explanations: {layout.one_gene_a_pixel(image_size)}; "
            "genes_by_class.csv names each gene's pixel mates (shares_pixel_with)")
        log.warning("%s", pixel_warning_line(conv["genes_per_pixel"], layout, image_size))


def pixel_warning_line(most: int, layout: Any, image_size: int | None) -> str:
    """The terminal's form of ``pixel_warning``, each line at most 100 characters (the whole
    ran to 257): what is shared, then the fix itself, ``layout.one_gene_a_pixel`` (it
    said "fix: convergence.json", the file holding the fix), and where the details are."""
    big = image_size is not None and image_size < max(layout.height, layout.width)
    side = f"{image_size} x {image_size}" if big else f"{layout.height} x {layout.width}"
    return warning_text(f"up to {most} genes share a pixel of the {side} image the network "
                        "sees\n    (a pixel's credit is split; lists group them as [pixel N: "
                        f"...])\n    fix: {layout.one_gene_a_pixel(image_size)} (details: "
                        "convergence.json, pixel_warning)")


class SaidOnce(logging.Filter):
    """A logging filter letting each message through once (``explain --compare``: the
    pixel warning was printed once per method, five times)."""

    def __init__(self) -> None:
        super().__init__()
        self.said: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if text in self.said:
            return False
        self.said.add(text)
        return True
