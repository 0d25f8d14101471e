"""`genemoe features` ends its terminal output with the command that writes its page (it
ended on its figures, the page unmentioned, while train, benchmark and the rest name theirs)."""

from __future__ import annotations

from pathlib import Path

from genemoe.workflows.features import FeatureResult


def _summary() -> dict:
    return {"n_samples": 30, "split": "test", "n_genes": 60,
            "run": {"kind": "pretrain", "model_name": "genemoe"}, "n_features": 3, "latent": 8,
            "threshold": 0.4, "n_strong_genes": 2, "reconstruction": None,
            "figures": ["f/correlation_heatmap.png"]}


def test_the_last_line_names_the_report_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = FeatureResult(tmp_path / "feat", _summary(), ["a note"]).describe()
    assert text.splitlines()[-1] == "  report: genemoe report feat"
    assert "  figure: f/correlation_heatmap.png" in text.splitlines()[-2]


def test_a_path_with_a_space_is_quoted_for_the_shell(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = FeatureResult(Path("my feat"), _summary()).describe()
    assert text.splitlines()[-1] == "  report: genemoe report 'my feat'"
