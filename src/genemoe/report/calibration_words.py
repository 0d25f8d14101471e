"""How a benchmark's pooled probabilities were calibrated, in words for figure captions.

The benchmark's classifiers are temperature-scaled with one ``T`` fitted on each fold's
validation part (:func:`genemoe.train.fit.calibrate_outputs`; the SVMs after their own
calibration on out-of-fold training rows); each cell records it in ``info.calibration``.
The reliability diagram's caption said none of this (only its title said "calibrated").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["calibration_words"]

_SVMS = ("svm", "svm_linear")  # calibrated on out-of-fold training rows before the temperature


def calibration_words(cells: Sequence[Mapping], model: str = "") -> str:
    """How the pooled cells' probabilities were calibrated, from their records
    (``info.calibration``): ``"probabilities temperature-scaled, T fitted on each fold's
    validation part"``, with the SVMs' own out-of-fold calibration before it, and the folds
    without a record counted (the caption said nothing of it; only the title said
    "calibrated").

    Parameters
    ----------
    cells
        The benchmark cells pooled in the figure.
    model
        Their model's name (``svm`` and ``svm_linear`` calibrate on their own first).

    Examples
    --------
    >>> calibration_words([{"info": {"calibration": {"method": "temperature",
    ...                                              "fitted_on": "validation part"}}}])
    "probabilities temperature-scaled, T fitted on each fold's validation part"
    """
    records = [(c.get("info") or {}).get("calibration") or {} for c in cells]
    fitted = sum(r.get("method") == "temperature" and r.get("fitted_on") == "validation part"
                 for r in records)
    if not fitted:
        return "calibration not recorded in these folds"
    where = ("each fold's validation part" if fitted == len(records)
             else f"the validation part in {fitted} of {len(records)} folds (the others: "
                  "not recorded)")
    svm = model in _SVMS
    return (f"probabilities temperature-scaled, T fitted on {where}"
            + (", after the SVM's own calibration on out-of-fold training rows" if svm else ""))
