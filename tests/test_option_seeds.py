"""benchmarks/option_seeds.py: one model option's values compared on the validation split."""

from __future__ import annotations

from benchmark_scripts import load_script


def _load():
    return load_script("option_seeds")


def test_each_value_trains_per_seed_and_is_summarised(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=3, clinical=False)
    out = _load().main(["--data", str(bundle.path), "--model", "fcn", "--option", "model.dropout",
                        "--values", "0.0,0.5", "--seeds", "2", "--epochs", "2",
                        "--work", str(tmp_path / "w"), "--out", str(tmp_path / "o.json")])
    assert [(r["value"], r["seed"]) for r in out["rows"]] == [
        ("0.0", 0), ("0.0", 1), ("0.5", 0), ("0.5", 1)]
    assert all(0 <= r["val_macro_f1"] <= 1 for r in out["rows"])
    assert set(out["summary"]) == {"0.0", "0.5"} and out["summary"]["0.5"]["n"] == 2
    cfg = (tmp_path / "w" / "fcn_0.5.yaml").read_text()
    assert "dropout: 0.5" in cfg and "fcn:" in cfg


def test_train_options_go_to_the_train_section():
    assert _load()._config("mlp", "train.lr", 0.01) == {"train": {"num_threads": 1, "lr": 0.01}}
