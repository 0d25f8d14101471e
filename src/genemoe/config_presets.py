"""Packaged configuration presets (``small``, ``base``, ``paper``) and their loader.

A preset is a YAML mapping with a ``model:`` section (one sub-mapping per model family,
keyed by registry name), a ``train:`` section, optional per-task overrides of it
(``train_classify:``, ``train_survival:``) and a ``pretrain:`` section. A user YAML may start from a preset with
``extends: <name or path>`` and override any key; :func:`deep_merge` does the overriding.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from genemoe.config_yaml import DuplicateKeyError, read_yaml_text, yaml_load
from genemoe.errors import input_error, nearest_names

__all__ = [
    "PRESET_DIR",
    "check_preset_serves",
    "check_extends",
    "warn_preset_gaps",
    "preset_gaps",
    "forget_preset_gaps",
    "dump_yaml",
    "list_presets",
    "load_preset",
    "preset_layers",
    "preset_files",
    "model_config",
    "train_config",
    "deep_merge",
    "merge_layers",
    "check_config_keys",
    "read_config_yaml",
    "yaml_load",
    "run_config_overrides",
    "tuned_on_in_force",
    "last_setter",
    "TRAIN_ALIASES",
    "endpoint_mismatch",
    "endpoint_mismatches",
    "SECTIONS",
]

logger = logging.getLogger(__name__)

PRESET_DIR = Path(__file__).resolve().parent / "configs"
_MAX_EXTENDS = 8  # depth limit of ``extends:`` chains (guards against cycles)
# A config's top-level sections (and ``extends:``); each is a mapping.
SECTIONS = ("model", "train", "train_classify", "train_survival", "train_classify_models",
            "train_survival_models", "pretrain", "tuned_on", "tuned_for")


TRAIN_ALIASES = {"balance_weight": "aux_weight"}
"""A training option a file may write under another name → the trainer's name (the
paper's λ_balance is the trainer's aux weight; merged before the checks)."""

_EXAMPLE = {"model": "{genemoe: {n_experts: 8}}", "train_classify_models": "{genemoe: {lr: 0.001}}",
            "train_survival_models": "{genemoe: {lr: 0.001}}"}
_RUN_KEYS = {"model_config", "train_config", "best_epoch"}  # a run's resolved config.yaml


def list_presets() -> list[str]:
    """Names of the packaged presets (``configs/<name>.yaml``)."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


