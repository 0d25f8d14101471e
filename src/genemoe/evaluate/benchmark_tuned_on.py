"""summary.md's "Preset values chosen on data": a preset's ``tuned_on:`` entries, the models
that used each, and the folds whose ``--tune`` search replaced their values (moved out of
:mod:`genemoe.evaluate.benchmark_tables`, whose public names still re-export them)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from genemoe.config_presets import list_presets, load_preset
from genemoe.errors import InputError
from genemoe.evaluate.benchmark_files import tuned_on_checks, unchecked_tuned_on
from genemoe.evaluate.markdown import markdown_table
from genemoe.models.search_spaces import value_text

__all__ = ["tuned_on_used_by", "tuned_on_in_run", "tuned_on_lines", "tuned_on_overlap"]


def tuned_on_used_by(tuned_on: Mapping[str, Any], in_force: Mapping[str, Mapping[str, Any]]
                     ) -> dict[str, dict[str, Any]]:
    """A preset's ``tuned_on:`` entries (protocol.json's ``preset_tuned_on``), each with
    ``used_by``: the names in ``in_force`` (a model, or the per-fold pre-training; each
    with the entries in force for it, :func:`~genemoe.config_presets.tuned_on_in_force`)
    whose options it describes, ``[]`` for none; ``overridden`` where a later layer
    (``--epochs``) replaced part of it; and ``reads_only`` (``{name: options}``) for the
    users that read only part of it (Coxnet: ``survival_selection``, not ``select_window``). summary.md listed every entry of the preset
    (image-model and survival options for a classification of logistic regressions)."""
    out = {}
    for key, entry in tuned_on.items():
        entry = dict(entry) if isinstance(entry, Mapping) else {"value": str(entry)}
        users = [name for name, now in in_force.items() if key in now]
        over = dict.fromkeys(str(n[key]["overridden"]) for n in in_force.values()
                             if isinstance(n.get(key), Mapping) and n[key].get("overridden"))
        part = {name: str(now[key]["reads_only"]) for name, now in in_force.items()
                if isinstance(now.get(key), Mapping) and now[key].get("reads_only")}
        entry.pop("reads_only", None)
        out[str(key)] = {**entry, "used_by": users, **({"overridden": "; ".join(over)} if over else {}),
                         **({"reads_only": part} if part else {})}
    return out


def tuned_on_in_run(tuned_on: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """``preset_tuned_on`` split into the entries this benchmark used and the keys of those
    it did not (``used_by`` empty); an older protocol.json without ``used_by``: all used."""
    used = {k: v for k, v in (tuned_on or {}).items()
            if not isinstance(v, Mapping) or v.get("used_by", True)}
    return used, [k for k in (tuned_on or {}) if k not in used]


def tuned_on_lines(protocol: Mapping[str, Any], results: pd.DataFrame | None = None
                    ) -> list[str]:
    """summary.md's account of the preset values that were chosen on data, and where: those
    of options this run's models used (the others named as not used), and that ``--epochs``
    or ``--tune`` replaced some (per model, in how many of its folds: ``results``' chosen
    values)."""
    tuned_on, epochs = protocol.get("preset_tuned_on"), protocol.get("epochs")
    if tuned_on is None:
        return []
    head = [f"## Preset values chosen on data (`{protocol.get('preset')}`)", ""]
    if not tuned_on:
        return head + ["None: the preset records no value chosen on data.", ""]
    used, unused = tuned_on_in_run(tuned_on)
    by = [*([] if str(protocol.get("preset")) in list_presets() else  # a file extending one
            [f"`{protocol.get('preset')}`'s own values"]),
          *([f"`--epochs {epochs}`"] if epochs is not None else [])]
    why = "other models', the other task's or pre-training's" + (
        f", or replaced by {' or '.join(by)}" if by else "")
    rest = ([f"Not used by this run ({why}; in protocol.json): "
             f"{'; '.join(f'`{k}`' for k in unused)}.", ""] if unused else [])
    if not used:
        return head + ["None of them describes an option this benchmark's models ran with.", "",
                       *rest]
    rows = pd.DataFrame([{"value of": k, "is": v.get("value"), "chosen on": v.get("data"),
                          "part": v.get("part"),
                          "sits in a benchmark's test folds": tuned_on_overlap(v, protocol),
                          **({"used by": ", ".join(_user_text(k, v, _named(u, protocol), results,
                                                   protocol.get("preset"))
                                                   + _part_text(v, u) for u in v["used_by"])}
                             if "used_by" in v else {}),
                          **({"replaced here": v["overridden"]} if v.get("overridden") else {})}
                         for k, v in used.items()]).fillna("")
    note = ("If this benchmark runs on that data, those samples also sit in its test folds: the "
            "values were chosen seeing them (genemoe's own choices on a validation split, never "
            "a test split; others' as their part says), which can favour the models they were "
            "tuned for." if unchecked_tuned_on(used) and _maybe_this_data(used, protocol)
            else "")  # a best.yaml's: checked
    old = not any(isinstance(v, Mapping) and "used_by" in v for v in used.values())
    if old and epochs is not None and any("epochs" in f"{k} {v.get('value')}" for k, v in used.items()):
        note += (f" `--epochs {epochs}` was given: it replaced the preset's epochs listed here "
                 "for every neural model of this benchmark.")
    if protocol.get("tune"):
        note += (" With `--tune` each search started from these values, and its best trial may "
                 "have replaced those it searches: Chosen per fold says what each fold used.")
        if any("survival_selection" in k for k in used):
            note += " No search draws `survival_selection`: it held in every fold."
    note = [note.strip(), ""] if note.strip() else []
    return head + _endpoint_lines(protocol, used) + [markdown_table(rows), "", *note,
                                                     *tuned_on_checks(used), *rest]


def tuned_on_overlap(entry: Mapping[str, Any], protocol: Mapping[str, Any]) -> Any:
    """Whether the samples a ``tuned_on`` entry's values were chosen on sit in this
    benchmark's test folds, as summary.md's column says it: counted (a ``genemoe tune``
    entry the benchmark checked: ``5 of its 116``; none: ``not this data (0 of ...)``); a
    preset's own note on a synthetic bundle: not this data (a generated sample is in no
    real cohort: the column said True, "if this benchmark runs on that data", of pancan33
    beside 900 synthetic samples); else the entry's ``overlaps_benchmark_test_folds``."""
    if not isinstance(entry, Mapping):
        return None
    if "n_test_folds" in entry:
        n, of = int(entry["n_test_folds_tuned_on"]), int(entry["n_test_folds"])
        return (f"{n:,} of its {of:,}" if n else
                f"not this data (0 of its samples are among the {of:,} in these folds)")
    said = entry.get("overlaps_benchmark_test_folds")
    if said and _synthetic(protocol) and "synthetic" not in str(entry.get("data", "")).lower():
        n = (protocol.get("samples") or {}).get("n_used") or (
            protocol.get("bundle_summary") or {}).get("n_samples")
        return ("not this data (0 of its samples are in these folds: their "
                + (f"{int(n):,} " if n else "") + "samples are synthetic)")
    return said


