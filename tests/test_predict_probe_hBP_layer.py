"""``genemoe predict --layer NAME|raw`` (helper hBP): an ``.h5ad``'s layer or ``.raw`` scored
instead of ``X``, read as ``prepare --layer`` reads it, recorded as the read step's
``matrix`` and said under predict's read line; a name the file lacks and ``--layer`` for a
file that is not AnnData are refused in prepare's words.

Old behaviour: predict read ``.X`` only (``--layer`` and ``predict_file(layer=...)`` did not
exist), and its note told the user ``prepare --layer counts``, which does not reach predict.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from typer.testing import CliRunner

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.errors import InputError
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run

anndata = pytest.importorskip("anndata")

N, G = 40, 60
SAMPLES = [f"TCGA-AB-{i:04d}-01A-11R-A29S-07" for i in range(N)]
GENES = [f"ENSG{i:011d}" for i in range(G)]
TYPES = ["ACC"] * (N // 2) + ["UVM"] * (N - N // 2)


def _counts() -> np.ndarray:
    """Counts whose first 10 genes are 8 times higher in the UVM half (the model's signal)."""
    rng = np.random.default_rng(7)
    mean = np.full((N, G), 200.0)
    mean[N // 2:, :10] *= 8
    return rng.poisson(mean).astype(np.float32)


def _log1p_cp10k(counts: np.ndarray) -> np.ndarray:
    """scanpy's ``normalize_total(target_sum=1e4)`` then ``log1p``: ln(CP10k + 1)."""
    return np.log1p(counts / counts.sum(axis=1, keepdims=True) * 1e4).astype(np.float32)


def _scanpy(path: Path, counts: np.ndarray, *, raw: bool = False) -> Path:
    """X = ln(CP10k + 1) marked by ``uns['log1p']``; the counts in ``layers['counts']``
    (sparse CSR, as scanpy keeps them) or, with ``raw``, in ``.raw``."""
    a = anndata.AnnData(X=_log1p_cp10k(counts), obs=pd.DataFrame(index=SAMPLES),
                        var=pd.DataFrame(index=GENES))
    if raw:
        a.raw = anndata.AnnData(X=sp.csr_matrix(counts), obs=pd.DataFrame(index=SAMPLES),
                                var=pd.DataFrame(index=GENES))
    else:
        a.layers["counts"] = sp.csr_matrix(counts)
    a.uns["log1p"] = {"base": None}
    a.write_h5ad(path)
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A logreg run on a bundle prepared from the counts (an .h5ad, types in obs), and the
    counts as a genes × samples TSV: ``(folder, run, counts, tsv)``."""
    d = tmp_path_factory.mktemp("hbp_layer")
    counts = _counts()
    anndata.AnnData(X=counts, obs=pd.DataFrame({"cancer_type": TYPES}, index=SAMPLES),
                    var=pd.DataFrame(index=GENES)).write_h5ad(d / "train.h5ad")
    prepare_dataset([d / "train.h5ad"], out_path=d / "bundle", config=PrepareConfig(
        min_variance=0.0, min_mean=0.0, min_class_size=1))
    train_run(d / "bundle", out_dir=d / "run", task="classify", model_name="logreg",
              progress=False)
    tsv = d / "counts.tsv"
    pd.DataFrame(counts.T, index=GENES, columns=SAMPLES).to_csv(tsv, sep="\t")
    return d, d / "run", counts, tsv


def _read_step(out: Path) -> dict:
    record = json.loads(out.with_name(out.stem + ".record.json").read_text())
    return next(s for s in record["steps"] if s["step"] == "read")


@pytest.mark.parametrize("layer", ["counts", "raw"])
def test_a_layer_gives_the_predictions_of_the_counts_file(run, tmp_path, layer):
    _, model, counts, tsv = run
    path = _scanpy(tmp_path / "sc.h5ad", counts, raw=layer == "raw")
    predict_file(model, tsv, out_path=tmp_path / "plain.csv")
    predict_file(model, path, out_path=tmp_path / "layer.csv", layer=layer)
    plain, got = pd.read_csv(tmp_path / "plain.csv"), pd.read_csv(tmp_path / "layer.csv")
    pd.testing.assert_frame_equal(got, plain)
    assert (plain["predicted_type"] == TYPES).mean() > 0.9  # the model learnt the signal
    read = _read_step(tmp_path / "layer.csv")
    assert read["matrix"] == ("layers['counts']" if layer == "counts" else ".raw")
    assert read["value_kind"] == "counts"
    assert "matrix" not in _read_step(tmp_path / "plain.csv")  # a TSV has no matrix to name


def test_x_is_recorded_and_the_note_names_predicts_own_layer(run, tmp_path, caplog):
    _, model, counts, _ = run
    path = _scanpy(tmp_path / "sc.h5ad", counts)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        predict_file(model, path, out_path=tmp_path / "x.csv")
    read = _read_step(tmp_path / "x.csv")
    assert read["matrix"] == "X"
    note = ("read .X only, not layers ['counts']: to read one, predict --layer counts (Python: "
            "predict_file(..., layer='counts')), or in Python adata.X = adata.layers['counts']; "
            "adata.write_h5ad(...)")
    assert note in read["notes"] and "prepare --layer" not in caplog.text


def test_the_layer_read_is_said_under_the_read_line(run, tmp_path, caplog):
    _, model, counts, _ = run
    path = _scanpy(tmp_path / "sc.h5ad", counts)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        predict_file(model, path, out_path=tmp_path / "p.csv", layer="counts")
    line = next(r.getMessage() for r in caplog.records
                if r.getMessage().startswith("read sc.h5ad: 60 genes"))
    assert line.splitlines()[1] == "  read layers['counts'] (--layer counts), not .X"


def test_a_layer_the_file_lacks_is_refused_naming_those_it_has(run, tmp_path):
    _, model, counts, _ = run
    path = _scanpy(tmp_path / "sc.h5ad", counts)
    with pytest.raises(InputError) as info:
        predict_file(model, path, out_path=tmp_path / "p.csv", layer="spliced")
    assert info.value.problem == "the file has no layer 'spliced' (layers 'counts'; no .raw)"
    assert str(info.value).startswith(f"{path}: --layer spliced: ")
    assert info.value.fix == "pass one of: --layer counts, or leave --layer out to read .X"
    with pytest.raises(InputError, match=r"the file has no \.raw \(layers 'counts'; no \.raw\)"):
        predict_file(model, path, out_path=tmp_path / "p.csv", layer="raw")
    assert not list(tmp_path.glob("p.*"))


def test_layer_is_refused_for_a_file_that_is_not_anndata(run, tmp_path, monkeypatch):
    _, model, _, tsv = run
    import genemoe.workflows.predict as predict_mod

    def unread(_run):  # refused before the model is read
        raise AssertionError("the model was read")

    monkeypatch.setattr(predict_mod, "load_model_file", unread)
    with pytest.raises(InputError) as info:
        predict_file(model, tsv, out_path=tmp_path / "p.csv", layer="counts")
    assert str(info.value).startswith(f"{tsv}: --layer counts: names a matrix of an AnnData "
                                      "file, and this file is not one (only .h5ad files have")
    with pytest.raises(InputError, match="must be a layer's name or 'raw'"):
        predict_file(model, tsv, out_path=tmp_path / "p.csv", layer="")
    assert not list(tmp_path.glob("p.*"))


def test_predict_layer_on_the_command_line(run, tmp_path):
    from genemoe.cli import app

    _, model, counts, tsv = run
    path = _scanpy(tmp_path / "sc.h5ad", counts)
    r = CliRunner().invoke(app, ["predict", "--model", str(model), "--expression", str(path),
                                 "--layer", "counts", "--out", str(tmp_path / "p.csv")])
    assert r.exit_code == 0, r.output
    assert _read_step(tmp_path / "p.csv")["matrix"] == "layers['counts']"
    bad = CliRunner().invoke(app, ["predict", "--model", str(model), "--expression", str(tsv),
                                   "--layer", "counts", "--out", str(tmp_path / "q.csv")])
    assert isinstance(bad.exception, InputError) and "names a matrix of an AnnData file" in \
        str(bad.exception)


@pytest.mark.slow  # ~40 s: 93 samples × 56,537 genes prepared, trained, scored twice
def test_real_counts_layer_predicts_what_the_counts_file_does(tmp_path, shared_data):
    """GDC counts of CHOL (36 samples) and UCS (57) × 56,537 genes: a logreg run on their
    bundle; UCS as a scanpy file (X = ln(CP10k + 1), ``layers['counts']`` the counts)
    scored with ``layer='counts'`` gives the predictions of UCS's own counts file."""
    src = shared_data / "gdc_counts_6types"
    files = [src / f"TCGA_{t}_Counts.exp.gz" for t in ("CHOL", "UCS")]
    prepare_dataset(files, out_path=tmp_path / "bundle", config=PrepareConfig(
        min_class_size=1))
    train_run(tmp_path / "bundle", out_dir=tmp_path / "run", task="classify",
              model_name="logreg", progress=False)
    table = pd.read_csv(files[1], sep="\t", index_col=0)  # genes × samples
    counts = table.T.to_numpy(dtype=np.float32)
    a = anndata.AnnData(X=_log1p_cp10k(counts), obs=pd.DataFrame(index=table.columns.astype(str)),
                        var=pd.DataFrame(index=table.index.astype(str)))
    a.layers["counts"] = sp.csr_matrix(counts)
    a.uns["log1p"] = {"base": None}
    a.write_h5ad(tmp_path / "ucs.h5ad")
    predict_file(tmp_path / "run", files[1], out_path=tmp_path / "plain.csv")
    predict_file(tmp_path / "run", tmp_path / "ucs.h5ad", out_path=tmp_path / "layer.csv",
                 layer="counts")
    plain, got = pd.read_csv(tmp_path / "plain.csv"), pd.read_csv(tmp_path / "layer.csv")
    pd.testing.assert_frame_equal(got, plain)
    assert (plain["predicted_type"] == "UCS").all()
    assert _read_step(tmp_path / "layer.csv")["matrix"] == "layers['counts']"
