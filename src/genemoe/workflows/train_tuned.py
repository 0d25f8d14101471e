"""What ``genemoe train`` says and records of the options its config chose on data (its
``tuned_on:`` entries): a ``genemoe tune`` best.yaml's entry checked against this bundle's
splits (:mod:`genemoe.workflows.tuned_on` reads the entry), a survival tune's endpoint, and
the ``tune --epochs`` cap. Named ``train_*`` so its INFO lines reach the terminal as
train's do (:mod:`genemoe.cli_logging`).
"""

from __future__ import annotations

import logging

from genemoe.config_presets import endpoint_mismatch
from genemoe.data.bundle import Bundle
from genemoe.train.task_data import Task
from genemoe.workflows.tuned_on import epochs_cap, is_tune_entry, tuned_sample_ids, tuning_bundle

__all__ = ["check_train_entries"]

log = logging.getLogger(__name__)


def check_train_entries(tuned_on: dict | None, bundle: Bundle, *, epochs_given: bool = False,
                        task: Task = "classify") -> dict | None:
    """What the options were tuned on (the preset's notes and a ``genemoe tune`` best.yaml's
    entry), for the run's config.yaml (it was not recorded). A best.yaml's entry is said, and
    a warning given when this bundle's test split holds samples the tuning trained or chose
    on (another split of the same samples): the test score is then optimistic, when its
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
        if (seen := tuned_sample_ids(entry)) is None:
            entry["test_overlap"] = f"not checked: {source} is not there"
            continue
        test = bundle.sample_ids[bundle.indices("test")].astype(str)
        n = int(sum(s in seen for s in test))
        entry["test_overlap"] = (f"{n} of this bundle's {len(test)} test samples were in the "
                                 "tuning's train/val parts")
        if n:
            log.warning("%s of the %s test samples were in the training or validation part the "
                        "options were tuned on (%s): the test score is optimistic; tune on this "
                        "bundle instead", f"{n:,}", f"{len(test):,}", source)
    return out
