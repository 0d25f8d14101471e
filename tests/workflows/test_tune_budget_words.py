"""``genemoe tune --trials 2`` on a study that holds 3 trials: the counts agree and the title
is short (an outside probe: "already in the study as this call started: 3 trials" then
"cost: ... the study's 2 trials ... in all", under a title of ~260 characters)."""

from __future__ import annotations

from genemoe.workflows.tune import tune_run


def test_a_smaller_budget_says_which_trials_it_reads(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=1)
    opts = dict(out_dir=tmp_path / "t", model_name="logreg", device="cpu", progress=False)
    tune_run(bundle.path, n_trials=3, **opts)
    text = tune_run(bundle.path, n_trials=2, **opts).describe()
    lines = text.splitlines()
    title = lines[0].split("  (", 1)[1]  # after the folder (a long temporary path here)
    assert len(title) <= 90 and lines[2].startswith("  2 trials: 2 complete, 0 pruned; "), text
    assert max(map(len, lines[1:])) < 160, text
    assert "already in the study as this call started: 3 trials" in text
    assert "  budget: --trials 2 reads the first 2 of the study's 3 trials; the 1 after them is " \
           "not counted" in text
    assert "the budget's 2 trials" in text and "the study's 2 trials" not in text
