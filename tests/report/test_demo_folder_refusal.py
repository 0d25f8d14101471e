"""`genemoe report` on a demo folder names the pages the demo already wrote and offers
Gene-MOE's run first (probeS: it sent the user to ``runs/coxnet_survival``, the first name
in text order, while ``runs/genemoe_*/report.html`` stood written)."""

from __future__ import annotations

import pytest

from genemoe.errors import InputError
from genemoe.report.html import write_report


def _demo(tmp_path, pages: tuple[str, ...]):
    d = tmp_path / "demo"
    for name in ("coxnet_survival", "fcn_classify", "genemoe_classify", "genemoe_survival"):
        (d / "runs" / name).mkdir(parents=True)
        (d / "runs" / name / "model.pt").write_bytes(b"")
    for name in pages:
        (d / "runs" / name / "report.html").write_text("<html></html>")
    (d / "summary.txt").write_text("table\n")
    return d


def test_the_written_pages_are_named_and_gene_moe_offered_first(tmp_path):
    d = _demo(tmp_path, ("genemoe_classify", "genemoe_survival"))
    with pytest.raises(InputError) as err:
        write_report(d)
    said = " ".join(str(err.value).split())
    assert f"the demo wrote {d / 'runs' / 'genemoe_classify' / 'report.html'} and" in said
    assert f"genemoe report {d / 'runs' / 'genemoe_classify'} (runs: genemoe_classify," in said


def test_without_pages_only_the_run_is_offered(tmp_path):
    d = _demo(tmp_path, ())
    with pytest.raises(InputError) as err:
        write_report(d)
    said = " ".join(str(err.value).split())
    assert "the demo wrote" not in said
    assert f"genemoe report {d / 'runs' / 'genemoe_classify'} (runs:" in said
