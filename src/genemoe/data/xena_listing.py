"""What the UCSC Xena hubs serve today for TCGA, and the URL of each file.

The names follow the hubs' dataset listing (the ``XenaData`` table of UCSCXenaTools /
ucscxenatoolspy; a snapshot of its TCGA rows is kept in
``tests/data/fixtures/xena_listing_tcga.tsv`` and checked against this module).

GDC hub (``gdcHub``; files under :data:`GDC_HUB_URL`), per project, as written by the
producer ucscXena/xena-GDC-ETL:

* ``TCGA-<P>.star_counts.tsv``, ``star_fpkm-uq.tsv``, ``star_fpkm.tsv``, ``star_tpm.tsv``:
  genes (``Ensembl_ID``, versioned GENCODE v36 ids) × samples (16-character sample barcodes
  such as ``TCGA-OR-A5J1-01A``), every value log2(x + 1); repeated aliquots of a sample
  are averaged before the log;
* ``TCGA-<P>.clinical.tsv``: one row per sample (``sample``), GDC fields with their
  hierarchy reversed (``project_id.project``, ``sample_type.samples``, ``gender.demographic``);
* ``TCGA-<P>.survival.tsv``: ``sample``, ``OS`` (1 = dead), ``_PATIENT``, ``OS.time`` (days);
* the gene map ``gencode.v36.annotation.gtf.gene.probemap`` (``id, gene, chrom,
  chromStart, chromEnd, strand``).

Pan-Cancer Atlas hub (``pancanAtlasHub``): the batch-corrected RSEM matrix for all 33
projects, the curated survival table and the sample-type/primary-disease table.

URL rule (UCSCXenaTools ``XenaQuery``): ``<host>/download/<basename of the dataset>``,
and the same with ``.gz`` appended where the plain name is not served. The plan names
the matrices and tables as served gzipped (``.gz``), the probe map and the PanCanAtlas
survival table plain; :func:`genemoe.data.download.download_tcga` asks for the plain name
first and the ``.gz`` one where the hub answers "not found", as the listing's rule does
(a ``.part`` an earlier run left, of either form, is resumed first).
"""

from __future__ import annotations

import logging
import re
import shlex
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from genemoe.data.tcga import TCGA_PROJECTS
from genemoe.errors import input_error

__all__ = [
    "DownloadItem", "DownloadKind", "DownloadSource", "GDC_HUB_URL", "GDC_PROBEMAP",
    "PANCAN_HUB_URL", "ValueSet", "XENA_VALUES", "check_one_xena_unit", "download_command",
    "hub_url", "plan_downloads", "xena_given_scale", "xena_values_of",
]  # fmt: skip

logger = logging.getLogger(__name__)

DownloadKind = Literal["expression", "phenotype", "survival", "probemap"]
DownloadSource = Literal["gdc", "pancan"]
ValueSet = Literal["fpkm_uq", "tpm", "counts", "fpkm"]

GDC_HUB_URL = "https://gdc-hub.s3.us-east-1.amazonaws.com/download/"
PANCAN_HUB_URL = "https://tcga-pancan-atlas-hub.s3.us-east-1.amazonaws.com/download/"

XENA_VALUES: dict[str, str] = {
    "fpkm_uq": "star_fpkm-uq",  # the Gene-MOE paper's normalisation, in the GDC's STAR form (default)
    "tpm": "star_tpm",
    "counts": "star_counts",
    "fpkm": "star_fpkm",
}
"""``--values`` choice → the GDC hub's data type in ``TCGA-<P>.<type>.tsv``."""

_COPY_MARK = r"(?: ?\(\d+\)| copy(?: \d+)?| - Copy(?: \(\d+\))?)"
"""What a browser or a file manager adds to a second copy's name: `` (1)`` (Chrome, Edge),
``(1)`` (Firefox), `` copy``/`` copy 2`` (macOS Finder), `` - Copy`` (Windows Explorer)."""
_XENA_NAME = re.compile(
    r"^TCGA-(?P<project>[A-Z]+)\.(?P<type>star_counts|star_fpkm-uq|star_fpkm|star_tpm)"
    rf"(?P<mark1>{_COPY_MARK})?\.tsv(?P<mark2>{_COPY_MARK})?(?P<gz>\.gz)?$")


def _xena_match(filename: str) -> re.Match[str] | None:
    """The match of a GDC-hub expression file's name, a renamed copy's too (one copy mark,
    before ``.tsv`` or before ``.gz``: ``TCGA-ACC.star_counts (1).tsv.gz``); None otherwise."""
    m = _XENA_NAME.match(filename)
    return None if m is None or (m.group("mark1") and m.group("mark2")) else m


