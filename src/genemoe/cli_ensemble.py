"""``--ensemble-members``, the option ``genemoe train`` and ``genemoe benchmark`` share
(one declaration, one help text; :mod:`genemoe.cli` was near its size limit)."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["EnsembleMembers"]

EnsembleMembers = Annotated[str, typer.Option(
    help="With --ensemble K > 1: auto (neural models and random forests: K seeds, each on "
         "every training row; other classical: K inner folds) | folds (every model's members "
         "on the K inner folds, each (K-1)/K of the training part: equal footing).")]
