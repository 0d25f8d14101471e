"""An outside reviewer (probe L) explained Gene-MOE / MoE runs: a --compare and a single
explanation mixed in one folder, --n-draws capped unsaid, the routing jump of train_ig's
mean hid the per-reference jumps, two "barely moved" rules, plain IG refined in vain on a
sparse model, symbols filled in two files of three, and a barcode prefix refused."""

from __future__ import annotations

import json

import pytest

from genemoe.explain import explain_run
from genemoe.explain.compare import compare_methods

FAST = dict(max_samples_per_class=2, n_steps=4, max_steps=4, progress=False, max_maps=0)


@pytest.fixture(scope="module")
def runs(moe_and_cox_runs):
    return moe_and_cox_runs


def test_compare_into_a_single_explanation_replaces_it_named(runs, tmp_path, caplog):
    """Old behaviour: the single explanation's convergence.json, genes_by_class.csv, ...
    stayed at the top beside methods.csv, and ``report`` showed the old explanation."""
    d, b = runs
    out = tmp_path / "e"
    explain_run(d / "moe", data=b.path, out_dir=out, method="frozen_ig", **FAST)
    assert (out / "convergence.json").exists()
    with caplog.at_level("WARNING"):
        compare_methods(d / "moe", data=b.path, out_dir=out, methods=("ig",), n_steps=4,
                        max_steps=4, max_samples_per_class=2)
    assert (out / "methods.csv").exists() and (out / "ig" / "convergence.json").exists()
    for name in ("convergence.json", "genes_by_class.csv", "attributions.npy", "samples.tsv",
                 "genes.tsv", "genes_by_sample.csv", "top_genes.png"):
        assert not (out / name).exists(), name
    assert "holds a single explanation: removing" in caplog.text
    assert "convergence.json" in caplog.text


def test_a_single_explanation_into_a_compare_folder_replaces_it_named(runs, tmp_path, caplog):
    """Old behaviour: methods.csv and the method folders stayed beside the new explanation."""
    d, b = runs
    out = tmp_path / "c"
    compare_methods(d / "moe", data=b.path, out_dir=out, methods=("ig",), n_steps=4,
                    max_steps=4, max_samples_per_class=2)
    (out / "notes.txt").write_text("mine")  # not genemoe's: kept
    with caplog.at_level("WARNING"):
        explain_run(d / "moe", data=b.path, out_dir=out, method="frozen_ig", **FAST)
    assert not (out / "methods.csv").exists() and not (out / "ig").exists()
    assert (out / "convergence.json").exists() and (out / "notes.txt").exists()
    assert "holds a method comparison (explain --compare): removing methods.csv, ig/" in caplog.text


def test_n_draws_above_the_pool_is_said_and_the_number_used_recorded(runs, tmp_path, caplog):
    """Old behaviour: "reference: 300 training tumours per sample" and n_draws 300 in
    convergence.json, while references.n was 156 (the pool), capped without a word."""
    d, b = runs
    with caplog.at_level("WARNING"):
        res = explain_run(d / "moe", data=b.path, out_dir=tmp_path / "e", method="train_ig",
                          n_draws=300, **{**FAST, "max_samples_per_class": 1, "n_steps": 2,
                                          "max_steps": 2})
    pool = res.convergence["references"]["pool"]
    assert pool < 300 and res.convergence["references"]["n"] == pool
    assert res.convergence["n_draws"] == pool and res.convergence["n_draws_asked"] == 300
    assert f"--n-draws 300: only {pool} training samples in the pool" in caplog.text
    text = res.describe()
    assert f"reference: {pool} training tumours per sample" in text and "300 training" not in text
    assert f"(--n-draws 300 asked: the training pool holds {pool})" in text
    conv = json.loads((tmp_path / "e" / "convergence.json").read_text())
    assert conv["n_draws"] == pool


def test_per_reference_jumps_that_cancel_in_the_mean_are_warned_of():
    """Old behaviour: train_ig's routing jump was only that of the mean over references: 4.4%
    in the median sample, no warning, while the mean per-reference |jump| was 8x larger."""
    import numpy as np

    from genemoe.explain.routing_jump import routing_warning

    live = np.array([0.5, 0.6, 0.4])
    jump = {"median_relative": 0.044, "max_relative": 0.08,
            "median_relative_per_reference": 0.35, "max_relative_per_reference": 0.9}
    text = routing_warning(jump, np.array(["A", "B", "C"]), live, live)
    assert text is not None and "35% of the live change per reference" in text
    assert "4%" not in text  # the mean's small jump is not the one warned of
    quiet = {**jump, "median_relative_per_reference": 0.05}
    assert routing_warning(quiet, np.array(["A", "B", "C"]), live, live) is None


def test_train_ig_records_and_prints_the_per_reference_jump(runs, tmp_path):
    """Old behaviour: convergence.json's routing_jump had only the jump of the mean."""
    d, b = runs
    res = explain_run(d / "moe", data=b.path, out_dir=tmp_path / "e", method="train_ig",
                      n_draws=4, **FAST)
    j = json.loads((tmp_path / "e" / "convergence.json").read_text())["routing_jump"]
    assert j["median_abs_per_reference"] >= j["median_abs"] - 1e-9  # mean |.| >= |mean|
    assert j["median_relative_per_reference"] <= j["max_relative_per_reference"]
    assert "per_reference" in j["what"] and "cancel" in j["what"]
    assert (f"per reference, the mean |jump| (no cancelling): "
            f"{j['median_relative_per_reference']:.2%}") in res.describe()