def _maybe_this_data(used: Mapping[str, Any], protocol: Mapping[str, Any]) -> bool:
    """Whether some entry not checked against the folds may still be this benchmark's data
    (not told "not this data" by :func:`tuned_on_overlap`)."""
    return any(not str(tuned_on_overlap(v, protocol)).startswith("not this data")
               for v in used.values()
               if not (isinstance(v, Mapping) and "test_folds_overlap" in v))


def _synthetic(protocol: Mapping[str, Any]) -> bool:
    """Whether a benchmark ran on a synthetic bundle (protocol.json's bundle summary or
    record says so)."""
    return bool((protocol.get("bundle_summary") or {}).get("synthetic")
                or (protocol.get("bundle_record") or {}).get("synthetic"))


def _endpoint_lines(protocol: Mapping[str, Any], used: Mapping[str, Any]) -> list[str]:
    """The preset's values were tuned on another survival endpoint (``tuned_endpoint_
    mismatch``): said, with the entries and the models that used them; [] otherwise."""
    if not (said := protocol.get("tuned_endpoint_mismatch")):
        return []
    which = "; ".join(f"`{k}`" + (f", used by {', '.join(v['used_by'])}" if v.get("used_by")
                                  else "") for k, v in used.items()
                      if isinstance(v, Mapping) and v.get("endpoint_mismatch"))
    return [f"**Tuned on another endpoint**: {said[0].upper()}{said[1:]} ({which}).", ""]


def _user_text(key: str, entry: Mapping[str, Any], model: str, results: pd.DataFrame | None,
               preset: str | None = None) -> str:
    """A model in the "used by" column, with the folds whose search replaced the values of
    ``tuned_on`` entry ``key`` (``fcn: start value only, replaced in 2/2 folds``): the column
    said "fcn" for a dropout every fold's search had replaced (its "used by" is decided
    before tuning). A fold whose search kept an option's value is not counted for it.

    An entry of several options (a whole section, ``train_classify``) is told option by
    option against each fold's chosen values: those its search replaced are named with their
    folds, the others (not searched, or kept) said used; summary.md said "used by fcn" for
    a noise_std, label smoothing and weight decay every fold's search had replaced."""
    if results is None or "chosen" not in results or not (
            starts := _entry_starts(key, entry, preset, model.split(" ")[0])):
        return model
    chosen = [_chosen_values(c) for c in
              results.loc[results["model"] == model, "chosen"].fillna("").astype(str)]
    n = len(chosen)
    replaced = {o: k for o, start in starts.items()
                if (k := sum(o in c and c[o] != start for c in chosen))}
    if not replaced:
        return model
    if set(replaced) == set(starts) and len(set(replaced.values())) == 1:
        k = next(iter(replaced.values()))
        only = "start value only, " if k == n else ""
        return f"{model}: {only}replaced in {k}/{n} folds"
    by_k: dict[int, list[str]] = {}
    for o, k in replaced.items():
        by_k.setdefault(k, []).append(o)
    said = "; ".join(f"{', '.join(opts)}: {'start values only, ' if k == n else ''}replaced in "
                     f"{k}/{n} folds" for k, opts in sorted(by_k.items(), reverse=True))
    rest = "; its other values used" if len(replaced) < len(starts) else ""
    return f"{model} ({said}{rest})"


