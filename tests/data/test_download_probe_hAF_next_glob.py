"""The printed ``next: genemoe prepare`` command does not glob a ``.part`` an earlier run
left in the folder.

Old behaviour: a run for UVM broke off (its ``TCGA-UVM.star_counts.tsv.gz.part`` kept to
resume), a run for ACC in the same folder then printed ``--expression
xena/TCGA-*.star_counts.tsv*``, which caught the ``.part``; the command failed on it with
"is an unfinished download".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from genemoe.data.download import TransferError, download_tcga, plan_downloads
from local_http import serve_hub, star_matrix_gz

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}


def _globs(command: str) -> dict[str, str]:
    return dict(re.findall(r"(--\w+) (\S+)", command))


def test_a_part_beside_the_files_is_not_globbed(tmp_path: Path) -> None:
    out = tmp_path / "xena"
    with serve_hub() as hub:
        for k, item in enumerate(plan_downloads(["ACC", "UVM"], values="counts",
                                                base_url=hub.base_url)):
            hub.files[item.filename] = (star_matrix_gz(8_000, seed=k)
                                        if item.filename.endswith(".gz")
                                        else b"id\tgene\nENSG00000000003.15\tTSPAN6\n")
        hub.always["TCGA-UVM.star_counts.tsv.gz"] = "cut"
        with pytest.raises(TransferError):
            download_tcga(out, projects=["UVM"], values="counts", base_url=hub.base_url,
                          retries=0, **FAST)
        assert (out / "TCGA-UVM.star_counts.tsv.gz.part").is_file()
        result = download_tcga(out, projects=["ACC"], values="counts", base_url=hub.base_url,
                               **FAST)
    globs = _globs(result.next_command())
    assert globs["--expression"] == f"{out}/TCGA-*.star_counts.tsv.gz"  # the form's own
    # UVM's clinical table came in the broken run: ACC's by name (the glob took UVM's too)
    assert Path(globs["--labels"]).name.startswith("TCGA-ACC.clinical.tsv")
    for flag in ("--expression", "--labels", "--clinical"):
        matched = sorted(p.name for p in out.glob(Path(globs[flag]).name))
        assert matched and not any(name.endswith(".part") for name in matched), (flag, matched)
