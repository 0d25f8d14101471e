"""A sparse linear model's genes with weight are said, ranked alone and counted for missing
genes (probeJJ defect 3).

Old behaviour: a Coxnet using 6 of its 2,000 selected genes said so only in config.yaml
(``n_nonzero``); ``explain`` ranked all 19,076 genes in genes_by_class.csv, every one from
rank 7 on at attribution 0 in an arbitrary order; ``predict`` said "missing genes: none of
the model's 19,076".
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.explain import explain_run
from genemoe.train.model_file import load_model_file
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def sparse_cox(tmp_path_factory):
    """A Coxnet on 40 of 60 genes chosen by Harrell's C (a sparse path point):
    ``(d, bundle, files, payload, n_with_weight)``."""
    d = tmp_path_factory.mktemp("sparse_cox")
    b, f, _ = prepare_synthetic(d, n_samples=160, n_genes=60, n_types=2, seed=3)
    (d / "c.yaml").write_text("extends: small\nmodel:\n  coxnet:\n    n_top_genes: 40\n"
                              "train_survival:\n  survival_selection: c_index\n")
    train_run(b.path, out_dir=d / "cox", task="survival", model_name="coxnet",
              config_path=d / "c.yaml", progress=False)
    payload = load_model_file(d / "cox")
    n_with = payload["config"]["params"]["fitted"]["n_nonzero"]
    assert 0 < n_with < 40  # the elastic net dropped some of its selected genes
    return d, b, f, payload, n_with


def test_weight_text_counts_genes_with_weight(sparse_cox):
    from genemoe.explain.linear import fitted_weight_text, weight_text

    assert weight_text(6, 19076, 2000) == "6 genes carry weight (of 2,000 selected; 19,076 in the model)"
    assert weight_text(1, 50) == "1 gene carries weight (of the model's 50)"
    assert weight_text(0, 50, 50).startswith("no gene carries weight (of the model's 50)")
    _, _, _, payload, n_with = sparse_cox  # train's summary line, from config.yaml's params
    assert fitted_weight_text(payload["config"]["params"]) == (
        f"{n_with} genes carry weight (of 40 selected; {len(payload['gene_ids'])} in the model)")
    assert fitted_weight_text({"n_genes": 50, "fitted": {"n_features": 50}}) is None  # coxph


def test_explain_ranks_only_the_genes_with_weight_and_says_how_many(sparse_cox, tmp_path):
    from genemoe.report.html import write_report

    d, b, _, payload, n_with = sparse_cox
    res = explain_run(d / "cox", data=b.path, out_dir=tmp_path / "e", progress=False, max_maps=0)
    ranking = pd.read_csv(tmp_path / "e" / "genes_by_class.csv")
    assert len(ranking) == n_with  # was every one of the model's 58 genes
    assert (ranking["mean_abs_attribution"] > 0).all()
    assert ranking["rank"].tolist() == list(range(1, n_with + 1))
    by_sample = pd.read_csv(tmp_path / "e" / "genes_by_sample.csv")
    assert (by_sample.groupby("sample_id").size() == n_with).all()  # no zero-weight filler
    conv = json.loads((tmp_path / "e" / "convergence.json").read_text())
    n_genes = len(payload["gene_ids"])
    said = f"{n_with} genes carry weight (of 40 selected; {n_genes} in the model)"
    assert conv["weight"] == {"n_with_weight": n_with, "n_model_genes": n_genes,
                              "n_selected": 40, "text": said}
    assert f"  {said}: only they are ranked" in res.describe()
    page = write_report(tmp_path / "e").read_text()
    assert f"{said}: only they are ranked." in page and "genes ranked: those with weight" in page


def test_predict_counts_the_missing_genes_among_those_with_weight(sparse_cox, tmp_path):
    from genemoe.workflows.predict_align import gene_weights

    d, _, f, payload, n_with = sparse_cox
    n_genes = len(payload["gene_ids"])
    text = " ".join(predict_file(d / "cox", f["counts"], out_path=tmp_path / "a.csv").split())
    assert f"missing genes: none of the {n_with} with weight ({n_genes} in the model)" in text
    weights = gene_weights(payload)
    ids = np.asarray(payload["gene_ids"])
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    counts.drop(index=ids[weights == 0][:2]).to_csv(tmp_path / "idle.tsv", sep="\t")
    text = " ".join(predict_file(d / "cox", tmp_path / "idle.tsv",
                                 out_path=tmp_path / "b.csv").split())
    assert (f"missing genes: none of the {n_with} with weight ({n_genes} in the model; at most 2 "
            "without weight missing per sample") in text
    least = ids[weights > 0][np.argmin(weights[weights > 0])]  # one gene with weight
    counts.drop(index=[least, *ids[weights == 0][:2]]).to_csv(tmp_path / "one.tsv", sep="\t")
    text = " ".join(predict_file(d / "cox", tmp_path / "one.tsv", out_path=tmp_path / "c.csv",
                                 max_missing=0.99).split())
    record = json.loads((tmp_path / "c.record.json").read_text())
    assert (record["n_weighted_genes"], record["max_missing_weighted_genes"]) == (n_with, 1)
    assert f"missing genes: at most 1 of the {n_with} with weight per sample" in text
    assert f"(at most 3 of the model's {n_genes} in all" in text


def test_a_sample_map_leaves_out_the_genes_at_zero(tmp_path, monkeypatch):
    """The per-sample bar chart of a 6-gene Coxnet drew its top 20: 14 bars of 0."""
    from genemoe.explain import figures

    seen = {}
    real = figures._finish

    def spy(fig, out_path, **kw):
        ax = fig.axes[0]
        seen["labels"] = [t.get_text() for t in ax.get_yticklabels()]
        seen["title"] = ax.get_title()
        return real(fig, out_path, **kw)

    monkeypatch.setattr(figures, "_finish", spy)
    a = np.array([0.5, 0.0, 0.0, -0.2, 0.0])
    figures.sample_attribution_figure(a, np.array(list("ABCDE"), dtype=object),
                                      tmp_path / "s.png", top=4)
    assert seen["labels"] == ["D", "A"]  # was D, A and two of the zeros
    assert seen["title"] == "top 2 of 5 genes by |attribution| (3 at 0, not shown)"


def test_train_says_how_many_genes_carry_weight_under_its_table(sparse_cox):
    """Old behaviour: train's summary (and metrics.json) never said that the Coxnet used
    only some of its selected genes; config.yaml's ``n_nonzero`` alone held it."""
    d, _, _, payload, n_with = sparse_cox
    metrics = json.loads((d / "cox" / "metrics.json").read_text())
    said = metrics["protocol"]["genes_with_weight"]
    n = len(payload["gene_ids"])
    assert said == f"{n_with} genes carry weight (of 40 selected; {n} in the model)"
    from genemoe.workflows.train import RunResult

    run = RunResult(out_dir=d / "cox", task="survival", model_name="coxnet", metrics=metrics,
                    seconds=1.0)
    assert f"\n  {said}" in run.describe()