def deep_merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """A new dict: ``a`` updated by ``b``, recursing where both values are mappings.

    The result shares nothing with the inputs (values are deep-copied); lists and scalars
    in ``b`` replace those in ``a``.
    """
    out: dict[str, Any] = copy.deepcopy(dict(a))
    for key, value in b.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _resolve(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    path = Path(text)
    if path.suffix in {".yaml", ".yml"} or path.is_file():
        if not path.is_file():
            raise input_error(
                "config file not found",
                path=path,
                fix=f"give an existing YAML file or a preset name ({', '.join(list_presets())})",
            )
        return path
    if text in list_presets():
        return PRESET_DIR / f"{text}.yaml"
    if path.is_dir() or path.suffix or len(path.parts) > 1:  # a path, maybe --config's: it
        raise input_error(  # was "--preset: unknown preset '/runs/r1'"
            "a folder, not a config YAML" if path.is_dir() else "config file not found",
            path=path, fix=f"give a YAML file{' (a run folder holds config.yaml)' * path.is_dir()}"
                           f" or a preset name ({', '.join(list_presets())})")
    raise input_error(
        f"unknown preset {text!r}{nearest_names([text], list_presets())}",
        where="--preset",
        fix=f"choose one of: {', '.join(list_presets())}, or a YAML path",
    )


def load_preset(name_or_path: str | Path, *, _depth: int = 0) -> dict[str, Any]:
    """Load a packaged preset by name, or a YAML file by path.

    Parameters
    ----------
    name_or_path
        ``"small"``, ``"base"``, ``"paper"``, or a path to a YAML file. A file may contain
        ``extends: <name or path>``; it is then merged over that preset.

    Returns
    -------
    dict
        The resolved configuration (``model``, ``train``, ...), without ``extends``.

    Raises
    ------
    InputError
        Unknown name (the message lists the presets), missing file, or a file whose top
        level is not a mapping.
    """
    return merge_layers(layer for _, layer in preset_layers(name_or_path, _depth=_depth))


def merge_layers(layers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The configuration config ``layers`` make, merged in order (:func:`deep_merge`, later
    wins): a new dict, sharing nothing with them."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = deep_merge(merged, layer)
    return merged


def preset_layers(name_or_path: str | Path, *, _depth: int = 0
                  ) -> list[tuple[str, dict[str, Any]]]:
    """The files a preset is made of, each as it is written (without ``extends:``), the
    preset it extends first: ``[("preset small", {...}), ("pre2.yaml", {...})]``.

    Merged in order (:func:`deep_merge`) they give :func:`load_preset`'s configuration.
    A ``tuned_on:`` entry describes the values of the file that wrote it: told against the
    merged preset, a file's ``extends: small`` with ``train: {patience: 5}`` had the small
    preset's tuned patience 20 credited as used by a run that ran with 5.

    Raises
    ------
    InputError
        As :func:`load_preset`.
    """
    return [(name, data) for name, _, data in preset_files(name_or_path, _depth=_depth)]


def preset_files(name_or_path: str | Path, *, _depth: int = 0
                 ) -> list[tuple[str, Path, dict[str, Any]]]:
    """:func:`preset_layers` with each file's path: ``(name, path, data)``, so an error in
    a value can name the file that set it (a packaged preset's name is ``"preset small"``).

    Raises
    ------
    InputError
        As :func:`load_preset`.
    """
    path = _resolve(name_or_path)
    data = read_config_yaml(path)
    name = (f"preset {name_or_path}" if str(name_or_path) in list_presets()
            else path.name)
    parent = data.pop("extends", None)
    if parent is None:
        return [(name, path, data)]
    if _depth >= _MAX_EXTENDS:
        raise input_error(
            "'extends' chain too deep (a cycle?)",
            path=path,
            fix="make the chain of 'extends' end at a packaged preset",
        )
    if not Path(str(parent)).is_absolute() and Path(str(parent)).suffix in {".yaml", ".yml"}:
        parent = path.parent / str(parent)
    check_extends(parent, path)
    logger.debug("config %s extends %s", path, parent)
    return [*preset_files(parent, _depth=_depth + 1), (name, path, data)]


def check_preset_serves(preset: str | Path, models: list[str], command: str) -> None:
    """Refuse a tune's ``best.yaml`` (or a file extending one) as the preset of a command that
    runs other models: its options were chosen for one model (``tuned_for``), and the
    per-model refusal in each fit named ``--model``, which a benchmark or an ablation lacks
    (after a warning to add ``extends: small``, which could not help).

    Parameters
    ----------
    preset
        The command's ``--preset`` (a packaged name passes).
    models
        The models the command runs.
    command
        ``"benchmark"`` or ``"ablation"``: the fix names what it can do instead.
    """
    if str(preset) in list_presets():
        return
    tuned = next((layer["tuned_for"]["model"] for _, layer in reversed(preset_layers(preset))
                  if isinstance(layer.get("tuned_for"), Mapping)
                  and layer["tuned_for"].get("model")), None)
    others = [m for m in models if m != tuned]
    if tuned is None or not others:
        return
    fix = (f"run `genemoe benchmark --models {tuned} --preset {preset}`, or give the others "
           "a preset of their own (--preset small, or a YAML with `extends: small`)"
           if command == "benchmark" else
           "pass --preset small (or a YAML with `extends: small`): every arm of the ablation "
           "takes the same preset; compare tuned models with `genemoe benchmark --tune N`")
    raise input_error(f"options tuned for {tuned} by `genemoe tune` (tuned_for), given as the "
                      f"preset of {', '.join(others)} too", path=Path(str(preset)),
                      where="--preset", fix=fix)


def check_extends(parent: str | Path, path: Path | str) -> None:
    """Refuse a YAML's ``extends:`` naming no preset and no file, naming the YAML (it was
    blamed on ``--preset``, after a warning that its values override the preset's)."""
    if str(parent) in list_presets() or Path(str(parent)).is_file():
        return
    raise input_error(f"extends: unknown preset {str(parent)!r}", path=Path(str(path)),
                      fix=f"extend one of: {', '.join(list_presets())}, or a YAML path")


def read_config_yaml(path: Path | str) -> dict[str, Any]:
    """A config file's mapping, checked: valid YAML, a mapping of the known
    :data:`SECTIONS` (and ``extends:``), each a mapping, and under ``model:`` and
    ``train_<task>_models:`` one mapping of options per model name.

    A misplaced key (``model: {n_experts: 8}`` for ``model: {genemoe: {n_experts: 8}}``,
    a misspelt section) was silently ignored, and the run trained with the defaults.

    Raises
    ------
    InputError
        Naming the file, the line or key at fault, and the fix.
    """
    path = Path(path)
    text = read_yaml_text(path)
    try:
        data = yaml_load(text)
    except DuplicateKeyError as exc:  # PyYAML kept the last silently
        raise input_error(f"{exc.key_path} is given twice, on lines {exc.first_line} and "
                          f"{exc.second_line} (the second would replace the first)", path=path,
                          where=f"line {exc.second_line}",
                          fix=f"write {exc.key_words} once, merging the two (YAML "
                              "keeps only the last of a repeated key)") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise input_error(
            f"not valid YAML ({getattr(exc, 'problem', None) or exc})", path=path,
            where=None if mark is None else f"line {mark.line + 1}, column {mark.column + 1}",
            fix="fix the YAML there (a bracket or quote left open, a tab in the indentation, "
                "a missing space after ':')") from exc
    if data is None or data == {}:  # an empty file (or comments only) ran on the preset, unsaid
        raise input_error("the YAML holds no options (it is empty, or comments only)", path=path,
                          fix="write the options to change in it (e.g. 'train: {epochs: 30}'), "
                              "or leave it out")
    if not isinstance(data, dict):
        raise input_error("a config must be a YAML mapping (model:, train:, ...)", path=path,
                          fix="start the file with top-level keys such as 'model:'")
    if _is_run_config(data):
        return run_config_overrides(data, path)
    if set(data) == {"preset", "pretrain", "model"}:  # a pre-training run's (its preset is
        return {"pretrain": data["pretrain"], "model": data["model"]}  # resolved in these)
    _check_sections(data, path)
    return data


def _is_run_config(data: Mapping[str, Any]) -> bool:
    return {"model_config", "train"} <= set(data) and isinstance(data.get("model"), str)


def run_config_overrides(run_config: Mapping[str, Any], path: Path | str | None = None
                         ) -> dict[str, Any]:
    """A run's resolved ``config.yaml`` as a config: ``model: {MODEL: <its model_config>}``
    and ``train: <its train>`` (without ``seed`` and ``device``, which the command gives),
    so ``genemoe train --config RUN/config.yaml`` trains with that run's options.

    Keys the run recorded but did not choose (``layout_fitted_on``) are left out;
    ``run_model`` names the run's model, which the command's ``--model`` must be
    (:func:`genemoe.train.fit.resolve_config` checks).
    """
    model = run_config["model"]
    options = {k: v for k, v in (run_config.get("model_config") or {}).items()
               if k != "layout_fitted_on"}
    train = {k: v for k, v in (run_config.get("train") or {}).items()
             if k not in ("seed", "device")}
    logger.info("%s: a run's config.yaml: %s's options and its training options", path, model)
    return {"model": {model: options}, "train": train, "run_model": model,
            "run_task": run_config.get("task")}


def _check_sections(data: Mapping[str, Any], path: Path) -> None:
    unknown = sorted(set(data) - set(SECTIONS) - {"extends"}, key=str)
    if unknown:
        fix = ("this looks like a run's config.yaml without its model_config and train: pass "
               "the file the run wrote, or write model: {MODEL: {...}} and train: {...}"
               if _RUN_KEYS & set(data) else
               f"use only the sections {', '.join(SECTIONS)} (and extends: PRESET)")
        raise input_error(f"unknown top-level key(s) {', '.join(map(str, unknown))}",
                          path=path, fix=fix)
    for key in SECTIONS:
        if data.get(key) is not None and not isinstance(data[key], Mapping):
            raise input_error(f"{key}: must be a mapping of options, got {data[key]!r}",
                              path=path, fix=f"write it as {key}: {{option: value, ...}}")
    for key in ("model", "train_classify_models", "train_survival_models"):
        for name, opts in (data.get(key) or {}).items():
            if opts is not None and not isinstance(opts, Mapping):
                raise input_error(
                    f"{key}.{name}: {opts!r} is not a mapping of options", path=path,
                    fix=f"keys under {key}: are model names, each with its own options, e.g. "
                        f"{key}: {_EXAMPLE[key]}")


def model_config(preset: Mapping[str, Any], model_name: str) -> dict[str, Any]:
    """The keyword configuration of ``model_name`` in ``preset`` (``{}`` if absent).

    The result is a copy: pass it to ``create_model(name, ..., **config)``.
    """
    section = preset.get("model") or {}
    return dict(section.get(model_name) or {})


def train_config(preset: Mapping[str, Any], task: str | None = None,
                 model_name: str | None = None) -> dict[str, Any]:
    """A copy of the ``train:`` section of ``preset`` (``{}`` if absent).

    With ``task`` (``classify`` or ``survival``), the preset's ``train_<task>:`` section,
    if any, overrides it key by key: the two tasks may need different learning rates or
    patience (a Cox loss on a few hundred patients is noisier than a 33-class focal loss).
    With ``model_name`` too, ``train_<task>_models: {<model>: {...}}`` overrides that in
    turn: one model's own recipe for the task (e.g. the values a tuning run chose for it).
    """
    section = dict(preset.get("train") or {})
    if task is not None:
        section = deep_merge(section, dict(preset.get(f"train_{task}") or {}))
        if model_name is not None:
            per_model = preset.get(f"train_{task}_models") or {}
            section = deep_merge(section, dict(per_model.get(model_name) or {}))
    return section


def check_config_keys(model_name: str, config: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Raise an :class:`~genemoe.errors.InputError` naming any key ``model_name`` lacks.

    Model factories call this so that a misspelt preset key fails loudly instead of
    silently falling back to a default.
    """
    allowed = set(allowed)
    unknown = sorted(set(map(str, config)) - allowed)
    if unknown:
        raise input_error(
            f"model {model_name!r} has no option{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)}{nearest_names(unknown, allowed)}",
            where=f"model.{model_name}",
            fix=f"use only: {', '.join(sorted(allowed))}",
        )


_GAPS_SAID: set[tuple[str, str]] = set()  # (warning, the file's content) said since forgotten


def preset_gaps(preset: str, model_name: str, task: str | None = None, *,
                neural: bool = True) -> str | None:
    """The warning :func:`warn_preset_gaps` gives of a preset *file* that extends no preset
    and leaves ``model_name``'s options or (``neural``) the training recipe to the code's
    defaults where the packaged ``small`` preset sets them; None where it leaves none (a
    ``genemoe tune`` best.yaml holds every option of the model it was tuned for)."""
    if preset in list_presets() or Path(preset).suffix not in {".yaml", ".yml"}:
        return None
    raw = read_config_yaml(_resolve(preset))
    if raw.get("extends") is not None or (raw.get("tuned_for") or {}).get("model") == model_name:
        return None
    small = load_preset("small")
    own = model_name in (raw.get("model") or {}) or model_name not in (small.get("model") or {})
    unset = ([] if own else [f"model.{model_name}"]) + [
        k for k in ("train", f"train_{task}") if neural and k not in raw and small.get(k)]
    if not unset:
        return None
    return (f"{preset} extends no preset and sets no {', '.join(unset)}: {model_name} runs "
            "with the code's defaults there, not the small preset's (add `extends: small` to "
            f"{Path(preset).name} to change only what it sets)")


def warn_preset_gaps(preset: str, model_name: str, task: str | None = None, *,
                     neural: bool = True) -> bool:
    """Warn of :func:`preset_gaps`, once per file content until :func:`forget_preset_gaps`
    (a benchmark's cells resolve the same preset again); True when there is a gap.

    ``--preset p.yaml`` holding only ``model: {resnet50: {image_size: 32}}`` ran Gene-MOE at
    hidden 1024 and 15 experts and the hybrid CNN without its noise and label smoothing (its
    macro-F1 0.592 → 0.344), with no word of it. It was said once per process: a second
    ``train_run`` with the same file, or the file edited, was silent.
    """
    if (text := preset_gaps(preset, model_name, task, neural=neural)) is None:
        return False
    key = (text, repr(read_config_yaml(_resolve(preset))))  # an edited file says it again
    if key not in _GAPS_SAID:
        _GAPS_SAID.add(key)
        logger.warning("%s", text)
    return True


def forget_preset_gaps() -> None:
    """Let every preset gap be warned of again: each run (``train_run``, ``tune_run``) says
    its own."""
    _GAPS_SAID.clear()


class _LongKeyDumper(yaml.SafeDumper):
    """PyYAML's safe dumper, writing keys of up to 1,024 characters (YAML's limit for an
    implicit key) as plain keys: beyond 128 PyYAML wrote the ``? key`` / ``: value`` form,
    which a best.yaml's ``tuned_on:`` key (the tuned options' names) reached."""

    def check_simple_key(self) -> bool:
        if isinstance(self.event, yaml.events.ScalarEvent):
            if self.analysis is None:
                self.analysis = self.analyze_scalar(self.event.value)
            a = self.analysis
            return not a.empty and not a.multiline and len(a.scalar) < 1024
        return super().check_simple_key()


def dump_yaml(data: Any) -> str:
    """YAML text of plain ``data`` in its own key order (:class:`_LongKeyDumper`)."""
    return yaml.dump(data, Dumper=_LongKeyDumper, sort_keys=False)


def _described(layer: Mapping[str, Any], path: str, model_name: str,
               task: str | None) -> tuple[str, dict[str, Any]] | None:
    """The options a ``tuned_on:`` path (``train.epochs``, ``train_survival``, ``model.dropout``,
    ``model.genemoe``, ``train_classify_models.genemoe/moe``, ``pretrain.lr``) names, as
    ``layer`` sets them for ``model_name`` and ``task``, with the section they sit in
    (``model``, ``train`` or ``pretrain``); None where the path is not about this run."""
    section, _, sub = path.strip().partition(".")
    if section == "model":
        opts = model_config(layer, model_name)
        if not sub or model_name in sub.split("/"):
            return "model", opts
        if sub in (layer.get("model") or {}) or "/" in sub:  # another model's options
            return None
        return ("model", {sub: opts[sub]}) if sub in opts else None
    if section == "pretrain":
        opts = dict(layer.get("pretrain") or {})
        return "pretrain", ({sub: opts[sub]} if sub in opts else {}) if sub else opts
    match = re.fullmatch(r"train(?:_(classify|survival))?(_models)?", section)
    if match is None or (match.group(1) is not None and match.group(1) != task):
        return None
    if match.group(2):  # per-model recipes: the entry names the models after the dot
        models = sub.split(".")[0].split("/")
        if model_name not in models:
            return None
        return "train", dict((layer.get(section) or {}).get(model_name) or {})
    opts = dict(layer.get(section) or {})
    return "train", ({sub: opts[sub]} if sub in opts else {}) if sub else opts


def _section_options(layer: Mapping[str, Any], section: str, model_name: str,
                     task: str | None) -> dict[str, Any]:
    """What ``layer`` sets for this run in ``section`` (``train``: with its per-task and
    per-model recipes, as :func:`train_config` merges them)."""
    if section == "model":
        return model_config(layer, model_name)
    if section == "train":
        return train_config(layer, task, model_name)
    return dict(layer.get(section) or {})


def last_setter(key: str, layers: Sequence[tuple[Any, Mapping[str, Any]]], section: str,
                model_name: str, task: str | None) -> Any:
    """The source of the last of ``layers`` whose ``section`` options for this run set
    ``key`` (``train``: with its per-task and per-model recipes, and the names
    :data:`TRAIN_ALIASES` reads as it).

    Parameters
    ----------
    key
        The option (``epochs``, ``aux_weight``; a ``train`` alias names the same option).
    layers
        ``(source, config)`` pairs, later wins (a file, ``"preset small"``, ``--epochs``).
    section, model_name, task
        The section (``model``, ``train``, ``pretrain``), the model and the run's task.

    Returns
    -------
    Any
        The source of that layer; None where none sets it (a default of the code).
    """
    name = TRAIN_ALIASES.get(key, key) if section == "train" else key
    names = {name} | ({a for a, n in TRAIN_ALIASES.items() if n == name} if section == "train"
                      else set())
    for source, layer in reversed(layers):
        if names & set(_section_options(layer, section, model_name, task)):
            return source
    return None


def tuned_on_in_force(layers: list[tuple[str, Mapping[str, Any]]], final: Mapping[str, dict],
                      model_name: str, task: str | None) -> dict[str, Any]:
    """The merged ``tuned_on:`` of config ``layers`` (name, config; later wins), told against
    the ``final`` options in force (``{"model": ..., "train": ...}``: the sections the run
    reads; a classical model reads no ``train``).

    An entry is kept only where it describes a value the run used: one about another model,
    task or section (``train_classify`` for a survival run, ``pretrain.lr`` for any training
    run, Gene-MOE's dropout for Coxnet) is left out, and so is one whose every value a later
    layer (a ``--config``, ``--epochs``) replaced; one replaced in part gains ``overridden``
    (``epochs 100 -> 5 (--epochs)``), and one the run reads in part ``reads_only`` (the
    options it reads: Coxnet reads ``survival_selection`` of an entry about it and
    ``select_window``). A run's config.yaml listed the preset's
    ``train.epochs: 100`` beside a best.yaml's tuned 30, and Coxnet's every entry, before.
    """
    owner: dict[str, tuple[int, Any]] = {}
    for i, (_, layer) in enumerate(layers):
        for key, entry in (layer.get("tuned_on") or {}).items():
            owner[str(key)] = (i, entry)
    out: dict[str, Any] = {}
    left: list[str] = []  # entries describing no value in force: one -v line (was one each)
    for key, (i, entry) in owner.items():
        described, changed, unread, read = 0, [], [], []
        for path in key.split(","):
            found = _described(layers[i][1], path, model_name, task)
            if found is None or found[0] not in final:
                continue
            section, opts = found
            names = {opt: TRAIN_ALIASES.get(opt, opt) if section == "train" else opt
                     for opt in opts}
            if "." not in path and not set(names.values()) <= set(final.get(section, {})):
                continue  # a whole recipe the run reads only a part of (Coxnet: train's choice)
            for opt, value in opts.items():
                name = names[opt]
                if name not in final.get(section, {}):  # an option the run does not read
                    unread.append(opt)  # (Coxnet reads train's survival_selection, not its
                    continue  # epochs)
                now = final[section][name]
                described += 1
                read.append(opt)
                if now != value:
                    by = last_setter(opt, layers[i + 1:], section, model_name, task)
                    changed.append(f"{opt} {value} -> {now}" + (f" ({by})" if by else ""))
        if not described or len(changed) == described:
            left.append(f"{key} ({'; '.join(changed)})" if changed else key)
            continue
        if changed:
            entry = {**(entry if isinstance(entry, Mapping) else {"value": str(entry)}),
                     "overridden": "; ".join(changed)}
        if unread:  # Coxnet reads survival_selection of "...survival_selection, ...select_window"
            entry = {**(entry if isinstance(entry, Mapping) else {"value": str(entry)}),
                     "reads_only": ", ".join(read)}
        out[key] = copy.deepcopy(entry)
    if left:
        logger.debug("tuned_on: %d entr%s of the preset describe no value this run uses: %s",
                     len(left), "y" if len(left) == 1 else "ies", "; ".join(left))
    return out


def endpoint_mismatch(entry: Mapping[str, Any], endpoint: str | None) -> str | None:
    """The warning for options tuned on one survival endpoint (a best.yaml's
    ``tuned_on: {endpoint: OS}`` entry) given to a run on a bundle of another (PFI).

    Parameters
    ----------
    entry
        One ``tuned_on:`` entry.
    endpoint
        The bundle's survival endpoint (``Bundle.endpoint``).

    Returns
    -------
    str or None
        The warning, naming both endpoints; None where they agree or either is unknown.
        ``genemoe train`` and ``genemoe benchmark`` (``ablation`` too) say it alike.
    """
    tuned = entry.get("endpoint")
    if not tuned or not endpoint or str(tuned) == str(endpoint):
        return None
    return (f"the options were tuned on the {tuned} endpoint, this bundle's survival is "
            f"{endpoint}: they may not suit {endpoint} (tune on this bundle to be sure)")


def endpoint_mismatches(tuned_on: Mapping[str, Any] | None) -> dict[str, str]:
    """The ``tuned_endpoint_mismatch`` of a run's record (train's metrics.json, benchmark's
    protocol.json): the ``endpoint_mismatch`` warnings of ``tuned_on``'s entries
    (:func:`endpoint_mismatch`), each once, in one line; empty where there are none."""
    said = sorted({str(e["endpoint_mismatch"]) for e in (tuned_on or {}).values()
                   if isinstance(e, Mapping) and e.get("endpoint_mismatch")})
    return {"tuned_endpoint_mismatch": "; ".join(said)} if said else {}
