"""train_ig's references: one seeded draw of a few training tumours shared by every explained
sample (an outside probe: on a trained MLP ``--seed`` alone moved 80-90% of a class's top 10;
a draw of 5 ACC tumours of 8 sank ACC's adrenal markers). The draw is named, a lopsided one
warned of, and the two halves of the draw compared, without changing the draw itself."""

from __future__ import annotations

import logging

import numpy as np
import torch

from genemoe.explain.methods import attribute_with, reference_rows, train_references
from genemoe.explain.references import (
    lopsided_warning,
    note_references,
    reference_draw,
    split_half_stability,
    stability_warning,
    training_pool,
)
from genemoe.models.registry import create_model


def _draw(types: list[str]) -> dict:
    ids = np.array([f"S{i}" for i in range(len(types))], object)
    return reference_draw(ids, np.array(types, object), n_draws=len(types), seed=0)


def test_the_draw_is_the_one_train_ig_always_made():
    """Defaults unchanged: the same rows as before (numpy's seeded choice without replacement)."""
    X = np.arange(200 * 3, dtype=np.float32).reshape(200, 3)
    for seed in (0, 1, 7):
        old = X[np.random.default_rng(seed).choice(200, 8, replace=False)]
        assert np.array_equal(train_references(X, 8, seed), old)
        assert np.array_equal(X[reference_rows(200, 8, seed)], old)
    assert len(reference_rows(5, 8, 0)) == 5  # fewer training rows than draws: all of them


def test_the_pool_is_explains_training_rows():
    """The same rule as explain's training rows: all when few, else 200 seeded, sorted."""
    train = np.arange(10, 510)
    assert np.array_equal(training_pool(train[:50], 3), train[:50])
    pool = training_pool(train, 3)
    assert len(pool) == 200 and np.all(np.diff(pool) > 0)
    assert np.array_equal(pool, np.sort(np.random.default_rng(3).choice(train, 200, replace=False)))


def test_the_draw_is_named_with_its_cancer_types():
    ids = np.array([f"TCGA-{i:02d}" for i in range(40)], object)
    types = np.array(["ACC", "KICH", "UVM", "LGG"] * 10, object)
    draw = reference_draw(ids, types, n_draws=8, seed=0)
    picked = reference_rows(40, 8, 0)
    assert draw["n"] == 8 and draw["pool"] == 40
    assert draw["sample_ids"] == [str(s) for s in ids[picked]]
    assert draw["cancer_types"] == [str(t) for t in types[picked]]
    assert sum(draw["by_cancer_type"].values()) == 8
    counts = list(draw["by_cancer_type"].values())
    assert counts == sorted(counts, reverse=True)  # most first


def test_a_lopsided_draw_is_warned_of_naming_its_counts():
    """The probe's seed-0 draw: ACC 5, UVM 2, KICH 1, ACC tumours among those explained."""
    draw = _draw(["ACC"] * 5 + ["UVM"] * 2 + ["KICH"])
    warning = lopsided_warning(draw, ["ACC", "KICH", "UVM"])
    assert warning is not None
    assert "ACC 5, UVM 2, KICH 1" in warning and "ACC tumours integrated mostly from ACC" in warning
    # the draw is its whole pool of 8: more draws cannot help (it said "--n-draws 32")
    assert "--n-draws" not in warning and "more draws cannot help" in warning
    # one type holding most, though not an explained class: still lopsided
    assert "LGG holds most" in lopsided_warning(_draw(["LGG"] * 5 + ["UVM"] * 3), ["ACC"])
    # half, not more: no warning (3 types drawn 8 times often give 4 of one)
    assert lopsided_warning(_draw(["KICH"] * 4 + ["ACC"] * 2 + ["UVM"] * 2), ["KICH"]) is None
    assert lopsided_warning(_draw(["ACC", "ACC", "UVM", "UVM", "KICH", "KICH", "LGG", "BRCA"]),
                            ["ACC", "KICH"]) is None


def _mlp(n_genes: int = 12) -> torch.nn.Module:
    torch.manual_seed(0)
    return create_model("mlp", n_genes=n_genes, n_outputs=3, task="classify").eval()


def test_train_ig_gives_its_two_half_draws_without_another_pass():
    """The halves average to the full draw's attributions (8 references: 4 and 4)."""
    model, rng = _mlp(), np.random.default_rng(0)
    X = rng.normal(size=(6, 12)).astype(np.float32)
    train = rng.normal(size=(40, 12)).astype(np.float32)
    target = np.arange(6) % 3
    plain = attribute_with("train_ig", model, X, target=target, train_X=train, n_steps=16)
    halves: list = []
    a, d, _ = attribute_with("train_ig", model, X, target=target, train_X=train, n_steps=16,
                             reference_halves=halves)
    assert np.array_equal(a, plain[0]) and np.array_equal(d, plain[1])  # nothing else moved
    assert len(halves) == 1
    first, second = halves[0]
    assert first.shape == second.shape == a.shape
    np.testing.assert_allclose((first + second) / 2, a, rtol=1e-4, atol=1e-6)


