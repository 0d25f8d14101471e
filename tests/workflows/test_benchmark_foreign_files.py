"""A first benchmark into a folder that holds files genemoe did not write leaves them."""

from __future__ import annotations

from genemoe.workflows.benchmark import run_benchmark


def test_a_report_html_without_earlier_results_is_not_removed(synthetic_bundle, tmp_path):
    """Old behaviour: a first benchmark into a folder holding the user's own report.html
    removed it as "made from the earlier results" (there were none: no results.csv)."""
    bundle = synthetic_bundle(seed=3, clinical=False)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.html").write_text("<html>my own notes</html>")
    run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2, n_repeats=1,
                  out_dir=out, progress=False, device="cpu")
    assert (out / "report.html").read_text() == "<html>my own notes</html>"
    assert (out / "results.csv").exists()
