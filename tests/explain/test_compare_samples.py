"""explain's options said or refused: --compare on the samples asked for, --other only with
--compare, --baseline only where it applies, --genes sets that rank nothing or fewer genes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.errors import InputError
from genemoe.explain import explain_run
from genemoe.explain.compare import compare_methods
from genemoe.explain.rankings import gene_keep_masks
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


def test_compare_explains_the_samples_asked_for(tmp_path):
    """Old behaviour: ``--samples A,B --compare`` explained the whole test split (197
    samples on pancan33, 80 s)."""
    b = prepare_synthetic(tmp_path, n_samples=120, n_genes=60, n_types=3, seed=5)[0]
    run = train_run(b.path, out_dir=tmp_path / "fcn", task="classify", model_name="fcn",
                    epochs=1, progress=False).out_dir
    two = [str(s) for s in b.sample_ids[b.indices("val")][:2]]
    table = compare_methods(run, data=b.path, out_dir=tmp_path / "cmp", methods=("ig",),
                            n_steps=4, samples=two)
    assert table["n_samples"].tolist() == [2]
    got = pd.read_csv(tmp_path / "cmp" / "ig" / "samples.tsv", sep="\t")["sample_id"].astype(str)
    assert sorted(got) == sorted(two)


def test_compare_passes_its_progress_bar_on(tmp_path, monkeypatch):
    """Old behaviour (note42): ``compare_methods`` had no ``progress`` and ``explain
    --compare`` drew no bar, however long its methods ran."""
    import genemoe.explain.compare as compare

    b = prepare_synthetic(tmp_path, n_samples=60, n_genes=50, n_types=3, seed=6)[0]
    run = train_run(b.path, out_dir=tmp_path / "fcn", task="classify", model_name="fcn",
                    epochs=1, progress=False).out_dir
    seen = []
    real = compare.explain_run
    monkeypatch.setattr(compare, "explain_run", lambda *a, **k: seen.append(k["progress"]) or real(*a, **k))
    compare_methods(run, data=b.path, out_dir=tmp_path / "cmp", methods=("ig", "deeplift"),
                    n_steps=4, progress=True)
    assert seen == [True, True]


def test_other_without_compare_is_refused(tmp_path):
    """Old behaviour: ``explain --other RUN`` without ``--compare`` was ignored silently."""
    r = CliRunner().invoke(app, ["explain", "--model", str(tmp_path / "a"), "--data", str(tmp_path),
                                 "--out", str(tmp_path / "o"), "--other", str(tmp_path / "b")])
    assert isinstance(r.exception, InputError) and r.exit_code != 0
    assert str(r.exception) == "--other is used only with --compare\n  fix: add --compare, or leave --other out"


@pytest.fixture(scope="module")
def fcn_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("fcn")
    b = prepare_synthetic(d, n_samples=120, n_genes=60, n_types=3, seed=6)[0]
    run = train_run(b.path, out_dir=d / "fcn", task="classify", model_name="fcn", epochs=1,
                    progress=False).out_dir
    return b, run


def test_a_baseline_the_method_does_not_use_is_refused(fcn_run, tmp_path):
    """Old behaviour: ``--baseline zeros`` with the default method (train_ig) gave the same
    attributions as without it, and convergence.json said "training tumours"."""
    b, run = fcn_run
    with pytest.raises(InputError, match=r"(?s)--baseline zeros does not apply to train_ig.*"
                                         r"fix: pass --method frozen_ig"):
        explain_run(run, data=b.path, out_dir=tmp_path / "e", baseline="zeros", split="val",
                    n_steps=4, progress=False)
    one = [str(b.sample_ids[b.indices("val")][0])]
    res = explain_run(run, data=b.path, out_dir=tmp_path / "z", baseline="zeros", method="ig",
                      samples=one, n_steps=4, progress=False, genes="expressed")
    assert res.convergence["baseline"] == "zeros"
    from genemoe.data.bundle import file_sha256  # the report tells a retrained run apart by it

    assert res.convergence["model_sha256"] == file_sha256(run / "model.pt")
    text = res.describe()
    assert text.startswith("explained 1 sample (classify)")  # was "1 samples"
    # was "max |delta| 0.000989, relative to |f(x) - f(baseline)| median 1.06e-05": which is which
    assert re.search(r"completeness \(attributions' sum against f\(x\) - f\(baseline\)\): off by "
                     r"[\d.]+% in the median sample,\n    at most [\d.]+% \(\|delta\| at most", text)
    assert re.search(r"genes ranked: \d+ of \d+ per class \(expressed: detected in at least half", text)


def test_protein_coding_without_biotypes_is_refused():
    """Old behaviour: a biotype column of blanks (Entrez ids prepared without an annotation)
    gave an empty ranking and exit status 0."""
    with pytest.raises(InputError, match="no biotype"):
        gene_keep_masks("protein_coding", ["a", "b"], biotype=np.array([None, None, None], object))
    assert gene_keep_masks("protein_coding", ["a"], biotype=np.array(["protein_coding", "lncRNA"],
                                                                      object)).tolist() == [True, False]


def test_the_capped_draw_is_seeded_and_said(fcn_run, tmp_path):
    """Old behaviour: --max-samples-per-class kept the first samples in bundle order (a
    survival run, one group, explained only the bundle's first types) and nothing said
    that samples were left out."""
    b, run = fcn_run
    res = explain_run(run, data=b.path, out_dir=tmp_path / "e", split="all", method="ig",
                      n_steps=4, max_samples_per_class=3, max_maps=0, progress=False, seed=1)
    picked = pd.read_csv(tmp_path / "e" / "samples.tsv", sep="\t")
    n_classes = picked["predicted"].nunique()
    assert res.n_samples == 3 * n_classes < len(b.obs)
    assert res.convergence["drawn_from"] == {"n": len(b.obs), "split": "all",
                                             "cap_per_predicted_class": 3}
    assert re.search(rf"drawn: {res.n_samples} of the all split's {len(b.obs)} samples \(at most "
                     r"3 per predicted class, seeded by --seed", res.describe())
    every = explain_run(run, data=b.path, out_dir=tmp_path / "all", split="all", method="ig",
                        n_steps=2, max_samples_per_class=10**6, max_maps=0, progress=False)
    assert "drawn:" not in every.describe()
    rows = pd.read_csv(tmp_path / "all" / "samples.tsv", sep="\t")  # bundle order
    first = rows.groupby("predicted").head(3)["sample_id"]
    assert sorted(picked["sample_id"]) != sorted(first)  # not the bundle's first per class
    again = explain_run(run, data=b.path, out_dir=tmp_path / "e2", split="all", method="ig",
                        n_steps=4, max_samples_per_class=3, max_maps=0, progress=False, seed=1)
    assert again.n_samples == res.n_samples
    assert pd.read_csv(tmp_path / "e2" / "samples.tsv", sep="\t")["sample_id"].tolist() == (
        picked["sample_id"].tolist())


@pytest.mark.parametrize(("given", "said"), [(",", "names no sample"),
                                             ("A,B,A", r"sample id\(s\) given twice: \['A'\]")])
def test_samples_naming_none_or_one_twice_are_refused(fcn_run, tmp_path, given, said):
    """Old behaviour: `--samples ,` explained the whole test split, and a sample named twice
    was explained twice (double weight in its class's mean)."""
    b, run = fcn_run
    r = CliRunner().invoke(app, ["explain", "--model", str(run), "--data", str(b.path),
                                 "--out", str(tmp_path / "o"), "--samples", given])
    assert isinstance(r.exception, InputError) and r.exit_code != 0
    assert re.search(rf"--samples: {said}", str(r.exception)) and not (tmp_path / "o").exists()


def test_other_must_be_a_run_of_the_same_model(fcn_run, tmp_path):
    """Old behaviour: `--compare --other` with a run of another task failed on "--data: 2994
    of the model's 2994 genes are not in the bundle", blaming the wrong option."""
    b, run = fcn_run
    lr = train_run(b.path, out_dir=tmp_path / "mlp", task="classify", model_name="mlp",
                   epochs=1, progress=False).out_dir
    with pytest.raises(InputError, match=r"(?s)mlp: --other: not another run of --model's model: "
                                         r"its model differs \('mlp' against 'fcn'\)"):
        compare_methods(run, data=b.path, out_dir=tmp_path / "cmp", methods=("ig",), n_steps=4,
                        other_run=lr)
    # an ensemble is compared by its members' model (two ensembles of fcn and mlp passed as
    # "ensemble" = "ensemble"; an ensemble of fcn and a single fcn were refused)
    from genemoe.explain.compare import _check_same_model  # noqa: PLC2701 (the check under test)

    ens = {m: train_run(b.path, out_dir=tmp_path / f"{m}_ens", task="classify", model_name=m,
                        epochs=1, progress=False, ensemble=2).out_dir for m in ("fcn", "mlp")}
    _check_same_model(ens["fcn"], run)
    with pytest.raises(InputError, match=r"its model differs \('mlp' against 'fcn'\)"):
        _check_same_model(ens["fcn"], ens["mlp"])


def test_the_compare_table_is_printed_rounded(fcn_run, tmp_path):
    """Old behaviour: pandas' own dump (2.359016e-01, 0.000052, 6.154376)."""
    b, run = fcn_run
    one = str(b.sample_ids[b.indices("val")][0])
    r = CliRunner().invoke(app, ["explain", "--model", str(run), "--data", str(b.path), "--out",
                                 str(tmp_path / "c"), "--compare", "--samples", one,
                                 "--n-steps", "2", "--n-draws", "2"])
    assert r.exit_code == 0, r.output
    numbers = re.findall(r"\d+\.\d+(?:e[-+]\d+)?", r.output)
    assert numbers and all(len(re.sub(r"e.*|^0\.0*|\.", "", n)) <= 3 for n in numbers)


def test_compare_says_method_is_unused_and_runs_n_steps_only_where_it_applies(fcn_run, tmp_path,
                                                                               caplog):
    """`--compare --method deeplift` ran every method with no notice, and `--n-steps` went
    to GradientSHAP and DeepLIFT, which recorded it unused."""
    import json


    b, run = fcn_run
    one = str(b.sample_ids[b.indices("val")][0])
    with caplog.at_level("WARNING", logger="genemoe"):
        compare_methods(run, data=b.path, out_dir=tmp_path / "c", samples=[one], n_steps=4,
                        n_draws=2, method="deeplift", methods=("ig", "deeplift"))
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "--compare runs every method: --method deeplift is not used" in said
    assert not any("--n-steps applies" in s for s in said), said
    conv = json.loads((tmp_path / "c" / "ig" / "convergence.json").read_text())
    assert conv["n_steps"] == 4


def test_an_ensembles_explanation_says_what_it_averages(fcn_run, tmp_path):
    """Old behaviour: `explained 75 samples (classify) with train_ig`, convergence.json's model
    "ensemble", and no word that the attributions are the members' mean, nor what
    completeness is checked against."""
    b, _ = fcn_run
    ens = train_run(b.path, out_dir=tmp_path / "e", task="classify", model_name="fcn", epochs=1,
                    progress=False, ensemble=2).out_dir
    res = explain_run(ens, data=b.path, out_dir=tmp_path / "x", method="ig", n_steps=4,
                      max_samples_per_class=2)
    said = ("2 fcn members: the mean of each member's attributions of its own output (logit or "
            "raw risk); completeness against the mean of their changes")
    assert res.convergence["ensemble"].startswith(  # then the members' agreement (hBL)
        f"{said}; the members' own top-10 genes agree ")
    text = res.describe()  # wrapped at 100 characters (one line of ~160 before)
    assert " ".join(text.split()).count(f"an ensemble of {said}") == 1
    assert all(len(line) <= 100 for line in text.splitlines() if "→" not in line)


def test_compare_honours_max_steps_and_says_what_the_stability_means(fcn_run, tmp_path,
                                                                     monkeypatch):
    """An outside probe: `explain --compare --max-steps 80` ran at 400 steps (the flag was not
    passed on) and then said "raise --max-steps (now 400)"; the two seeds' top-50 overlap
    (0.357) was printed without a word on what it means or how few samples it rests on."""
    b, run = fcn_run
    other = train_run(b.path, out_dir=tmp_path / "seed1", task="classify", model_name="fcn",
                      epochs=1, seed=1, progress=False).out_dir
    one = str(b.sample_ids[b.indices("val")][0])
    import genemoe.explain.compare as compare

    asked, real = [], compare.explain_run
    monkeypatch.setattr(compare, "explain_run", lambda *a, **k: (
        asked.append((k.get("max_steps"), k.get("internal_batch_size"))), real(*a, **k))[1])
    r = CliRunner().invoke(app, ["explain", "--model", str(run), "--data", str(b.path), "--out",
                                 str(tmp_path / "c"), "--compare", "--other", str(other),
                                 "--internal-batch-size", "16",
                                 "--samples", one, "--n-steps", "2", "--max-steps", "3",
                                 "--n-draws", "2"])
    assert r.exit_code == 0, r.output
    assert asked and set(asked) == {(3, 16)}
    flat = " ".join(r.output.split())
    assert re.search(r"stability: with \w+, the two runs' top-50 genes a class share \d+% on "
                     r"average \(rank correlation -?\d\.\d\d\)", flat)
    assert "over 1 explained sample (few: the overlap itself is uncertain)" in flat
