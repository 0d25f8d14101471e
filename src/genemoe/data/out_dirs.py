"""What a command's ``--out`` folder already holds: refuse another command's results, and
remove a previous result's files its replacement may not rewrite (re-exported by
:mod:`genemoe.data.bundle`, where they were); whether a folder can be written at all, said
before the work."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from genemoe.data.args import shown_path
from genemoe.errors import input_error

__all__ = ["check_out_dir", "remove_outputs", "probe_writable", "check_writable_folder"]


def probe_writable(path: Path) -> None:
    """Make folder ``path`` (and its parents) and write and remove a probe file in it.

    Raises
    ------
    OSError
        ``path`` cannot be made or written (read-only, a file in the way). Root writes
        whatever the permissions say; ``os.access`` is asked first, so a test can make a
        folder read-only for root too.
    """
    path.mkdir(parents=True, exist_ok=True)
    if not os.access(path, os.W_OK):
        raise PermissionError(13, "Permission denied", str(path))
    fd, probe = tempfile.mkstemp(prefix=".genemoe-write-probe-", dir=path)
    os.close(fd)
    os.unlink(probe)


def check_writable_folder(path: Path, *, where: str, fix: str) -> None:
    """Refuse folder ``path`` when it cannot be made or written (:func:`probe_writable`),
    before the work: a read-only ``tune --out`` failed after every trial (writing
    best.yaml), or at its first trial with Optuna's "exceeding max length" for a study.db
    there.

    Raises
    ------
    InputError
        Naming ``path``, ``where`` (the option) and ``fix``.
    """
    try:
        probe_writable(path)
    except OSError as exc:
        raise input_error(f"cannot write in this folder ({exc.strerror or exc})", path=path,
                          where=where, fix=fix) from None


def remove_outputs(out_dir: Path, names: tuple[str, ...] | list[str]) -> None:
    """Remove ``out_dir``'s files or folders named ``names`` (those absent are skipped):
    what a previous result left that its replacement may not rewrite."""
    for name in names:
        path = Path(out_dir) / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


# Files only one command writes at the top of its --out folder: what the folder already is.
_OUTPUT_MARKERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("bundle", ("X.npy", "obs.parquet"), "a dataset bundle (genemoe prepare)"),  # is_bundle's
    ("run", ("metrics.json", "predictions.tsv"), "a trained run (genemoe train)"),
    ("tune", ("study.db",), "a tuning study (genemoe tune)"),
    ("tune", ("trials.csv", "best.yaml"), "a tuning study (genemoe tune)"),
    ("benchmark", ("results.csv",), "a benchmark or ablation (genemoe benchmark / ablation)"),
    ("pretrain", ("pretrained.pt",), "a pre-training run (genemoe pretrain)"),
    ("explain", ("genes_by_class.csv",), "an explanation (genemoe explain)"),
    ("features", ("leading_features.tsv",), "a latent-feature analysis (genemoe features)"),
)


def check_out_dir(out_dir: Path, own: str) -> None:
    """Refuse an ``--out`` folder that holds another command's results: a run trained into
    a tuning folder mixed its files with the study's (and replaced none of them), and
    ``genemoe report`` then read the folder as whichever came first.

    Parameters
    ----------
    out_dir
        The ``--out`` folder (absent or empty: nothing to check).
    own
        What the command writes (``"run"``, ``"tune"``, ``"benchmark"``, ``"pretrain"``,
        ``"explain"``, ``"features"``; ``"demo"`` writes none of them at the top):
        its own earlier results there are its business (resume, reuse or replace).

    Raises
    ------
    InputError
        ``out_dir`` is a file (``benchmark --out afile`` said only the system's ``afile:
        File exists`` when the folder was made), or holds another command's results.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise input_error(f"--out {shown_path(out_dir)} is a file, not a folder",
                          fix="give --out a new folder's path, or a folder this command "
                              "wrote before")
    if not out_dir.is_dir():
        return
    for kind, names, what in _OUTPUT_MARKERS:
        if kind != own and all((out_dir / n).exists() for n in names):
            raise input_error(f"the --out folder holds {what}", path=out_dir,
                              fix="choose another --out (a new or empty folder, or one this "
                                  "command wrote before)")
