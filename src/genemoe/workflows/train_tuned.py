"""What ``genemoe train`` says and records of the options its config chose on data (its
``tuned_on:`` entries): a ``genemoe tune`` best.yaml's entry checked against this bundle's
splits (:mod:`genemoe.workflows.tuned_on` reads the entry), a survival tune's endpoint, and
the ``tune --epochs`` cap. Named ``train_*`` so its INFO lines reach the terminal as
train's do (:mod:`genemoe.cli_logging`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from genemoe.config_presets import endpoint_mismatch
from genemoe.data.bundle import Bundle, sample_set_sha256
from genemoe.train.task_data import Task
from genemoe.workflows.tuned_on import (
    entry_samples_sha256,
    epochs_cap,
    is_tune_entry,
    split_changed,
    tuned_sample_ids,
    tuning_bundle,
    unchecked_overlap,
)

__all__ = ["check_train_entries", "options_selection"]

log = logging.getLogger(__name__)


def check_train_entries(tuned_on: dict | None, bundle: Bundle, *, epochs_given: bool = False,
                        task: Task = "classify") -> dict | None:
    """What the options were tuned on (the preset's notes and a ``genemoe tune`` best.yaml's
    entry), for the run's config.yaml (it was not recorded). A best.yaml's entry is said, and
    a warning given when this bundle's test split holds samples the tuning trained or chose
    on (another split of the same samples; the validation split's are counted too,
    :func:`options_selection`): the test score is then optimistic, when its
    trials were capped by ``tune --epochs`` and no ``--epochs`` is given here, or when a
    survival tune's endpoint is not this bundle's
    (:func:`~genemoe.config_presets.endpoint_mismatch`)."""
    if not tuned_on:
        return None
    out = {}
    for what, entry in tuned_on.items():
        entry = dict(entry) if isinstance(entry, dict) else {"value": str(entry)}
        out[what] = entry
        if task == "survival" and (said := endpoint_mismatch(entry, bundle.endpoint)):
            if said not in {e.get("endpoint_mismatch") for e in out.values()}:  # once, not
                log.warning(said)  # per entry tuned on that endpoint
            entry["endpoint_mismatch"] = said
        if not is_tune_entry(entry):  # a preset's note, not a tune run's
            continue
        source = tuning_bundle(entry)
        n_values = len(what.split(", "))  # short: the demo says it once per model
        start = str(entry.get("best_trial", "")).startswith("0:")  # the preset's own won
        log.info("options tuned by `genemoe tune` on %s (%d value%s%s; tuned_on in config.yaml)",
                 source.name, n_values, "" if n_values == 1 else "s",
                 ", the starting ones: " + str(entry["best_trial"]).split("; ", 1)[-1]
                 if start else "")
        if (cap := epochs_cap(entry)) is not None and not epochs_given:  # a quick search's 5
            log.warning("the tuning capped every trial at %s epochs (tune --epochs): this run "
                        "trains %s too; pass --epochs to train longer", cap, cap)
        entry.update(_split_overlap(entry, bundle))
        if split_changed(entry):
            log.warning("%s was prepared again since the tuning (other training and validation "
                        "splits): its test split may hold samples the search trained on; tune "
                        "on this bundle again", source)
        if n := entry.get("n_test_tuned_on"):
            log.warning("%s of the %s test samples were in the training or validation part the "
                        "options were tuned on (%s): the test score is optimistic; tune on this "
                        "bundle instead", f"{n:,}", f"{entry['n_test']:,}", source)
    return out


def _split_overlap(entry: dict[str, Any], bundle: Bundle) -> dict[str, Any]:
    """How many of this bundle's test and validation samples the tuning trained or chose on
    (``test_overlap`` and ``val_overlap`` in words, ``n_test_tuned_on``/``n_test`` and
    ``n_val_tuned_on``/``n_val``), or that it could not be checked."""
    if (seen := tuned_sample_ids(entry)) is None:
        return {"test_overlap": unchecked_overlap(entry)}  # said "is not there" of a bundle
        # prepared again in place with other splits
    out: dict[str, Any] = {}
    for split, name in (("test", "test"), ("val", "validation")):
        ids = bundle.sample_ids[bundle.indices(split)].astype(str)
        n = int(sum(s in seen for s in ids))
        out |= {f"{split}_overlap": f"{n} of this bundle's {len(ids)} {name} samples were in "
                                    "the tuning's train/val parts",
                f"n_{split}_tuned_on": n, f"n_{split}": len(ids)}
    return out


def options_selection(tuned_on: Mapping[str, Any] | None, bundle: Bundle) -> dict[str, Any]:
    """metrics.json's ``protocol.selection`` and where the options were chosen, from the
    checked entries (:func:`check_train_entries`).

    Returns
    -------
    dict
        ``selection`` (text); ``options_tuned_on_validation``: True where a ``genemoe tune``
        trained or chose on samples of this validation split (counted, or the same sample
        set by sha256 where its bundle is not there), False where none (or no tune entry),
        None where it could not be checked; and ``options_tuned_on`` (where else they were
        tuned, in words) when not True. A best.yaml tuned on another bundle was said to have
        been tuned on this validation split.
    """
    entries = [e for e in (tuned_on or {}).values() if is_tune_entry(e)]
    if not entries:
        return {"selection": "validation split", "options_tuned_on_validation": False}
    seen = [_seen_validation(e, bundle) for e in entries]
    if any(seen):
        return {"selection": "validation split (options tuned there too)",
                "options_tuned_on_validation": True}
    sources = ", ".join(dict.fromkeys(str(tuning_bundle(e)) for e in entries))
    if None in seen:
        why = ("prepared again since (its splits changed)" if any(map(split_changed, entries))
               else "not there")
        said = (f"{sources}, {why}: whether its samples are in this validation split was "
                "not checked")
    else:
        other = any(tuning_bundle(e).resolve() != bundle.path.resolve() for e in entries)
        said = (f"{'another bundle' if other else 'other samples'} ({sources}): this "
                "validation split is untouched by the search")
    return {"selection": f"validation split (options tuned on {said})",
            "options_tuned_on_validation": None if None in seen else False,
            "options_tuned_on": said}


def _seen_validation(entry: Mapping[str, Any], bundle: Bundle) -> bool | None:
    """Whether the tuning trained or chose on samples of this validation split (None: its
    bundle is not there and its sample set, if recorded, is not this bundle's)."""
    if "n_val_tuned_on" in entry:
        return entry["n_val_tuned_on"] > 0
    sha = entry_samples_sha256(entry)
    return True if sha is not None and sha == sample_set_sha256(bundle.sample_ids) else None