def xena_values_of(filename: str) -> str | None:
    """The ``--values`` a GDC-hub expression file's name says (``TCGA-ACC.star_tpm.tsv.gz``
    → ``"tpm"``), or None for any other name. Every such file is log2(x + 1), so its
    values alone do not tell TPM from FPKM-UQ; its name does. A browser's renamed copy
    (``TCGA-ACC.star_counts (1).tsv.gz``, :data:`_COPY_MARK`) says the same as its original
    (it was None, so a copy slipped a second unit past :func:`check_one_xena_unit`)."""
    m = _xena_match(filename)
    return None if m is None else {v: k for k, v in XENA_VALUES.items()}[m.group("type")]


XENA_GIVEN_SCALES: dict[str, tuple[str, str]] = {
    "tpm": ("log2tpm", "given as log2(TPM + 1) by the file (Xena star_tpm)"),
}
"""``--values`` → (genemoe's normalisation its log2(x + 1) values are, why), where they are
one: STAR's TPM (GENCODE v36 lengths) is genemoe's ``log2tpm`` of the same counts to within
its lengths. Not ``star_fpkm-uq`` (the GDC divides by the number of autosomal protein-coding
genes too: ~15 log2 units below genemoe's ``fpkm_uq``) nor ``star_fpkm`` (no genemoe form)."""


def xena_given_scale(filenames: Sequence[str]) -> tuple[str, str] | None:
    """The genemoe normalisation (and why) that GDC-hub matrices' values are on by their names
    (``TCGA-ACC.star_tpm.tsv`` → ``log2tpm``), where every one of ``filenames`` says the
    same :data:`XENA_GIVEN_SCALES` entry; None otherwise (another file among them: its
    scale unknown, the bundle's would be mixed)."""
    values = {xena_values_of(name) for name in filenames}
    if len(values) != 1 or (one := values.pop()) not in XENA_GIVEN_SCALES:
        return None
    return XENA_GIVEN_SCALES[one]


GDC_PROBEMAP = "gencode.v36.annotation.gtf.gene.probemap"
# (listing dataset name pattern, kind, served gzipped)
_GDC_PROJECT_DATASETS: tuple[tuple[str, DownloadKind, bool], ...] = (
    ("TCGA-{project}.{values}.tsv", "expression", True),
    ("TCGA-{project}.clinical.tsv", "phenotype", True),
    ("TCGA-{project}.survival.tsv", "survival", True),
)
_PANCAN_DATASETS: tuple[tuple[str, DownloadKind, bool], ...] = (
    ("EB++AdjustPANCAN_IlluminaHiSeq_RNASeqV2.geneExp.xena", "expression", True),
    ("Survival_SupplementalTable_S1_20171025_xena_sp", "survival", False),
    ("TCGA_phenotype_denseDataOnlyDownload.tsv", "phenotype", True),
)


@dataclass(frozen=True)
class DownloadItem:
    """One file to fetch.

    Attributes
    ----------
    url
        Full URL (percent-encoded).
    filename
        Name of the file in the output directory (decoded, e.g. ``EB++Adjust...``).
    kind
        ``"expression"``, ``"phenotype"``, ``"survival"`` or ``"probemap"``.
    project
        TCGA project code (``"BRCA"``) for per-project files; ``None`` for shared files.
    expected_size, sha256
        Optional known size in bytes and hex digest; checked when given.
    dataset
        The hub listing's dataset name (``TCGA-ACC.star_fpkm-uq.tsv``); ``None`` when the
        item is not a listed dataset.
    """

    url: str
    filename: str
    kind: DownloadKind
    project: str | None = None
    expected_size: int | None = None
    sha256: str | None = None
    dataset: str | None = None

    def alternative(self) -> DownloadItem:
        """The same dataset under the listing's other URL form (``.gz`` added or removed)."""
        if self.url.endswith(".gz"):
            url, name = self.url[:-3], self.filename.removesuffix(".gz")
        else:
            url, name = self.url + ".gz", self.filename + ".gz"
        return DownloadItem(url, name, self.kind, self.project, None, None, self.dataset)


def hub_url(base_url: str, filename: str) -> str:
    """``base_url/<percent-encoded filename>`` (``++`` becomes ``%2B%2B``)."""
    return base_url.rstrip("/") + "/" + urllib.parse.quote(filename, safe="")


def _item(base: str, dataset: str, kind: DownloadKind, gz: bool,
          project: str | None = None) -> DownloadItem:
    name = dataset + (".gz" if gz else "")
    return DownloadItem(hub_url(base, name), name, kind, project=project, dataset=dataset)


