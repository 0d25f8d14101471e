"""`genemoe features` after an outside review: a second cohort lacking a few of the run's
genes, an unfinished run, the wording of a refusal, UMAP's warning, the tables' formats and
the real-vs-reconstructed figure with many cancer types."""

from __future__ import annotations

import json
import sys
import types as pytypes
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

from genemoe.data.bundle import load_bundle, write_bundle
from genemoe.errors import InputError
from genemoe.workflows.features import analyse_features
from genemoe.workflows.pretrain import pretrain_run
from synthetic_inputs import prepare_synthetic
from tiny_configs import TINY_GENEMOE


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    d = tmp_path_factory.mktemp("features_review")
    bundle, _, _ = prepare_synthetic(d, n_samples=150, n_genes=60, n_types=3, seed=5,
                                     clinical=False)
    cfg = d / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({
        "model": {"genemoe": TINY_GENEMOE},
        "pretrain": {"epochs": 2, "batch_size": 32, "lr": 3e-3, "n_critic": 1,
                     "critic_widths": [16]},
    }))
    run = pretrain_run([bundle.path], out_dir=d / "run", config_path=cfg, seed=0, device="cpu",
                       progress=False)
    return bundle, run.out_dir, cfg


def _without_genes(bundle, run_dir, n: int, out):  # noqa: ANN001, ANN202
    """A copy of ``bundle`` lacking ``n`` of the run's genes (as a cohort whose filter dropped
    genes zero in all its samples); returns the copy's path and the dropped ids."""
    from genemoe.train.finetune import read_pretrained

    run_genes = list(map(str, read_pretrained(run_dir)["gene_ids"]))
    dropped = run_genes[1 : 1 + n]
    copy = load_bundle(bundle.path)
    keep = ~copy.var["gene_id"].astype(str).isin(dropped).to_numpy()
    copy.X = np.asarray(copy.X)[:, keep]
    copy.var = copy.var[keep].reset_index(drop=True)
    write_bundle(copy, out)
    return out, dropped


def test_a_cohort_lacking_a_few_of_the_runs_genes_is_analysed_and_they_are_named(
        pretrained, tmp_path):
    """Old behaviour: "74 of the run's 19371 genes are not in the bundle — fix: use a bundle
    prepared like the run's" for a second cohort prepared the same way (its gene filter
    depends on the cohort); fine-tuning takes up to 20% missing."""
    bundle, run_dir, _ = pretrained
    other, dropped = _without_genes(bundle, run_dir, 3, tmp_path / "b")
    res = analyse_features(run_dir, data=other, out_dir=tmp_path / "f", n_features=3)
    s = res.summary
    assert s["n_genes_missing"] == 3 and s["genes_missing"] == dropped
    assert "training mean" in s["missing_filled_with"]
    note = next(n for n in res.notes if "not in this bundle" in n)
    assert note.startswith(f"3 of the run's {s['n_genes']} genes are not in this bundle")
    assert dropped[0] in note and note in " ".join(res.describe().split())  # wrapped at 100
    r = np.load(tmp_path / "f" / "latent_gene_correlation.npy")
    axis = pd.read_csv(tmp_path / "f" / "latent_gene_correlation_genes.tsv", sep="\t",
                       dtype={"gene_id": str})
    gone = axis["gene_id"].isin(dropped).to_numpy()
    assert np.isnan(r[:, gone]).all() and not axis.loc[gone, "in_bundle"].any()
    ranked = pd.read_csv(tmp_path / "f" / "gene_correlation.tsv", sep="\t", dtype={"gene_id": str})
    assert not set(dropped) & set(ranked["gene_id"])
    n_constant = s["n_genes"] - 3 - len(ranked)  # the missing ones not counted again
    constant = [n for n in res.notes if "constant across these samples" in n]
    assert (constant[0].startswith(f"{n_constant} gene") if n_constant else not constant)
    assert s["reconstruction"] is not None


def test_too_many_missing_genes_are_refused_with_a_fix_that_can_work(pretrained, tmp_path):
    bundle, run_dir, _ = pretrained
    n_genes = int(bundle.gene_mask().sum())
    other, _ = _without_genes(bundle, run_dir, n_genes // 3, tmp_path / "b")
    with pytest.raises(InputError, match=r"genes are not in the bundle \(at most 20% may be") as e:
        analyse_features(run_dir, data=other, out_dir=tmp_path / "f", n_features=3)
    assert "--annotation" in str(e.value) and "prepared like the run's" not in str(e.value)


def test_thousands_are_separated_in_the_refusal():
    from genemoe.workflows.feature_inputs import missing_error as _missing_error
    from genemoe.workflows.feature_run import RunModel

    class Genes:  # noqa: D401 (a bundle's gene ids, as the message reads them)
        gene_ids = np.array(["ENSG1"])
        path = "b"

    run = RunModel(None, "pretrain", "genemoe", [f"g{i}" for i in range(19371)], None,  # type: ignore[arg-type]
                   path=None)  # type: ignore[arg-type]
    missing = np.zeros(19371, bool)
    missing[:5000] = True
    assert "5,000 of the run's 19,371 genes" in str(_missing_error(Genes(), run, missing, 0.2))


def test_an_unfinished_pretraining_run_is_named_with_how_to_finish_it(pretrained, tmp_path):
    """Old behaviour: "neither pretrained.pt nor model.pt here" for a paused pre-training."""
    bundle, _, cfg = pretrained
    paused = pretrain_run([bundle.path], out_dir=tmp_path / "p", config_path=cfg, epochs=2,
                          max_epochs_this_call=1, device="cpu", progress=False)
    assert not paused.finished and (paused.out_dir / "checkpoint.pt").is_file()
    with pytest.raises(InputError, match=r"(?s)an unfinished pre-training run .*run the same "
                                         r"`genemoe pretrain` command again"):
        analyse_features(paused.out_dir, data=bundle.path, out_dir=tmp_path / "f")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no model here"):
        analyse_features(tmp_path / "empty", data=bundle.path, out_dir=tmp_path / "f")


def test_the_refusal_of_seen_samples_reads_as_a_sentence(pretrained, tmp_path):
    """Old behaviour: "the run saw 191 of the 240 all sample(s)"."""
    bundle, run_dir, _ = pretrained
    with pytest.raises(InputError) as e:
        analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "x", split="all")
    n = len(bundle.indices(None))
    assert f"of the {n} samples of --split all in training or validation" in str(e.value)
    assert "sample(s)" not in str(e.value)


