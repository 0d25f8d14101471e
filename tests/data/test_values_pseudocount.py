"""log2(x + 0.001) values (the UCSC Toil hub's TPM: every zero is log2(0.001) = -9.9658)
were read as "already transformed (log-ratios, centred microarray values or z-scores)"
and passed through unchanged; predict refused them as centred (probeI). Their repeated floor
log2(ε) marks them: converted to log2(x + 1) and said."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.values import ValueStats, log_pseudocount, value_kind


def _linear(seed: int = 0, n: int = 40, g: int = 300) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(1.0, 2.0, (n, g))
    x[rng.random((n, g)) < 0.3] = 0.0  # the zeros
    return x


def _kind(values: np.ndarray) -> tuple[str, list[str]]:
    stats = ValueStats()
    stats.update(values, 0, 0)
    return value_kind(stats, values, Path("x.tsv"), lambda s, g: f"{s},{g}")


@pytest.mark.parametrize(("eps", "decimals"), [(0.001, 4), (0.001, None), (0.01, None),
                                               (1e-5, 6)])
def test_log2_of_x_plus_a_small_pseudocount_is_read_as_log2_of_x_plus_one(eps, decimals):
    x = _linear()
    logged = np.log2(x + eps).astype(np.float32)
    if decimals is not None:  # as a text file writes them
        logged = np.round(logged, decimals).astype(np.float32)
    kind, notes = _kind(logged)
    assert kind == "log"
    assert f"= log2({eps:g}) -> log2(x + {eps:g})" in notes[0]
    assert "converted to log2(x + 1)" in notes[0] and "transformed" not in " ".join(notes)
    n_zero = int((x == 0).sum())
    assert f"{n_zero:,} of them" in notes[0]
    np.testing.assert_allclose(logged, np.log2(x + 1), atol=2e-3)  # converted in place
    assert (logged[x == 0] == 0).all()


def test_z_scores_and_log2_of_x_plus_one_are_left_alone():
    z = np.random.default_rng(1).normal(size=(40, 300)).astype(np.float32)
    assert _kind(z.copy())[0] == "transformed"
    x = np.log2(_linear() + 1).astype(np.float32)
    kind, notes = _kind(x)
    assert kind == "log" and "converted" not in " ".join(notes)
    one_low = np.log2(_linear() + 1).astype(np.float32)  # one cell at log2(0.001): no floor
    one_low[0, 0] = np.float32(np.log2(0.001))
    stats = ValueStats()
    stats.update(one_low, 0, 0)
    assert log_pseudocount(stats, one_low) is None


def test_prepare_reads_a_xena_log2_x_plus_0_001_file_as_log_scale(tmp_path):
    from genemoe.data.read import read_expression

    x = _linear(n=30, g=200)
    genes = [f"ENSG{i:011d}.1" for i in range(x.shape[1])]
    samples = [f"TCGA-OR-A{i:03d}-01A-11R-A29S-07" for i in range(x.shape[0])]
    frame = pd.DataFrame(np.round(np.log2(x + 0.001), 4).T, index=genes, columns=samples)
    frame.index.name = "Ensembl_ID"
    path = tmp_path / "TCGA-ACC.star_tpm.tsv"
    frame.to_csv(path, sep="\t")
    table = read_expression(path)
    assert table.value_kind == "log"
    assert any("log2(0.001) -> log2(x + 0.001)" in n for n in table.notes)
    assert float(np.min(table.values)) == 0.0
    # and said under the read line (probeP: the conversion was in the record only), naming
    # the Toil hub (the note said the GDC hub, whose STAR files are log2(x + 1))
    from genemoe.data.prep_text import step_line

    said = step_line("read", {"file": str(path), "shape": list(table.shape), "notes": table.notes,
                              "orientation": table.orientation, "id_kind": table.id_kind,
                              "value_kind": table.value_kind})
    assert "on the floor -9.9658 = log2(0.001)" in said and "UCSC Toil hub" in said


def test_predict_scores_log2_of_x_plus_0_001_instead_of_refusing_it(labelled_logreg_run, tmp_path):
    from genemoe.workflows.predict import predict_file

    d, f, _ = labelled_logreg_run(n_samples=120, n_genes=60, seed=5)
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    path = tmp_path / "xena.tsv"
    np.round(np.log2(counts + 0.001), 4).to_csv(path, sep="\t")
    out = tmp_path / "p.csv"
    predict_file(d / "run", path, out_path=out)  # was refused: "look centred or log-ratio"
    assert pd.read_csv(out)["predicted_type"].notna().all()
    assert "-> log2(x + 0.001)" in (tmp_path / "p.record.json").read_text()


def test_a_model_trained_on_unconverted_log2_x_plus_eps_refuses_the_converted_values():
    """probeQ: a model an earlier genemoe trained on log2(x + 0.001) read unconverted (its
    reference profile down to -9.97) scored this version's converted values as its own
    scale ("same"), every zero moved by ~10 log2 units, unsaid; the earlier version refused
    the file. Now refused, with the fixes (retrain, or --normalisation quantile)."""
    from types import SimpleNamespace

    from genemoe.errors import InputError
    from genemoe.workflows.predict_align import check_floor_converted

    table = SimpleNamespace(notes=["values: range [-9.9658, 11.5], 300 of them (19%) on the "
                                   "floor -9.9658 = log2(0.001) -> ..."], source_path="toil.tsv")
    old_model = {"reference_profile": np.array([-9.9658, -9.9658, 2.0, 8.0])}
    with pytest.raises(InputError, match="trained on values down to -9.97") as err:
        check_floor_converted(old_model, table, "same")
    assert "--normalisation quantile" in str(err.value)
    check_floor_converted(old_model, table, "quantile")  # aligned: fine
    check_floor_converted({"reference_profile": np.array([0.0, 2.0, 8.0])}, table, "same")
    check_floor_converted(old_model, SimpleNamespace(notes=[], source_path="x"), "same")