def test_split_half_stability_per_class_and_its_warning():
    rng = np.random.default_rng(1)
    groups = np.array(["ACC"] * 4 + ["KICH"] * 4)
    same = rng.normal(size=(8, 50))
    steady = split_half_stability([(same, same + 1e-6)], groups)
    assert steady["by_class"]["ACC"] == {"top_overlap": 1.0, "spearman": 1.0}
    assert steady["median_top_overlap"] == 1.0 and stability_warning(steady, 8) is None
    other = rng.normal(size=(8, 50))
    shaky = split_half_stability([(same, other)], groups)
    assert shaky["by_class"]["KICH"]["top_overlap"] < 0.5
    warning = stability_warning(shaky, 8)
    assert "two halves of train_ig's 8 references share < 50%" in warning and "--n-draws 32" in warning
    assert split_half_stability([], groups) is None


def test_note_references_records_and_warns(caplog):
    draw = _draw(["ACC"] * 5 + ["UVM"] * 2 + ["KICH"])
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(6, 30)), rng.normal(size=(6, 30))
    conv: dict = {}
    with caplog.at_level(logging.WARNING, logger="genemoe.explain.references"):
        note_references(conv, draw, classes=np.array(["ACC"] * 3 + ["UVM"] * 3),
                        groups=np.array(["ACC"] * 3 + ["UVM"] * 3), halves=[(a, b)])
    assert conv["references"]["by_cancer_type"] == {"ACC": 5, "UVM": 2, "KICH": 1}
    assert conv["reference_stability"]["halves"] == "references 1-4 against 5-8"
    assert "reference_warning" in conv and "stability_warning" in conv
    said = caplog.text
    assert "ACC 5, UVM 2, KICH 1" in said and "two halves" in said


def test_seed_help_names_train_igs_references():
    from typer.testing import CliRunner

    from genemoe.cli import app

    r = CliRunner().invoke(app, ["explain", "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0
    assert "train_ig's references" in " ".join(r.output.split())


def test_explain_writes_the_draw_to_convergence_json(tmp_path, synthetic_bundle):
    import json

    from genemoe.explain import explain_run
    from genemoe.workflows.train import train_run

    b = synthetic_bundle(n_samples=90, n_genes=60, n_types=3)
    train_run(b.path, out_dir=tmp_path / "mlp", task="classify", model_name="mlp", epochs=1,
              progress=False)
    explain_run(tmp_path / "mlp", data=b.path, out_dir=tmp_path / "e", max_samples_per_class=2,
                n_steps=8, progress=False, max_maps=0)
    conv = json.loads((tmp_path / "e" / "convergence.json").read_text())
    train = b.indices("train")
    pool = training_pool(train, 0)
    assert conv["references"]["sample_ids"] == [
        str(s) for s in b.sample_ids[pool][reference_rows(len(pool), 8, 0)]]
    assert set(conv["reference_stability"]["by_class"]) <= set(b.class_names)


def test_the_advice_after_a_draw_of_32_or_more_is_not_32_again():
    """Old behaviour (h8, session 20): a lopsided or unsteady draw of 83 references, the
    whole pool, was told "pass --n-draws 32"; now more draws up to the pool, or none."""
    groups = np.array(["ACC"] * 4 + ["KICH"] * 4)
    rng = np.random.default_rng(1)
    shaky = split_half_stability([(rng.normal(size=(8, 50)), rng.normal(size=(8, 50)))], groups)
    assert "--n-draws 80 " in stability_warning(shaky, 40, pool=150)
    whole = stability_warning(shaky, 83, pool=83)
    assert "--n-draws" not in whole and "more draws cannot help" in whole
    lopsided = {"n": 83, "pool": 83, "by_cancer_type": {"ACC": 60, "KICH": 23}}
    said = lopsided_warning(lopsided, ["ACC", "KICH"])
    assert "--n-draws 32" not in said and "more draws cannot help" in said


def test_the_advice_never_asks_for_more_draws_than_the_pool_holds():
    """Old behaviour: a draw of 8 references from a pool of 20 training tumours was told
    "pass --n-draws 32", more than the pool holds; now the pool's size, or none when the
    draw is the whole pool."""
    groups = np.array(["ACC"] * 4 + ["KICH"] * 4)
    rng = np.random.default_rng(1)
    shaky = split_half_stability([(rng.normal(size=(8, 50)), rng.normal(size=(8, 50)))], groups)
    assert "--n-draws 20 " in stability_warning(shaky, 8, pool=20)
    assert "--n-draws" not in stability_warning(shaky, 8, pool=8)
    assert "--n-draws 32 " in stability_warning(shaky, 8, pool=None)