def test_tables_are_tab_separated_and_the_old_csv_name_still_reads(pretrained, tmp_path):
    bundle, run_dir, _ = pretrained
    s = analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "f", n_features=3,
                         threshold=0.1).summary
    tsv = pd.read_csv(tmp_path / "f" / "strong_genes.tsv", sep="\t", keep_default_na=False)
    csv = pd.read_csv(tmp_path / "f" / "strong_genes.csv", keep_default_na=False)
    assert list(tsv.columns) == ["gene_id", "symbol", "mean_abs_r"] and tsv.equals(csv)
    axis = pd.read_csv(tmp_path / "f" / "latent_gene_correlation_genes.tsv", sep="\t",
                       dtype={"gene_id": str})
    r = np.load(tmp_path / "f" / "latent_gene_correlation.npy")
    assert len(axis) == r.shape[1] == s["n_genes"] and axis["column"].tolist() == list(range(len(axis)))
    assert "latent_gene_correlation_genes.tsv" in s["files"]["latent_gene_correlation.npy"]
    assert json.loads((tmp_path / "f" / "summary.json").read_text())["n_genes_missing"] == 0


def test_umaps_thread_warning_does_not_reach_the_user(monkeypatch):
    """Old behaviour: "UserWarning: n_jobs value 1 overridden to 1 by setting random_state"."""
    from genemoe.evaluate.features import embed

    class UMAP:  # umap-learn's warning, without its JIT compile
        def __init__(self, **kwargs):  # noqa: ANN003
            pass

        def fit_transform(self, x):  # noqa: ANN001, ANN202
            warnings.warn("n_jobs value 1 overridden to 1 by setting random_state. Use no seed "
                          "for parallelism.", UserWarning, stacklevel=1)
            return np.zeros((len(x), 2))

    monkeypatch.setitem(sys.modules, "umap", pytypes.SimpleNamespace(UMAP=UMAP))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert embed(np.random.default_rng(0).normal(size=(20, 5)), "umap").shape == (20, 2)


def test_33_cancer_types_get_33_colours_and_the_legend_stays_off_the_points(tmp_path,
                                                                            monkeypatch):
    """Old behaviour: tab20 for 33 types (ACC and PAAD one colour) and 66 legend entries
    (type × source) over half the plot."""
    import genemoe.report.feature_plots as fp

    names = [f"T{i:02d}" for i in range(33)]
    colours = fp.type_colours(names)
    assert len({tuple(np.round(c, 4)) for c in colours.values()}) == 33
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"cancer_type": np.repeat(names, 4),
                          "source": np.tile(["real", "reconstructed"], 66),
                          "x": rng.normal(size=132), "y": rng.normal(size=132)})
    drawn = []
    real_save = fp.save_figure
    monkeypatch.setattr(fp, "save_figure", lambda fig, p: drawn.append(fig) or real_save(fig, p))
    fp.plot_real_vs_reconstructed(table, out_path=tmp_path / "e.png")
    fig = drawn[0]
    ax = fig.axes[0]
    fig.canvas.draw()
    box = ax.get_window_extent()
    legends = [a for a in ax.get_children() if a.__class__.__name__ == "Legend"]
    assert len(legends) == 2
    for legend in legends:  # beside the axes, not over them
        assert legend.get_window_extent().x0 >= box.x1
    labels = sorted(len(lg.get_texts()) for lg in legends)
    assert labels == [2, 33]  # one entry a source, one a type (was 66)
    faces = {tuple(np.round(c.get_facecolor()[0], 4)) for c in ax.collections}
    assert len(faces) == 33


def test_the_cli_takes_max_missing(pretrained, tmp_path):
    """`genemoe features` had no --max-missing (predict has one): 3 of 59 missing (5%) is
    refused at --max-missing 0.01."""
    from typer.testing import CliRunner

    from genemoe.cli import app

    bundle, run_dir, _ = pretrained
    lacking, _ = _without_genes(bundle, run_dir, 3, tmp_path / "lacking")
    res = CliRunner().invoke(app, ["features", "--model", str(run_dir), "--data", str(lacking),
                                   "--out", str(tmp_path / "f"), "--split", "unseen",
                                   "--max-missing", "0.01", "--k", "3"])
    assert isinstance(res.exception, InputError), res.output
    assert "at most 1% may be" in str(res.exception)
    # a verification probe: the fix named --annotation only, not the flag that allows more
    assert "or allow more with --max-missing 0.06" in " ".join(str(res.exception).split())
