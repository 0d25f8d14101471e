"""The --gdc-dir join's warnings reach the bundle's warnings."""

from __future__ import annotations

import numpy as np
import pandas as pd
from test_gdc_portal import (  # noqa: F401
    STAR_SUFFIX,
    _counts,
    _prepare,
    genes,
    write_portal_download,
    write_star_file,
)

from genemoe.data.bundle import load_bundle


def test_the_joins_warnings_are_in_the_bundles_warnings(tmp_path, genes):  # noqa: F811
    """Old behaviour: "1 file(s) repeat a sample ..." was printed, but summary.json and
    record.json held only the split's warnings (README: every printed warning is kept)."""
    counts = _counts(genes)
    sheet = write_portal_download(tmp_path / "gdc", counts, genes)
    barcode = counts["ACC"].columns[0]
    write_star_file(tmp_path / "gdc" / "000-rerun" / f"zzz{STAR_SUFFIX}", genes,
                    counts["ACC"][barcode].to_numpy(np.int64) // 2)
    rows = pd.read_csv(sheet, sep="\t")
    extra = rows.loc[rows["Sample ID"] == barcode[:16]].assign(
        **{"File ID": "000-rerun", "File Name": f"zzz{STAR_SUFFIX}"})
    pd.concat([rows, extra]).to_csv(sheet, sep="\t", index=False)
    _prepare("--gdc-dir", tmp_path / "gdc", "--sample-sheet", sheet, "--out", tmp_path / "b")
    b = load_bundle(tmp_path / "b")
    said = [w for w in b.summary["warnings"] if "repeat a sample" in w]
    assert len(said) == 1 and said == [w for w in b.record["warnings"] if "repeat a sample" in w]
