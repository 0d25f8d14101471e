"""Model registry: ``create_model(name, ...)`` and ``list_models()`` (a plain dict).

Every model, neural or classical, registers a factory with the tasks it supports. Neural
factories return a :class:`~genemoe.models.base.GeneModel`; classical ones return an
object with ``fit`` / ``predict_proba`` (classify) or ``predict_risk`` (survival).

A model may also declare its hyper-parameter search space (``register_model(...,
search_space=...)`` or :func:`set_search_space`): a mapping from a config path
(``"train.lr"``, ``"model.dropout"``) to a parameter description; the types and the
spaces of the neural models live in :mod:`genemoe.models.search_spaces`, which
``genemoe tune`` reads through :func:`genemoe.models.search_spaces.search_space`.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import numbers
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, get_args

from genemoe.config_presets import check_config_keys
from genemoe.data.args import check_flags
from genemoe.errors import InputError, input_error, out_of_memory_message
from genemoe.text_wrap import WIDTH, wrapped

__all__ = ["ModelSpec", "register_model", "create_model", "check_sizes", "list_models", "get_spec",
           "choices_text", "set_search_space", "signature_defaults", "options_text", "check_task",
           "check_model_options", "members_by_seed"]

Kind = Literal["torch", "sklearn"]


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: its factory, what it supports and its search space (or None)."""

    name: str
    factory: Callable[..., Any]
    kind: Kind
    tasks: tuple[str, ...]
    description: str
    search_space: Mapping[str, Any] | None = None  # config path -> parameter (search_spaces.py)
    randomized: bool = False  # a classical fit that depends on its seed (ensembles: K seeds)
    defaults: Mapping[str, Any] | None = None  # what the model runs with where a config is silent
    grid: Mapping[str, tuple[Any, ...]] | None = None  # a classical model's own grid (option -> values)
    options: frozenset[str] | None = None  # every option the factory takes (None: not declared)


_REGISTRY: dict[str, ModelSpec] = {}
_SEARCH_SPACES: dict[str, Mapping[str, Any]] = {}  # declared before or after registration
# Modules that register models on import (kept explicit: no import-time magic elsewhere).
_MODEL_MODULES = (
    "genemoe.models.genemoe",
    "genemoe.models.baselines",
    "genemoe.models.classical",
    "genemoe.models.survival_peers",
    "genemoe.models.image",
    "genemoe.models.backbones",
    "genemoe.models.ensemble",
    "genemoe.models.search_spaces",  # last: declares the spaces of models registered above
)


def register_model(name: str, *, kind: Kind, tasks: tuple[str, ...], description: str = "",
                   search_space: Mapping[str, Any] | None = None, randomized: bool = False,
                   defaults: Mapping[str, Any] | None = None,
                   grid: Mapping[str, Any] | None = None,
                   options: Any = None):
    """Decorator registering ``factory`` under ``name`` (with its search space, if given).

    ``randomized`` marks a classical estimator whose fit its seed changes (a random forest):
    its ensemble members differ by seed, as neural members do, instead of by inner folds.
    ``defaults`` are the options the model runs with where its config leaves them out
    (read from the code that applies them: a classical model's ``<NAME>_DEFAULTS``, a
    neural model's constructor through :func:`signature_defaults`); a search's trial 0
    takes them, so that it is the starting configuration. ``grid`` is a classical model's
    own grid (option -> the values it tries by itself on validation, its ``<NAME>_GRID``):
    the search space of a model registered without one (one categorical per option).
    ``options`` names every option the factory takes (a neural model's ``<NAME>_KEYS``; a
    classical model's ``defaults`` without it), so that :func:`check_model_options` can
    refuse a misspelt one before anything is written.
    """
    if options is None and kind == "sklearn" and defaults is not None:
        options = set(defaults)  # classical factories refuse any option not in their defaults
    if search_space is not None:
        _SEARCH_SPACES[name] = dict(search_space)

    def deco(factory: Callable[..., Any]) -> Callable[..., Any]:
        _REGISTRY[name] = ModelSpec(name, factory, kind, tasks,
                                    description or (factory.__doc__ or "").strip().split("\n")[0],
                                    _SEARCH_SPACES.get(name), randomized,
                                    dict(defaults) if defaults is not None else None,
                                    None if grid is None
                                    else {k: tuple(v) for k, v in grid.items()},
                                    None if options is None else frozenset(options))
        return factory

    return deco


def set_search_space(name: str, space: Mapping[str, Any]) -> None:
    """Declare (or replace) the hyper-parameter search space of model ``name``.

    ``space`` maps a config path (``"train.lr"``, ``"model.dropout"``) to a parameter
    (:mod:`genemoe.models.search_spaces`). It may be declared before ``name`` registers.
    """
    _SEARCH_SPACES[name] = dict(space)
    if name in _REGISTRY:
        _REGISTRY[name] = replace(_REGISTRY[name], search_space=_SEARCH_SPACES[name])


