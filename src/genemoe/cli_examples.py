"""An example at the foot of every ``genemoe`` command's ``--help``: the command as a
first-time user types it, with the usual inputs (each line under 100 columns; the tests
parse every one against the command's own options)."""

from __future__ import annotations

import re

__all__ = ["EXAMPLES", "write_example"]

# The command's words after ``genemoe`` ("" for genemoe itself) → its example lines.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "": ("genemoe demo --out demo_out",
         "genemoe prepare --expression cohort.tsv --labels labels.tsv --out bundle",
         "genemoe train --data bundle --out runs/genemoe"),
    "prepare": ("genemoe prepare --expression cohort.tsv --labels labels.tsv "
                "--clinical survival.tsv --out bundle",
                "genemoe prepare --expression scanpy.h5ad --layer counts --cancer-type ACC "
                "--out bundle"),
    "train": ("genemoe train --data bundle --model genemoe --out runs/genemoe",
              "genemoe train --data bundle --task survival --out runs/genemoe_survival"),
    "tune": ("genemoe tune --data bundle --model genemoe --trials 20 --out tuning",
             "genemoe train --data bundle --config tuning/best.yaml --out runs/tuned"),
    "predict": ("genemoe predict --model runs/genemoe --expression new.tsv --out predictions.csv",
                "genemoe predict --model runs/genemoe --expression scanpy.h5ad --layer counts "
                "--out predictions.csv"),
    "demo": ("genemoe demo --out demo_out",
             "genemoe demo --data bundle --out demo_bundle"),
    "export": ("genemoe export --data bundle --out bundle.h5ad",),
    "models": ("genemoe models --task survival",),
    "pretrain": ("genemoe pretrain --data bundle --out pretrain/genemoe",
                 "genemoe train --data bundle --pretrained pretrain/genemoe --out runs/pretrained"),
    "explain": ("genemoe explain --model runs/genemoe --data bundle --out explain/genemoe",),
    "benchmark": ("genemoe benchmark --data bundle --models logreg,fcn,genemoe --out bench",),
    "report": ("genemoe report runs/genemoe",),
    "ablation": ("genemoe ablation --data bundle --task survival --out ablation",),
    "features": ("genemoe features --model pretrain/genemoe --data bundle --out features",),
    "download": ("genemoe download tcga --projects ACC,UVM --out xena",),
    "download tcga": ("genemoe download tcga --projects ACC,UVM --out xena",
                      "genemoe download tcga --projects ACC,UVM --list"),
}


def write_example(words: str, formatter) -> None:  # noqa: ANN001 (click's HelpFormatter)
    """Write the ``Example:`` section of the command ``words`` (``download tcga``; ``""``
    for genemoe itself) into ``formatter``; nothing where none is known.

    Parameters
    ----------
    words
        The command's words after ``genemoe``.
    formatter
        The click help formatter the command writes its help into; a line longer than its
        width is continued on the next (`` \\`` at the end, as a shell reads it).
    """
    lines = EXAMPLES.get(words)
    if not lines:
        return
    formatter.write_paragraph()
    formatter.write_text("Example:" if len(lines) == 1 else "Examples:")
    pad = " " * (formatter.current_indent + 2)
    room = max((formatter.width or 80) - len(pad) - 2, 40)  # the help's width, its " \\" too
    for line in lines:
        parts = _flag_lines(line, room)
        formatter.write(f"{pad}" + f" \\\n{pad}    ".join(parts) + "\n")  # a shell's continuation


def _flag_lines(line: str, room: int) -> list[str]:
    """``line`` cut before its flags into lines of at most ``room`` characters (the first;
    the others 4 fewer, for their indent), each flag beside its value."""
    out: list[str] = []
    for chunk in re.split(r" (?=--)", line):
        if out and len(out[-1]) + 1 + len(chunk) <= room - (4 if len(out) > 1 else 0):
            out[-1] += " " + chunk
        else:
            out.append(chunk)
    return out