def test_completeness_and_the_routing_jump_leave_out_the_same_samples_by_one_cutoff(tmp_path):
    """Old behaviour: a sample whose risk moved 0.1026 was left out of completeness as barely
    moved (cutoff 0.105, 5% of the attributed change's median) but counted in the routing
    jump (cutoff from the live change's median): n_relative 10 there, 9 in completeness."""
    import numpy as np
    import pandas as pd

    from genemoe.explain.api import ExplainResult
    from genemoe.explain.convergence import _convergence
    from genemoe.explain.routing_jump import routing_jump

    attr = np.array([[2.1], [2.1], [2.1], [0.1026]])
    delta = np.zeros(4)
    live = np.array([1.0, 1.0, 1.0, 0.2])  # the live change's median is 1.0: cutoff 0.05
    jump = routing_jump(None, np.zeros((4, 1)), attr, delta, target=None,
                        references=np.zeros((1, 1)), live=live)
    conv = _convergence(attr, delta, method="train_ig", routing="frozen",
                        payload={"model_name": "moe"})
    assert conv["n_relative"] == 3 and jump["n_relative"] == 3
    assert conv["barely_moved_cutoff"] == pytest.approx(0.105)
    ranking = pd.DataFrame({"class": "risk", "rank": [1], "gene_id": ["a"], "symbol": ["A"],
                            "mean_attribution": [0.1], "mean_abs_attribution": [0.1],
                            "n_samples": 4, "effect_sign": [1]})
    text = ExplainResult(tmp_path, 4, "survival", conv, ranking).describe()
    assert "(1 whose output moved less than 0.105 from the reference" in text
    assert max(len(x) for x in text.splitlines() if "moved" in x or "at least" in x) <= 100


def test_plain_ig_on_top_k_routing_is_integrated_once_and_says_so(runs, tmp_path):
    """Old behaviour: plain IG on a sparse model re-integrated every sample missing 1% up to
    --max-steps (~8x the cost; the routing jumps do not shrink with steps), and --compare
    gave ig 11 s a sample against frozen_ig's 2.2."""
    d, b = runs
    res = explain_run(d / "moe", data=b.path, out_dir=tmp_path / "e", method="ig",
                      **{**FAST, "max_steps": 64})
    refine = json.loads((tmp_path / "e" / "convergence.json").read_text())["refine"]
    assert "more steps cannot close" in refine["skipped"]
    assert set(refine["samples_by_steps"]) == {"4"}
    text = res.describe()
    assert "not re-integrated: top-k routing jumps" in text and "re-integrated 1" not in text
    if "warning" in res.convergence:  # raising --max-steps would do nothing now
        assert "--max-steps" not in res.convergence["warning"]


def test_genes_tsv_and_the_ranking_tables_fill_a_missing_symbol_alike(runs, tmp_path,
                                                                      monkeypatch):
    """Old behaviour: genes.tsv left a gene without a symbol empty, genes_by_class.csv and
    genes_by_sample.csv named it by its Ensembl id."""
    import pandas as pd

    import genemoe.train.model_file as model_file

    d, b = runs
    real = model_file.load_model_file

    def blanked(path):
        payload = real(path)
        symbols = list(payload.get("symbols") or payload["gene_ids"])
        symbols[:3] = [None, "", "  "]  # missing, empty, blank
        return {**payload, "symbols": symbols}

    monkeypatch.setattr(model_file, "load_model_file", blanked)
    out = tmp_path / "e"
    explain_run(d / "moe", data=b.path, out_dir=out, method="frozen_ig", **FAST)
    read = dict(dtype=str, keep_default_na=False)
    genes = pd.read_csv(out / "genes.tsv", sep="\t", **read).set_index("gene_id")["symbol"]
    first = list(genes.index[:3])
    assert genes.loc[first].tolist() == first  # the id, as the tables
    for name in ("genes_by_class.csv", "genes_by_sample.csv"):
        table = pd.read_csv(out / name, **read)
        assert (table["symbol"] == genes.loc[table["gene_id"]].to_numpy()).all(), name


def test_a_short_barcode_is_answered_with_the_bundle_id_it_begins(tmp_path):
    """Old behaviour: ``--samples TCGA-OR-A5JR-01`` was refused as "not in the bundle" with
    no word of TCGA-OR-A5JR-01A-11R-A29S-07, the bundle's id it begins."""
    from types import SimpleNamespace

    import numpy as np

    from genemoe.errors import InputError
    from genemoe.explain.sample_rows import select_rows

    ids = np.array(["TCGA-OR-A5JR-01A-11R-A29S-07", "TCGA-OR-A5JS-01A-11R-A29S-07",
                    "TCGA-OR-A5JS-11A-11R-A29S-07"], dtype=object)
    bundle = SimpleNamespace(sample_ids=ids, path=tmp_path)
    with pytest.raises(InputError) as e:
        select_rows(bundle, ["TCGA-OR-A5JR-01"], "test")
    text = str(e.value)
    assert "TCGA-OR-A5JR-01 is the start of TCGA-OR-A5JR-01A-11R-A29S-07" in text
    assert "--samples TCGA-OR-A5JR-01A-11R-A29S-07" in text
    with pytest.raises(InputError, match=r"TCGA-OR-A5JS is the start of 2 ids"):
        select_rows(bundle, ["TCGA-OR-A5JS"], "test")
    with pytest.raises(InputError, match="use ids of the bundle's obs.sample_id"):
        select_rows(bundle, ["nope"], "test")
