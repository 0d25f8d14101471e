"""Checks of :func:`~genemoe.explain.api.explain_run`'s and
:func:`~genemoe.explain.compare.compare_methods`' arguments, made before any work or folder.

Each bad value is refused in one :class:`~genemoe.errors.InputError` naming the argument
and the fix: ``group_by="foo"`` was taken and read two ways (the rankings per label, the
attributed output the predicted class's), ``methods="ig"`` was split into the methods
``i`` and ``g``, ``n_steps="8"`` ended in a TypeError, ``seed=-1`` in numpy's ValueError
and ``max_maps=-1`` drew no maps without a word.
"""

from __future__ import annotations

import logging
from numbers import Integral
from pathlib import Path
from typing import Any

from genemoe.data.args import as_list
from genemoe.errors import input_error, nearest_names
from genemoe.explain.methods import DEFAULT_DRAWS, DEFAULT_N_STEPS, METHODS, PATH_METHODS
from genemoe.text_wrap import warning_text

__all__ = ["GROUP_BY", "LABEL_WHERE", "check_options", "check_samples", "check_whole",
           "compared_methods", "method_in_use"]

log = logging.getLogger(__name__)

GROUP_BY: tuple[str, ...] = ("predicted", "label")
"""The poolings ``group_by`` takes (the rankings' classes, and the output attributed)."""

LABEL_WHERE = "group_by='label'"
"""Where a labelled class the model lacks is blamed by ``explain_run`` (``compare_methods``
names ``--compare``, which pools per label)."""


def check_options(baseline: Any, *, group_by: Any = "predicted", max_maps: Any = 0,
                  seed: Any = 0, **counts: Any) -> None:
    """Refuse an unknown ``baseline`` (``train_ig`` and ``gradient_shap`` would ignore it
    silently) or ``group_by``, and numbers that are not whole or out of range: ``counts``
    1 or more (``--n-steps 0`` ended in captum's AssertionError; ``None`` means the
    default), ``max_maps`` and ``seed`` 0 or more.

    Raises
    ------
    InputError
        Naming the argument (its flag where the command line has one) and the fix.
    """
    if isinstance(baseline, str) and baseline not in ("train_mean", "zeros"):
        raise input_error(f"unknown baseline {baseline!r}", where="--baseline",
                          fix="use train_mean or zeros")
    if not isinstance(group_by, str) or group_by not in GROUP_BY:
        raise input_error(f"unknown grouping {group_by!r}", where="group_by",
                          fix="pass group_by='predicted' (each sample's predicted class's "
                              "output, pooled per predicted class; the default) or "
                              "group_by='label' (its labelled class's, pooled per label)")
    for name, value in counts.items():
        if value is not None:
            check_whole(name, value, least=1)
    check_whole("max_maps", max_maps, least=0, flag=False)
    check_whole("seed", seed, least=0, flag=False)


_ID_FILE_SUFFIXES = (".txt", ".tsv", ".csv", ".list", ".ids")


def check_samples(samples: Any) -> None:
    """Refuse ``samples`` given as a file of ids: it takes the ids themselves and said "id
    'ids.txt' is not in the bundle". A value is taken for a file when it exists as one,
    ends like one (``.txt``, ``.tsv``, ``.csv``) or holds a path separator (no sample id
    does). Worded for who can give it: a ``str`` or path only Python passes (the fix reads
    the file in Python); a list of that one value is what ``--samples ids.txt`` hands over
    (the command line always passes a list: the fix is the shell's).

    Raises
    ------
    InputError
        Naming ``samples`` (Python) or ``--samples`` (a one-item list) and how to pass a
        file's ids.
    """
    python = isinstance(samples, (str, Path))
    if not python and isinstance(samples, (list, tuple)) and len(samples) == 1:
        samples = samples[0]
    if not isinstance(samples, (str, Path)) or "," in str(samples):
        return
    text = str(samples).strip()
    path = Path(text)
    if not (path.is_file() or path.suffix.lower() in _ID_FILE_SUFFIXES or "/" in text
            or "\\" in text):
        return
    what = f"{text!r} {'is a file' if path.is_file() else 'looks like a file path'}"
    if python:
        raise input_error(f"{what}: samples takes a list of sample ids (it reads no file)",
                          where="samples",
                          fix=f"pass the ids: samples=['ID1', 'ID2'] (a file's ids, one per "
                              f"line: samples=Path({text!r}).read_text().split())")
    raise input_error(f"{what}: --samples takes the sample ids themselves, comma-separated (it "
                      "reads no file)", where="--samples",
                      fix=f"pass the ids: --samples ID1,ID2,... (a file's ids, one per line: "
                          f"--samples \"$(paste -sd, {text})\"; from Python: "
                          f"samples=Path({text!r}).read_text().split())")


