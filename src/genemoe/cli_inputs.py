"""``genemoe prepare``'s inputs: globs the shell left unexpanded, and the two routes that
join per-sample files first (the GDC portal's STAR files, a pipeline's quantification
folder) into a matrix that ``prepare`` then reads like any other; and the ``next:`` line
a command's summary ends with (:func:`next_step`)."""

from __future__ import annotations

import glob
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genemoe.data.args import shown_path
from genemoe.data.prep_text import bundle_lines
from genemoe.errors import input_error

__all__ = ["JoinedInputs", "bundle_summary_lines", "expand_paths", "joined_inputs",
           "next_step", "one_predict_input", "only_with"]


_ARCHIVES = (".tar.gz", ".tgz", ".tar", ".zip")  # a portal cart as downloaded, unextracted


@dataclass
class JoinedInputs:
    """Matrices and label tables written by a join, lines saying what it did, and the
    joins' records (each as its ``joined.json``, warnings included)."""

    expression: list[Path] = field(default_factory=list)
    labels: list[Path] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def record(self) -> dict[str, Any] | None:
        """The one join's record (``predict``'s single input), None without a join."""
        return self.records[0] if len(self.records) == 1 else None


bundle_summary_lines = bundle_lines  # prepare's summary: the data layer's, as Bundle.describe()

_NEXT = {
    "prepare": ("genemoe train --data {out} --out RUN",
                "genemoe benchmark --data {out} --out BENCH (every model on the same folds)"),
    "train": ("genemoe predict --model {out} --expression FILE --out calls.tsv",
              "genemoe report {out} (one HTML page of this run)"),
    "pretrain": ("genemoe train --data {data} --pretrained {out} --out RUN",
                 "genemoe features --model {out} --data {data} --out FEATURES"),
    "explain": ("genemoe report {out} (one HTML page of the rankings)",),
    "benchmark": ("genemoe report {out} (one HTML page of the table and figures)",),
}


def next_step(command: str, out: Path, data: Path | None = None) -> str:
    """The closing ``  next:`` lines of ``command``'s summary: the commands a researcher runs
    on what it wrote (prepare, train, pretrain, explain and benchmark ended without one).

    Parameters
    ----------
    command
        A key of :data:`_NEXT` (``prepare``, ``train``, ``pretrain``, ``explain``,
        ``benchmark``).
    out
        What the command wrote (its ``--out``), shown relative to the working folder.
    data
        The bundle it read (``pretrain``'s next ``train`` and ``features`` take it).

    Returns
    -------
    str
        One line per next command, the first after ``  next: ``, the others under it.

    Examples
    --------
    >>> print(next_step("explain", Path("my ex")))
      next: genemoe report 'my ex' (one HTML page of the rankings)
    """
    words = {k: shlex.quote(shown_path(v)) for k, v in (("out", out), ("data", data))
             if v is not None}
    first, *rest = (c.format(**words) for c in _NEXT[command])
    return "\n".join([f"  next: {first}", *(f"        {c}" for c in rest)])


def only_with(switch: bool, value: object, flag: str, needs: str) -> None:
    """Refuse ``flag`` given without the switch ``needs`` that it belongs to (``explain
    --other`` without ``--compare`` was ignored without a word)."""
    if value is not None and not switch:
        raise input_error(f"{flag} is used only with {needs}",
                          fix=f"add {needs}, or leave {flag} out")


def one_predict_input(**given: Path | None) -> None:
    """Refuse ``genemoe predict`` given no input or several (``expression``, ``quant_dir``,
    ``gdc_dir`` with ``sample_sheet``: the options by name)."""
    named = [f"--{k.replace('_', '-')}" for k, v in given.items() if v is not None]
    routes = (given.get("expression"), given.get("quant_dir"),
              given.get("gdc_dir") or given.get("sample_sheet"))
    if sum(x is not None for x in routes) != 1:
        raise input_error("pass one input: --expression FILE, --quant-dir FOLDER or --gdc-dir "
                          "FOLDER --sample-sheet SHEET", where=" and ".join(named) or "--expression",
                          fix="name the new samples' matrix, or the folder of their files")