def _part_text(entry: Mapping[str, Any], user: str) -> str:
    """`` (survival_selection only)`` after a user that reads only part of ``entry``
    (``reads_only``); "" otherwise. Coxnet was "used by" of ``survival_selection,
    select_window`` and read no window."""
    part = (entry.get("reads_only") or {}).get(user)
    return f" ({part} only)" if part else ""


def _entry_starts(key: str, entry: Mapping[str, Any], preset: str | None,
                  model: str | None = None) -> dict[str, str | None]:
    """The searchable options (``model.x``, ``train.x``) a ``tuned_on`` key names, each with
    the value text the search started from (None: unknown, any chosen value counts as
    replaced): a whole section's (``train_classify``) options and values read from the
    benchmark's ``preset``; ``{}`` where that preset cannot be read (a file since moved).

    A ``model.x`` option is read from ``model``'s own section of the preset (``model.mlp.
    widths``) where the ``model`` section holds no ``x`` itself; the mlp's widths were
    unknown (None) and its kept ``[512, 256]`` was counted as replaced in every fold."""
    paths = [p.strip().partition(".") for p in key.split(",")]
    layer = _preset_values(preset) if any(not o or s != "model" for s, _, o in paths) else {}
    out: dict[str, str | None] = {}
    for section, _, option in paths:
        where = "train" if section.startswith("train") else section
        values = layer.get(section)
        if not option:
            if not isinstance(values, Mapping):
                return {}
            out.update({f"{where}.{k}": _start_text(v) for k, v in values.items()})
        else:
            value = _option_value(values, option, model)
            out[f"{where}.{option}"] = None if value is None else _start_text(value)
    if len(out) == 1 and next(iter(out.values())) is None:  # the entry's value says it
        out = dict.fromkeys(out, _value_text(str(entry.get("value", "")).split(" ")[0]))
    return out


def _option_value(values: Any, option: str, model: str | None) -> Any:
    """``option`` of a preset section ``values``, or of its ``model`` subsection (the
    ``model`` section is keyed by model name); None where neither holds it."""
    if not isinstance(values, Mapping):
        return None
    if option in values:
        return values[option]
    own = values.get(model) if model else None
    return own.get(option) if isinstance(own, Mapping) else None


def _preset_values(preset: str | None) -> Mapping[str, Any]:
    """The resolved ``preset`` (:func:`~genemoe.config_presets.load_preset`), {} where it
    cannot be read."""
    if not preset:
        return {}
    try:
        return load_preset(str(preset))
    except (InputError, OSError):
        return {}


def _start_text(value: Any) -> str:
    """A preset value as ``results.csv``'s ``chosen`` writes it (``0.01``, ``false``,
    ``[512, 256]``)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_start_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return _value_text(str(value))


def _chosen_values(text: str) -> dict[str, str]:
    """``results.csv``'s ``chosen`` (``model.dropout=0.352, train.lr=0.000216``) as a dict
    of value texts (a list's commas kept inside its value)."""
    keys = list(re.finditer(r"(?:^|, )([A-Za-z_][\w.]*)=", text))
    if not keys:  # a cell that chose nothing (logreg's grid: "" or NaN read as text)
        return {}
    ends = [m.start() for m in keys[1:]] + [len(text)]
    return {m.group(1): _value_text(text[m.end():end])
            for m, end in zip(keys, ends, strict=True)}


def _value_text(text: str) -> str:
    """A number as :func:`~genemoe.models.search_spaces.value_text` writes it (``0.50`` and
    ``0.5`` alike), a list's numbers alike (``[512,256.0]`` as ``[512, 256]``); any other
    text as it is."""
    text = text.strip()
    if len(text) > 1 and text[0] in "[(" and text[-1] in "])":
        inner = [t for t in text[1:-1].split(",") if t.strip()]
        return "[" + ", ".join(_value_text(t) for t in inner) + "]"
    try:
        return value_text(float(text))
    except ValueError:
        return text


def _named(user: str, protocol: Mapping[str, Any]) -> str:
    """A model as summary.md's rows name it: "genemoe (pre-trained)" in a benchmark of
    pre-trained encoders; the per-fold pre-training as it is."""
    pre = protocol.get("pretrained") and user in (protocol.get("models") or ())
    return f"{user} (pre-trained)" if pre else user


