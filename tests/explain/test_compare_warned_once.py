"""A probe's finding: ``explain --compare --other`` on an MLP said "no top-k routing to
freeze" twice, once for the run and again for the other run."""

from __future__ import annotations

from genemoe.explain.compare import compare_methods
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


def test_frozen_ig_on_a_dense_model_is_warned_once_with_another_run(tmp_path, caplog):
    b, _, _ = prepare_synthetic(tmp_path, n_samples=90, n_genes=50, n_types=3, seed=3)
    for name, seed in (("a", 0), ("b", 1)):
        train_run(b.path, out_dir=tmp_path / name, model_name="mlp", epochs=1, seed=seed,
                  progress=False)
    with caplog.at_level("WARNING"):
        table = compare_methods(tmp_path / "a", data=b.path, out_dir=tmp_path / "cmp",
                                methods=["frozen_ig"], other_run=tmp_path / "b", n_steps=4,
                                max_steps=4, max_samples_per_class=2, k=5)
    assert caplog.text.count("no top-k routing to freeze") == 1
    assert len(table) == 1 and "top50_overlap" in table