def signature_defaults(*callables: Callable[..., Any],
                       keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The default values of the keyword parameters named in ``keys`` (all, without it) of
    ``callables`` (the first callable naming a key wins), tuples as lists (as a YAML config
    holds them).

    A model whose factory forwards its config to a constructor declares its defaults with
    this, so they are read from the one place that applies them.
    """
    out: dict[str, Any] = {}
    for fn in callables:
        for key, param in inspect.signature(fn).parameters.items():
            if (keys is None or key in keys) and key not in out \
                    and param.default is not inspect.Parameter.empty:
                d = param.default
                out[key] = list(d) if isinstance(d, tuple) else d
    return out


def _load_all() -> None:
    for mod in _MODEL_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:  # a family not built yet
            if exc.name != mod:
                raise


STORED_ONLY = ("ensemble",)  # how a run is stored, not a model one trains by name


def list_models(*, task: str | None = None, kind: Kind | None = None,
                stored: bool = False) -> list[str]:
    """Names of the models one trains by name, optionally only those supporting ``task`` /
    of ``kind``; ``stored``: with :data:`STORED_ONLY` too (``ensemble`` was listed among the
    models, and a benchmark took ``--models ensemble``)."""
    _load_all()
    if task is not None and task not in ("classify", "survival"):  # listed nothing, silently
        raise input_error(f"unknown task {task!r}", where="--task", fix="use classify or survival")
    if kind is not None and kind not in get_args(Kind):  # "deep" listed nothing, silently
        raise input_error(f"unknown kind {kind!r}", where="kind",
                          fix=f"use one of: {', '.join(map(repr, get_args(Kind)))}, "
                              "e.g. list_models(kind='torch') (the neural models), or leave it out")
    check_flags((stored, "stored"), call="list_models")
    return sorted(n for n, s in _REGISTRY.items()
                  if (task is None or task in s.tasks) and (kind is None or s.kind == kind)
                  and (stored or n not in STORED_ONLY))


def get_spec(name: str) -> ModelSpec:
    """The :class:`ModelSpec` of ``name``; a clear error listing the choices otherwise."""
    _load_all()
    if name not in _REGISTRY:
        run = (Path(str(name)) / "model.pt").exists()  # predict's --model: a run's folder
        raise input_error(f"unknown model {name!r}" + (": a trained run's folder, where a "
                                                       "model's name goes" if run else ""),
                          where="--model",
                          fix=choices_text([str(name)], lead=(
                              f"to score with that run: genemoe predict --model {name} (predict,"
                              " explain and features take a run); or " if run else "")))
    return _REGISTRY[name]


def choices_text(unknown: list[str], *, lead: str = "") -> str:
    """The fix for unknown model names: after ``lead``, the nearest names, then every
    trainable model (not ``ensemble``) on lines of at most 100 characters under the
    ``  fix: `` an error puts before it, every continued line under one indent of 6 (the
    list ran on one line of 157 characters, then wrapped under 6 and 10 spaces)::

          fix: nearest: genemoe; choose one of the 17 models (genemoe models says what each is):
              coxnet, coxnnet, coxph, ...
              svm, svm_linear, ...
    """
    names = list_models()
    near = list(dict.fromkeys(m for u in unknown for m in difflib.get_close_matches(
        u.lower(), names, n=3, cutoff=0.6)))
    said = f"nearest: {', '.join(near)}; " if near else ""
    head = wrapped(f"  fix: {lead}{said}choose one of the {len(names)} models (genemoe "
                   "models says what each is):", first_whole=False)[len("  fix: "):]
    pad = " " * 6
    rows = textwrap.wrap(", ".join(names), width=WIDTH, initial_indent=pad,
                         subsequent_indent=pad, break_long_words=False, break_on_hyphens=False)
    return "\n".join([head, *rows])


def options_text(config: Mapping[str, Any]) -> str:
    """``hidden=256, dropout=0.5`` (or ``the defaults``): a model's options, for an error."""
    return ", ".join(f"{k}={v!r}" for k, v in config.items()) or "the defaults"


def check_task(name: str, task: str) -> None:
    """Refuse ``task`` for a model that does not do it (an InputError naming the models that do)."""
    spec = get_spec(name)
    if task not in spec.tasks:
        fix = (f"  fix: use it for {', '.join(spec.tasks)}, or pick another model "
               f"({', '.join(list_models(task=task))})")  # was one line of 163
        raise input_error(f"model {name!r} does not support task {task!r}", where="--model",
                          fix=wrapped(fix, first_whole=False)[len("  fix: "):])


def check_model_options(name: str, config: Mapping[str, Any]) -> None:
    """Refuse options model ``name`` does not take, as its factory would, but before a
    run's folder is touched (``train`` replaced a finished run, then the factory refused a
    misspelt option). A model that declared no ``options`` is left to its factory."""
    spec = get_spec(name)
    allowed = spec.options
    if allowed is not None:  # input_scaling: every model takes it (create_model)
        check_config_keys(name, {k: v for k, v in config.items() if k != "input_scaling"}, allowed)
    for key, default in (spec.defaults or {}).items():
        if key in config and _wrong_kind(default, config[key]):
            want = "true or false" if isinstance(default, bool) else "a number"
            quoted = (want == "a number" and isinstance(config[key], str)  # a flag's "1":
                      and _reads_as_number(config[key]))  # 1 unquoted is no flag either
            raise input_error(
                f"{key} is {config[key]!r}, not {want}" + " (a number in quotes is text)" * quoted,
                where=f"model.{name}",
                fix=(f"write it without quotes: {key}: {config[key].strip()}" if quoted else
                     f"set {key} to {want} (the default is {default!r})") + " in the preset or "
                    "--config YAML")
    _check_top_k(name, {**(spec.defaults or {}), **config})


def _reads_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_top_k(name: str, options: Mapping[str, Any]) -> None:
    """Refuse a top-k gate's ``k`` outside 1..``n_experts`` (the gate refused it when the
    model was built, naming neither ``model.NAME.k`` nor the preset)."""
    k, n_experts = options.get("k"), options.get("n_experts")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (k, n_experts)):
        return
    if not 1 <= k <= n_experts:
        raise input_error(
            f"k is {k}: each sample goes to k of the n_experts ({n_experts}) experts, so k "
            f"must be 1 to {n_experts}", where=f"model.{name}.k",
            fix=f"set model.{name}.k to 1..{n_experts}, or model.{name}.n_experts to "
                f"{max(k, 1)} or more")


