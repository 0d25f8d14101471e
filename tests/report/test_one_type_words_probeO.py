"""A survival run on a bundle of one cancer type (probeO): its report said "1 cancer types"
and spoke of pooled types ("differences between types count", "stratified by type"), and
prepare said the bundle "serves survival" when it held no survival data."""

from __future__ import annotations

import html
import logging
import re

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prep_text import PrepLog
from genemoe.data.prepare_config import PrepareConfig
from genemoe.data.prepare_labels import check_labels


def _text(page: str) -> str:
    page = re.sub(r'src="data:[^"]*"', "", page)
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _obs() -> tuple[pd.DataFrame, np.ndarray]:
    obs = pd.DataFrame({"sample_id": [f"s{i}" for i in range(6)], "cancer_type": ["ACC"] * 6})
    return obs, np.ones(6, bool)


@pytest.mark.parametrize(("survival", "said", "unsaid"), [
    (False, "it serves neither", "it serves survival, not"),
    (True, "it serves survival, not classification", "neither"),
    (None, "it serves survival only with survival data", "it serves survival, not"),
])
def test_the_one_type_warning_is_worded_by_whether_survival_is_present(caplog, survival, said,
                                                                       unsaid):
    obs, keep = _obs()
    with caplog.at_level(logging.WARNING):
        check_labels(obs, keep, PrepareConfig(synthetic=True), PrepLog(), [], survival=survival)
    assert "the bundle holds one cancer type (ACC)" in caplog.text
    assert said in caplog.text and unsaid not in caplog.text
    if survival is False:
        assert "pass --clinical for survival" in caplog.text


def test_a_one_type_bundle_without_clinical_is_not_said_to_serve_survival(tmp_path, caplog):
    """prepare (which does not yet say whether survival is coming) no longer claims it."""
    from genemoe.data.prepare import prepare_dataset
    from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files

    files = write_synthetic_files(make_synthetic_cohort(n_samples=60, n_genes=50, n_types=3,
                                                        seed=4), tmp_path / "in")
    labels = pd.read_csv(files["labels"], sep="\t")
    first = labels.iloc[:, 1].iloc[0]
    labels[labels.iloc[:, 1] == first].to_csv(tmp_path / "one.tsv", sep="\t", index=False)
    with caplog.at_level(logging.WARNING):
        prepare_dataset([files["counts"]], out_path=tmp_path / "b",
                        label_paths=[tmp_path / "one.tsv"],
                        config=PrepareConfig(synthetic=True, drop_unlabelled=True))
    assert "the bundle holds one cancer type" in caplog.text
    assert "it serves survival, not classification" not in caplog.text
    assert "it serves neither" in caplog.text  # no --clinical, no export: prepare knows


@pytest.fixture(scope="module")
def one_type_run(tmp_path_factory):
    """A short fcn survival run on a one-type bundle (with survival)."""
    from genemoe.data.prepare import prepare_dataset
    from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
    from genemoe.workflows.train import train_run

    d = tmp_path_factory.mktemp("one_type_surv")
    files = write_synthetic_files(make_synthetic_cohort(n_samples=160, n_genes=50, n_types=1,
                                                        seed=4), d / "in")
    b = prepare_dataset([files["counts"]], out_path=d / "b", label_paths=[files["labels"]],
                        clinical_path=files["clinical"], config=PrepareConfig(synthetic=True))
    train_run(b.path, out_dir=d / "run", task="survival", model_name="fcn", epochs=2,
              progress=False)
    return d / "run"


def test_a_one_type_runs_report_speaks_of_one_type(one_type_run):
    from genemoe.report.html import write_report

    page = _text(write_report(one_type_run).read_text())
    assert " 1 cancer type · " in page and "1 cancer types" not in page
    assert "high vs low risk, one median split of all patients" in page
    assert "differences between types count" not in page
    assert "split at the median risk; log-rank p" in page  # the Kaplan–Meier caption
    assert "stratified by type" not in page
    assert "cancer types pooled" not in page