def check_whole(name: str, value: Any, *, least: int, flag: bool = True) -> None:
    """``value`` a whole number (not a bool) of ``least`` or more, else refused naming
    ``name`` (as its ``--flag`` where ``flag``; a wrong type only Python can pass)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise input_error(f"must be a whole number of {least} or more, got {value!r} "
                          f"({type(value).__name__})", where=name,
                          fix=f"pass {name} as an int, e.g. {name}={max(least, 8)} (or leave it "
                              "out for the default)")
    if value < least:
        where = "--" + name.replace("_", "-") if flag else name
        said = f"{where} {least}" if flag else f"{name}={least}"
        raise input_error(f"must be {least} or more, got {value}", where=where,
                          fix=f"pass {said} or more (or leave it out for the default)"
                              + (": 0 draws no per-sample figures" * (name == "max_maps")))


def compared_methods(methods: Any) -> list[str]:
    """``compare_methods``' ``methods`` as a list of names, every one checked: a string is
    one name (``"ig,deeplift"`` two, as a comma list), any other iterable its items.

    Raises
    ------
    InputError
        No name, a name given twice, or one that is not in
        :data:`~genemoe.explain.methods.METHODS` (``methods=``, with the names it takes).
    """
    names = as_list(methods, split_commas=True)
    known = f"name one or more of: {', '.join(METHODS)} (a list, or one string with commas)"
    if not names:
        raise input_error(f"names no method ({methods!r})", where="methods", fix=known)
    bad = [m for m in names if not isinstance(m, str) or m not in METHODS]
    if bad:
        raise input_error(f"unknown attribution method{'s' * (len(bad) > 1)} "
                          f"{', '.join(map(repr, bad))}"
                          + nearest_names([str(m) for m in bad], METHODS), where="methods",
                          fix=known + ("; auto is explain's default, train_ig here"
                                       if "auto" in bad else ""))
    if twice := sorted({m for m in names if names.count(m) > 1}):
        raise input_error(f"method(s) named twice: {', '.join(twice)}", where="methods",
                          fix="name each method once (each writes its own folder)")
    return names


def method_in_use(method: str, *, model_name: str, sparse: bool, n_draws: int | None,
                  n_steps: int, baseline: str) -> str:
    """The method an explanation runs (``frozen_ig`` of a model without top-k routing is
    plain ``ig``, said and recorded so), with the options it leaves unused said (each was
    ignored without a word) and a ``--baseline`` it cannot use refused (moved from
    :func:`~genemoe.explain.api.explain_run`; the warnings wrapped, one ran to 124 wide).

    Parameters
    ----------
    method
        The method resolved for the model (``auto`` already resolved).
    model_name, sparse
        The run's model, and whether it routes each sample to its top-k experts.
    n_draws, n_steps, baseline
        ``explain_run``'s (``n_draws`` None: not given).

    Raises
    ------
    InputError
        ``baseline`` other than ``train_mean`` for the methods that start from training
        tumours.
    """
    if method == "frozen_ig" and not sparse:  # was recorded as frozen_ig beside routing: live
        log.warning("%s", warning_text(f"{model_name} has no top-k routing to freeze: plain "
                                       "Integrated Gradients (ig), recorded so"))
        method = "ig"
    if n_draws is not None and method not in DEFAULT_DRAWS:
        log.warning("%s", warning_text(f"--n-draws applies to gradient_shap and train_ig; "
                                       f"{method} does not use it"))
    if n_steps != DEFAULT_N_STEPS and method not in PATH_METHODS:  # recorded, unused, unsaid
        log.warning("%s", warning_text(
            f"--n-steps applies to ig, frozen_ig and train_ig; {method} does not use it"
            + " (--n-draws sets its sum's precision)" * (method == "gradient_shap")))
    if method in DEFAULT_DRAWS and baseline != "train_mean":
        raise input_error(f"--baseline {baseline} does not apply to {method}, which integrates "
                          "from training tumours",
                          fix=f"pass --method frozen_ig (or ig, deeplift) to use --baseline "
                              f"{baseline}, or leave --baseline out")
    return method
