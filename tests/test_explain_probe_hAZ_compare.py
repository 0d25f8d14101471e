"""An outside probe of ``explain --compare`` on sparse models (pancan33_random100, Gene-MOE
trained 2 epochs):

- train_ig's ``jump_median`` (the jump of the mean over its references, where opposite
  jumps cancel: 3.9%) stood beside frozen_ig's 10% as if train_ig explained the live model
  better, its per-reference jump (17%) only in a warning and convergence.json;
- DeepLIFT missed completeness by 92% on Gene-MOE (warned) and was ranked in the table
  beside the other methods unmarked.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from genemoe.explain.compare import UNRELIABLE, compare_methods, methods_text, unreliable_rankings

_NAN = float("nan")


def _probe_table() -> pd.DataFrame:
    """methods.csv of the probe's Gene-MOE comparison (6 samples), per-reference jump added."""
    return pd.DataFrame({
        "method": ["ig", "frozen_ig", "gradient_shap", "deeplift", "train_ig"],
        "n_samples": [6] * 5,
        "routing": ["live", "frozen", "live", "frozen", "frozen"],
        "reference": ["training mean", "training mean", "training tumours", "training mean",
                      "training tumours"],
        "median_relative_delta": [0.1363, 0.00027, 0.162, 0.9198, 1.2e-05],
        "max_relative_delta": [1.209, 0.00062, 0.381, 0.950, 2.8e-05],
        "routing_jump": [_NAN, 0.1018, _NAN, 0.1018, 0.0392],
        "routing_jump_max": [_NAN, 0.2765, _NAN, 0.2765, 0.0728],
        "routing_jump_per_reference": [_NAN, 0.1018, _NAN, 0.1018, 0.1712],
        "seconds_per_sample": [0.209, 0.429, 0.121, 0.0874, 2.597],
    })


def test_the_table_shows_train_igs_per_reference_jump_beside_the_others():
    text = methods_text(_probe_table())
    header, *rows = text.splitlines()[:6]
    assert "jump_per_ref" in header, text
    train = next(r for r in rows if r.split()[0] == "train_ig")
    assert "17.12%" in train and "3.92%" in train  # both: the mean's and each reference's
    assert "opposite jumps cancel" in text
    assert max(map(len, text.splitlines())) <= 100, text


def test_a_method_missing_completeness_by_far_is_marked_unreliable():
    table = _probe_table()
    assert unreliable_rankings(table).tolist() == [False, False, False, True, False]
    text = methods_text(table)
    rows = {r.split()[0]: r for r in text.splitlines()[1:6]}
    assert "deeplift*" in rows and "frozen_ig" in rows, text
    assert f"unreliable ranking: its attributions miss the live change by more than {UNRELIABLE:.0%}" in text
    assert max(map(len, text.splitlines())) <= 100, text
    # a per-reference routing jump that large counts too; none that large: nothing marked
    jumpy = table.assign(routing_jump_per_reference=[_NAN, 0.1, _NAN, 0.1, 0.79])
    assert unreliable_rankings(jumpy).tolist() == [False, False, False, True, True]
    fine = methods_text(table.iloc[[0, 1, 4]])
    assert "*" not in fine and "unreliable" not in fine


@pytest.fixture(scope="module")
def moe_run(tmp_path_factory):
    """A barely trained sparse ``moe`` classifier on a small synthetic bundle."""
    from synthetic_inputs import tiny_moe_run

    return tiny_moe_run(tmp_path_factory.mktemp("haz_moe"), task="classify", seed=5)


def test_methods_csv_records_the_per_reference_jump_and_the_mark(moe_run, tmp_path):
    run, b = moe_run
    some = [str(s) for s in b.sample_ids[b.indices("test")][:3]]
    table = compare_methods(run, data=b.path, out_dir=tmp_path / "c",
                            methods=("frozen_ig", "train_ig"), samples=some, n_steps=4,
                            max_steps=4, n_draws=4, progress=False)
    saved = pd.read_csv(tmp_path / "c" / "methods.csv").set_index("method")
    assert {"routing_jump_per_reference", "ranking_unreliable"} <= set(saved.columns)
    jump = json.loads((tmp_path / "c" / "train_ig" / "convergence.json").read_text())["routing_jump"]
    assert saved.loc["train_ig", "routing_jump_per_reference"] == pytest.approx(
        jump["median_relative_per_reference"])
    frozen = saved.loc["frozen_ig"]  # one reference: its own jump
    assert frozen["routing_jump_per_reference"] == pytest.approx(frozen["routing_jump"])
    assert table["ranking_unreliable"].tolist() == unreliable_rankings(table).tolist()
