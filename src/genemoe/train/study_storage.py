"""Where studies live: an SQLAlchemy database URL opened as an Optuna storage.

SQLite (``sqlite:///DIR/study.db``) gets its folder made and a patient lock wait;
every database gets heartbeats for running trials (:func:`~genemoe.train.study_budget.
heartbeat_options`), so a killed trial is found and runs again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import optuna

from genemoe.data.out_dirs import check_writable_folder
from genemoe.errors import InputError, input_error
from genemoe.train.study_budget import heartbeat_options

__all__ = ["study_storage", "redacted_url", "check_setup", "check_storage_writable",
           "setup_refusal", "setup_digest", "recorded_setup", "KEYED_BY_READ"]

log = logging.getLogger(__name__)


def study_storage(url: str | None) -> optuna.storages.BaseStorage | None:
    """An RDB storage for ``url`` (SQLite: its folder made, a patient lock wait; heartbeats
    for running trials); None: memory."""
    if url is None:
        return None
    kwargs: dict[str, Any] = heartbeat_options()  # a killed trial is found and run again
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        kwargs["engine_kwargs"] = {"connect_args": {"timeout": 60}}
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    try:
        return _rdb_storage(url, kwargs)
    except (ArgumentError, NoSuchModuleError) as exc:  # not a database URL, unknown dialect
        raise input_error(f"{redacted_url(url)!r} is not a database URL SQLAlchemy can open "
                          f"({str(exc).splitlines()[0]})", where="--storage",
                          fix="use sqlite:///PATH/study.db (one machine) or "
                              "postgresql+psycopg://USER:PASSWORD@HOST/DB (several)") from None
    except OperationalError as exc:  # the server is unreachable, the login refused ...
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise input_error(f"cannot open the study database {redacted_url(url)}: {first}",
                          where="--storage", fix="check the URL, that the database server is "
                          "reachable from this machine, and the user's rights") from None
    except ImportError as exc:  # the database's driver (psycopg, pymysql) is missing
        missing = getattr(exc.__cause__ or exc.__context__, "name", None) or exc.name
        raise input_error(f"no driver for the study database: no module {missing!r}",
                          where="--storage",
                          fix=f"install {missing!r} on this machine (PostgreSQL: pip install "
                              "'psycopg[binary]' with a postgresql+psycopg:// URL; MySQL: pip "
                              "install pymysql with a mysql+pymysql:// URL), or use "
                              "sqlite:///PATH") from exc


def check_storage_writable(url: str) -> None:
    """Refuse a SQLite study database (``sqlite:///PATH``) that cannot be written: the file,
    and its folder, where SQLite writes its journal beside it. Other databases are checked
    by their server (:func:`study_storage`).

    Raises
    ------
    InputError
        The database file or its folder is read-only, naming it and the fix.
    """
    if not url.startswith("sqlite:///"):
        return
    db = Path(url.removeprefix("sqlite:///"))
    fix = ("make it writable, or pass --storage sqlite:///PATH/study.db in a folder you can "
           "write (or another --out)")
    check_writable_folder(db.parent, where="--storage (the study database's folder: SQLite "
                          "writes its journal there)", fix=fix)
    if db.exists() and not os.access(db, os.W_OK):
        raise input_error("the study database is read-only", path=db, where="--storage", fix=fix)


def _rdb_storage(url: str, kwargs: dict[str, Any], *, attempts: int = 5
                 ) -> optuna.storages.RDBStorage:
    """``RDBStorage(url)``, retried when another worker is creating the same new database.

    Two workers opening a fresh database at once both create its tables; the loser fails
    with "table ... already exists" (OperationalError) or a UNIQUE violation on
    ``alembic_version`` (IntegrityError) and, a moment later, finds the tables made: it
    tries again after a short, growing wait.
    """
    import time as _time

    from sqlalchemy.exc import IntegrityError, OperationalError

    racing = ("already exists", "UNIQUE constraint failed", "alembic_version")
    for attempt in range(attempts):
        try:
            with warnings.catch_warnings():  # Optuna marks heartbeats experimental
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(url, **kwargs)
        except (OperationalError, IntegrityError) as exc:
            if attempt == attempts - 1 or not any(r in str(exc) for r in racing):
                raise
            log.info("study database being created by another worker; retrying")
            _time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def redacted_url(url: str) -> str:
    """``url`` without its password (a PostgreSQL URL may carry one)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not an SQLAlchemy URL: show it as given
        return url


_SETUP_WORDS = {"model": "--model", "task": "--task", "n_outputs": "the number of classes",
                "seed": "--seed", "model_cfg": "model options", "train_cfg": "training options",
                "space": "the search space", "rows": "the samples of the train/val parts",
                "n_genes": "the genes", "inner": "the inner folds (--cv)"}


def setup_digest(value: Any) -> str:
    """The digest a study keeps of one part of its setup (:func:`check_setup`)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


KEYED_BY_READ = "setup_keyed_by_read"
"""Study user attribute: its setup holds only the training options its model reads (since
2026-12-06; before, every training option: an SVM study refused ``--preset base`` over
epochs and lr it never reads)."""


def recorded_setup(study: optuna.Study | None, setup: dict[str, Any],
                   older: dict[str, Any] | None = None) -> dict[str, Any]:
    """The setup to compare ``study``'s with: ``setup``, or ``older`` (the same call keyed
    as genemoe did before :data:`KEYED_BY_READ`: every training option) for a study an
    older genemoe recorded, so that study still resumes with its own options.

    Parameters
    ----------
    study
        The opened study (None: none yet).
    setup, older
        This call's setup, and as an older genemoe keyed it (None: the same).
    """
    if study is None or older is None or older == setup:
        return setup
    attrs = study.user_attrs
    return older if "setup" in attrs and not attrs.get(KEYED_BY_READ) else setup


def check_setup(study: optuna.Study, setup: dict[str, Any], storage: str | None,
                older: dict[str, Any] | None = None) -> None:
    """Record what ``study``'s trials depend on, or refuse a different ``setup`` naming
    what differs (a resume or another worker with other options).

    The study keeps the digest of the whole ``setup`` (``setup``: what studies written
    before 2026-12-03 hold) and one per part (``setup_parts``), with the training and model
    options themselves and the seed, so the refusal can say ``training options: epochs 30 →
    5`` or ``--seed 0 → 1`` (a classical model's training options hold no seed). A study
    an older genemoe recorded is compared with ``older``, the setup as it keyed it
    (:func:`recorded_setup`).
    """
    setup = recorded_setup(study, setup, older)
    whole = setup_digest(setup)
    parts = {k: setup_digest(v) for k, v in setup.items()}
    seen = study.user_attrs.get("setup")
    if seen is None:  # the mark first: a worker that reads the setup reads it too
        study.set_user_attr(KEYED_BY_READ, True)
        study.set_user_attr("setup", whole)
        study.set_user_attr("setup_parts", parts)
        study.set_user_attr("setup_options", json.loads(json.dumps(
            {k: setup.get(k) for k in ("model_cfg", "train_cfg", "seed")}, default=str)))
        return
    if seen == whole:
        return
    raise setup_refusal(study, setup, parts, storage)


def setup_refusal(study: optuna.Study, setup: dict[str, Any], parts: dict[str, str],
                  storage: str | None) -> InputError:
    """The refusal of a ``setup`` (digests per part: ``parts``) other than ``study``'s,
    naming what differs, the database and the fix: the one text of :func:`check_setup` and
    of :func:`~genemoe.train.tuning_start.check_setup_but_space` (which wrote its own copy)."""
    return input_error(
        f"study {study.study_name!r} holds trials of another setup ({_what_differs(study, setup, parts)})",
        where=f"--storage {redacted_url(storage) if storage else 'in memory'}",
        fix="use another --study name (or, with the default --storage, another --out folder), "
            "or rerun with the study's own options")  # a new --out shares a given --storage


def _what_differs(study: optuna.Study, setup: dict[str, Any], parts: dict[str, str]) -> str:
    old = study.user_attrs.get("setup_parts")
    if not old:  # a study written before the parts were kept
        return "model, task, data, options, seed or search space differ"
    options = study.user_attrs.get("setup_options") or {}
    keys = [k for k in sorted(set(old) | set(parts), key=list(_SETUP_WORDS).index)
            if old.get(k) != parts.get(k)]
    moves: dict[str, dict[str, str]] = {}  # per options dict: option -> "was → now"
    for key in keys:
        was, now = options.get(key), json.loads(json.dumps(setup.get(key), default=str))
        if isinstance(was, dict) and isinstance(now, dict):
            moves[key] = {k: f"{was.get(k, 'unset')} → {now.get(k, 'unset')}"
                          for k in sorted(set(was) | set(now)) if was.get(k) != now.get(k)}
    said = []
    for key in keys:
        if key in moves:
            left = {k: v for k, v in moves[key].items() if k not in keys}  # said on its own
            if left:
                said.append(f"{_SETUP_WORDS[key]}: "
                            + ", ".join(f"{k} {v}" for k, v in left.items()))
            continue
        shown = next((d[key] for d in moves.values() if key in d), None)  # seed 0 → 5
        if shown is None and key in options and not isinstance(options[key], dict):
            shown = f"{options[key]} → {setup.get(key)}"  # a classical study's seed
        said.append(f"{_SETUP_WORDS.get(key, key)} {shown}" if shown
                    else f"{_SETUP_WORDS.get(key, key)} changed")
    return "; ".join(said) or "options differ"