def _normalise_projects(projects: Sequence[str] | str | None) -> list[str]:
    """Upper-cased, de-duplicated project codes (``tcga-brca`` -> ``BRCA``); all when None."""
    if projects is None:
        return list(TCGA_PROJECTS)
    if isinstance(projects, str):
        projects = projects.split(",")
    codes: list[str] = []
    for raw in projects:
        code = raw.strip().upper().removeprefix("TCGA-")
        if code and code not in codes:
            codes.append(code)
    unknown = [c for c in codes if c not in TCGA_PROJECTS]
    if unknown or not codes:
        problem = f"unknown TCGA project code(s) {unknown}" if unknown else "no project given"
        raise input_error(problem, where="--projects", fix=_projects_fix(unknown))
    return codes


_COHORTS = {"COADREAD": "COAD,READ", "GBMLGG": "GBM,LGG", "KIPAN": "KICH,KIRC,KIRP",
            "STES": "ESCA,STAD"}
"""Firehose / Xena cohorts that join several TCGA projects, each a code the GDC hub lacks."""


def _projects_hint(unknown: Sequence[str]) -> str:
    """What an unknown code most likely meant, as the start of the fix: codes separated by
    ``;`` or spaces, or a Firehose cohort of several projects (``COADREAD``); "" when
    neither."""
    for code in unknown:
        parts = [c.removeprefix("TCGA-") for c in re.split(r"[\s;]+", code) if c]
        if len(parts) > 1 and all(c in TCGA_PROJECTS for c in parts):
            return f"--projects {','.join(parts)} (codes separated by commas), or "
        if code in _COHORTS:
            return (f"--projects {_COHORTS[code]} ({code} joins several projects; the hub "
                    "serves each), or ")
    return ""


def _projects_fix(unknown: Sequence[str] = ()) -> str:
    """The fix for unknown codes: what they most likely meant (:func:`_projects_hint`), and
    the 33 codes wrapped on lines under 100 characters (they were one line of about 190)."""
    lines, line = [], ""
    for code in TCGA_PROJECTS:
        if line and len(line) + len(code) > 76:
            lines.append(line.rstrip())
            line = ""
        line += f"{code}, "
    lines.append(line.removesuffix(", "))
    hint = _projects_hint(unknown)
    head = f"{hint}codes from:" if hint else "use comma-separated codes (--projects ACC,UVM) from:"
    return head + "\n       " + "\n       ".join(lines)


def _values_type(values: str) -> str:
    key = values.strip().lower().replace("-", "_")
    if key not in XENA_VALUES:
        raise input_error(f"unknown value set {values!r}", where="--values",
                          fix=f"use one of {', '.join(XENA_VALUES)} (default fpkm_uq)")
    return XENA_VALUES[key]


def plan_downloads(
    projects: Sequence[str] | str | None,
    *,
    source: DownloadSource = "gdc",
    values: ValueSet | str = "fpkm_uq",
    base_url: str | None = None,
) -> list[DownloadItem]:
    """List the files to fetch for ``projects`` from ``source``.

    Parameters
    ----------
    projects
        TCGA project codes (``["ACC", "BRCA"]``, or one comma-separated string; case and a
        ``TCGA-`` prefix are ignored); ``None`` for all 33.
    source
        ``"gdc"``: per project the STAR matrix, the clinical and the survival table, then
        the gene map. ``"pancan"``: the three Pan-Cancer Atlas files, which hold every
        project (``projects`` is refused there, after its codes are checked).
    values
        GDC hub matrix: ``fpkm_uq`` (default; the paper's normalisation), ``tpm``, ``counts`` or
        ``fpkm`` (all log2(x + 1) on the hub). Refused for ``"pancan"`` unless the default.
    base_url
        Hub base URL replacing :data:`GDC_HUB_URL` / :data:`PANCAN_HUB_URL` (a mirror).

    Returns
    -------
    list of DownloadItem
        GDC: per project expression, phenotype, survival; then the probe map.

    Raises
    ------
    InputError
        For an unknown project code, value set or source (the message lists the valid ones).
    """
    codes = _normalise_projects(projects)
    if base_url is not None and urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
        raise input_error(f"{base_url!r} is not an http(s) address", where="--base-url",
                          fix=f"give the mirror's address, e.g. {GDC_HUB_URL}")
    if source == "gdc":
        base = base_url or GDC_HUB_URL
        dtype = _values_type(values)
        items = [
            _item(base, pattern.format(project=code, values=dtype), kind, gz, project=code)
            for code in codes
            for pattern, kind, gz in _GDC_PROJECT_DATASETS
        ]
        items.append(_item(base, GDC_PROBEMAP, "probemap", False))
        return items
    if source == "pancan":
        if values != "fpkm_uq":  # not the default: asked for, and unused (was ignored unsaid)
            raise input_error(f"--values {values} picks a GDC hub matrix; the Pan-Cancer Atlas "
                              "has one expression file (EB++AdjustPANCAN ... geneExp)",
                              where="--values", fix="drop --values with --source pancan, or use "
                                                    f"--source gdc --values {values}")
        if projects is not None:  # was accepted, and its hint said behind -v only
            joined = ",".join(codes)
            raise input_error(f"--projects {joined} picks GDC hub files; the Pan-Cancer Atlas "
                              "files hold all 33 projects in one matrix and are fetched whole",
                              where="--projects", fix="drop --projects with --source pancan, or "
                                                      f"use --source gdc --projects {joined}")
        base = base_url or PANCAN_HUB_URL
        return [_item(base, name, kind, gz) for name, kind, gz in _PANCAN_DATASETS]
    raise input_error(f"unknown source {source!r}", where="--source", fix="use 'gdc' or 'pancan'")