def expand_paths(paths: list[Path] | None, flag: str) -> list[Path]:
    """Paths as given; a glob pattern the shell did not expand (quoted, Windows) is expanded."""
    out: list[Path] = []
    for p in paths or []:
        if not p.exists() and glob.has_magic(str(p)):
            hits = sorted(glob.glob(str(p)))
            if not hits:
                raise input_error(f"the pattern {str(p)!r} matches no file", where=flag,
                                  fix="check the directory and the pattern")
            out += [Path(h) for h in hits]
        else:
            out.append(p)
    return out


def _needs(given: str, missing: str, fix: str) -> None:
    raise input_error(f"{given} needs {missing} as well", where=missing, fix=fix)


def joined_inputs(out: Path, *, gdc_dir: Path | None, sample_sheet: Path | None,
                  gdc_values: str, quant_dir: Path | None, quant_values: str, strand: str,
                  tx2gene: Path | None) -> JoinedInputs:
    """Run the joins the options ask for; their outputs sit beside the bundle ``out``
    (``<out>_gdc_inputs``, ``<out>_quant_inputs``), kept: the bundle's record points at them.
    """
    joined = JoinedInputs()
    if gdc_dir is None and sample_sheet is None and gdc_values != "counts":  # was not used
        _needs("--gdc-values", "--gdc-dir", "pass the portal's download folder (--gdc-dir) and "
                                            "its sample sheet (--sample-sheet), or leave out "
                                            "--gdc-values")
    if gdc_dir is not None or sample_sheet is not None:
        from genemoe.data.gdc_portal import assemble_gdc_dir

        if gdc_dir is None or sample_sheet is None:
            given, missing = (("--gdc-dir", "--sample-sheet") if sample_sheet is None
                              else ("--sample-sheet", "--gdc-dir"))
            _needs(given, missing, "pass the portal's download folder (--gdc-dir) and its "
                                   "sample sheet (--sample-sheet)")
        if not gdc_dir.is_dir():  # a file was blamed on the sample sheet, read first
            archive = gdc_dir.is_file() and gdc_dir.name.lower().endswith(_ARCHIVES)
            raise input_error("a file, not the portal's download folder" if gdc_dir.exists()
                              else "no such folder", path=gdc_dir, where="--gdc-dir",
                              fix=(f"an archive (the portal's cart?): extract it first ("
                                   f"{'unzip' if gdc_dir.suffix.lower() == '.zip' else 'tar xf'} "
                                   f"{gdc_dir.name}) and point --gdc-dir at the folder it "
                                   "makes" if archive else
                                   "point --gdc-dir at the folder gdc-client downloaded into; "
                                   "the sample sheet goes to --sample-sheet"))
        from genemoe.data.quant_dir import joined_lines

        expr, lab, record = assemble_gdc_dir(gdc_dir, sample_sheet,
                                             out.parent / f"{out.name}_gdc_inputs",
                                             values=gdc_values)
        joined.expression.append(expr)
        joined.labels.append(lab)
        joined.records.append(record)
        joined.lines += [*joined_lines(record), f"joined matrix and its record: {expr.parent}"]
    if quant_dir is None:
        for flag, value in (("--tx2gene", tx2gene), ("--strand", strand != "auto" or None),
                            ("--quant-values", quant_values != "counts" or None)):
            if value is not None:
                _needs(flag, "--quant-dir", "pass the folder of per-sample quantification "
                                            f"files (--quant-dir), or leave out {flag}")
        return joined
    from genemoe.data.quant_dir import assemble_quant_dir, joined_lines

    expr, record = assemble_quant_dir(quant_dir, out.parent / f"{out.name}_quant_inputs",
                                      values=quant_values, strand=strand, tx2gene=tx2gene)
    joined.expression.append(expr)
    joined.records.append(record)
    joined.lines += [*joined_lines(record), f"joined matrix and its record: {expr.parent}"]
    return joined
