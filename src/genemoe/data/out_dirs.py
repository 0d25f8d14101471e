"""What a command's ``--out`` folder already holds: refuse another command's results, and
remove a previous result's files its replacement may not rewrite (re-exported by
:mod:`genemoe.data.bundle`, where they were)."""

from __future__ import annotations

import shutil
from pathlib import Path

from genemoe.errors import input_error

__all__ = ["check_out_dir", "remove_outputs"]


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
    """
    if not out_dir.is_dir():
        return
    for kind, names, what in _OUTPUT_MARKERS:
        if kind != own and all((out_dir / n).exists() for n in names):
            raise input_error(f"the --out folder holds {what}", path=out_dir,
                              fix="choose another --out (a new or empty folder, or one this "
                                  "command wrote before)")