def _wrong_kind(default: Any, value: Any) -> bool:
    """Whether ``value`` is plainly not of the kind of ``default``: text (or a list) where
    a number is expected, anything but true/false where a flag is. None (a model's "use
    its own rule") and widths given as lists are left to the factory."""
    if value is None or default is None:
        return False
    if isinstance(default, bool):
        return not isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (str, list, dict, bool))
    return False


def create_model(name: str, *, n_genes: int, n_outputs: int, task: str, **config: Any) -> Any:
    """Instantiate model ``name`` for ``task`` with ``n_genes`` inputs and ``n_outputs`` outputs.

    Extra keyword arguments are the model's own configuration (a preset's values,
    overridden by the user's). ``input_scaling`` is accepted for every model and left to
    the data pipeline (:func:`genemoe.models.image.input_scaling` reads and checks it); only
    the image models, which check it themselves, receive it.
    """
    from genemoe.models.image import IMAGE_MODELS  # image imports this module

    spec = get_spec(name)
    if name not in IMAGE_MODELS:
        config = {k: v for k, v in config.items() if k != "input_scaling"}
    check_task(name, task)
    check_sizes(n_genes, n_outputs, task)  # n_genes=0 was a ZeroDivisionError in the gate
    try:
        return spec.factory(n_genes=n_genes, n_outputs=n_outputs, task=task, **config)
    except InputError:
        raise
    except (ValueError, TypeError, RuntimeError) as exc:  # a layer refused an option's value
        if out_of_memory_message(exc) is not None:
            raise
        given = options_text(config)
        raise input_error(
            f"cannot build the model with these options ({exc})", where=f"model.{name}",
            fix=f"a width, count or probability is out of range or of the wrong type: check "
                f"model: {{{name}: ...}} in the preset or --config YAML ({given})") from exc


def check_sizes(n_genes: Any, n_outputs: Any, task: str) -> None:
    """Refuse a ``create_model`` input or output width that is not a whole number of 1 or
    more, or a survival model of other than one output (its risk).

    Raises
    ------
    InputError
        Naming the argument (``n_genes=0`` was a ZeroDivisionError, ``n_outputs=0`` built a
        head of no outputs, ``task="survival", n_outputs=4`` four risks, all unsaid).
    """
    for arg, value, what in (("n_genes", n_genes, "the number of input genes"),
                             ("n_outputs", n_outputs, "the number of classes (1 for survival)")):
        whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if not whole or value < 1:
            said = f"{value!r} (a string)" if isinstance(value, str) else repr(value)[:40]
            raise input_error(f"must be a whole number of 1 or more, got {said}", where=arg,
                              fix=f"pass {arg} {what}"
                                  + ", without quotes" * isinstance(value, str))
    if task == "survival" and n_outputs != 1:
        raise input_error(f"a survival model has one output (its risk), got {n_outputs}",
                          where="n_outputs", fix='pass n_outputs=1 with task="survival"')


def members_by_seed(name: str) -> bool:
    """Whether ``name``'s ensemble members differ by seed, each fitted on every training row
    (neural models, the random forest), rather than by inner folds, each on (k − 1)/k of
    them (a deterministic estimator: the same rows would give the same member)."""
    spec = get_spec(name)
    return spec.kind == "torch" or bool(spec.randomized)