def download_command(
    projects: Sequence[str] | str | None,
    *,
    source: DownloadSource = "gdc",
    values: ValueSet | str = "fpkm_uq",
    base_url: str | None = None,
    out: str | None = "DIR",
) -> str:
    """The ``genemoe download tcga`` command line that plans the same files, for a fix line.

    Every option that selects files is echoed when it is not the default (``--projects``
    normalised, ``--source``, ``--values``, ``--base-url``), so the command fetches what
    the user asked for (the offline fix said ``genemoe download tcga --out DIR``: all 33
    projects as FPKM-UQ whatever was asked).

    Parameters
    ----------
    projects, source, values, base_url
        As given to :func:`plan_downloads` (already checked by it).
    out
        What to write after ``--out`` (a placeholder by default: another machine's path);
        None: no ``--out``.

    Returns
    -------
    str
        E.g. ``genemoe download tcga --projects ACC,UVM --values tpm --out DIR``.
    """
    words = ["genemoe", "download", "tcga"]
    if projects is not None and source == "gdc":  # the PanCanAtlas files hold every project
        words += ["--projects", ",".join(_normalise_projects(projects))]
    if source != "gdc":
        words += ["--source", source]
    if source == "gdc" and _values_type(values) != XENA_VALUES["fpkm_uq"]:
        words += ["--values", values.strip().lower().replace("-", "_")]
    if base_url is not None:
        words += ["--base-url", base_url]
    command = " ".join(shlex.quote(w) for w in words)
    return command if out is None else f"{command} --out {out}"


def check_one_xena_unit(paths: Sequence[Path | str]) -> None:
    """Refuse GDC-hub files of different units (``star_tpm`` beside ``star_fpkm-uq``): all
    are log2(x + 1), so they read alike and were joined into one matrix without a word.
    Refuse one project's matrix given twice too (:func:`_same_matrix_twice`), by the names,
    before any (large) file is read."""
    names = [Path(p).name for p in paths]
    units = {name: v for name in names if (v := xena_values_of(name)) is not None}
    if len(set(units.values())) > 1:
        raise input_error("the expression files are UCSC Xena matrices of different units: "
                          + ", ".join(f"{name} ({v})" for name, v in units.items()),
                          fix="download every project with one --values (genemoe download "
                              "tcga --projects ... --values fpkm_uq) and prepare those")
    _same_matrix_twice(names)


def _is_copy(name: str) -> bool:
    """Whether ``name`` is a GDC-hub matrix's name with a copy mark (`` (1)``)."""
    m = _xena_match(name)
    return m is not None and bool(m.group("mark1") or m.group("mark2"))


def _same_matrix_twice(names: Sequence[str]) -> None:
    """Refuse one project's GDC-hub matrix under two names: a browser's renamed copy
    (``TCGA-ACC.star_counts (1).tsv.gz`` beside ``TCGA-ACC.star_counts.tsv.gz``) or the plain
    and ``.gz`` forms a download of the other URL form leaves. Their samples are the same,
    so they were read whole and then refused as "sample ... appears more than once" with a
    fix for distinct files ("give each file distinct samples")."""
    groups: dict[tuple[str, str], list[str]] = {}
    for name in dict.fromkeys(names):  # a path given twice is the same file: not a copy
        if (m := _xena_match(name)) is not None:
            groups.setdefault((m.group("project"), m.group("type")), []).append(name)
    for (project, dtype), same in groups.items():
        if len(same) < 2:
            continue
        copies = [n for n in same if _is_copy(n)]
        why = ("renamed cop" + ("y" if len(copies) == 1 else "ies") + " (a browser or file "
               f"manager names a second download so): {', '.join(copies)}" if copies else
               "the same table in both forms (plain and .gz; a download of the other form "
               "leaves both)")
        raise input_error(f"TCGA-{project}'s {dtype} matrix is given {len(same)} times: "
                          f"{', '.join(same)}; {why}", where="--expression",
                          fix="pass one of them (the same samples: they cannot be joined)")
