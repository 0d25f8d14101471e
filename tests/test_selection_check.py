"""benchmarks/survival_selection.py: selection criteria and windows scored on a check part."""

from __future__ import annotations

import yaml

from benchmark_scripts import load_script


def test_classify_windows_are_scored_on_a_check_part_never_the_test(synthetic_bundle, tmp_path,
                                                                    monkeypatch):
    bundle = synthetic_bundle(seed=4, clinical=False)
    preset = tmp_path / "p.yaml"
    preset.write_text(yaml.safe_dump({"extends": "small", "train": {"epochs": 4, "patience": None}}))
    script = load_script("survival_selection")
    seen = []
    real = script.fit_model
    monkeypatch.setattr(script, "fit_model", lambda name, task, data, **kw: (
        seen.append((set(data), kw["train_cfg"]["select_window"])), real(name, task, data, **kw))[1])
    out = script.main(["--task", "classify", "--data", str(bundle.path), "--model", "fcn",
                       "--folds", "2", "--windows", "1,2", "--preset", str(preset),
                       "--out", str(tmp_path / "o.json")])
    assert set(out["summary"]) == {"macro_f1", "macro_f1 w2"} and out["check_metric"] == "macro_f1"
    assert all(parts == {"train", "val", "check"} for parts, _ in seen)  # no test part
    assert [w for _, w in seen] == [1, 2, 1, 2]
    assert all(0 <= r["check_score"] <= 1 and r["best_epoch"] >= 1 for r in out["rows"])
    assert all(r["best_epoch"] >= 2 for r in out["rows"] if r["criterion"] == "macro_f1 w2")
