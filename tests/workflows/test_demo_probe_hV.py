"""What `genemoe demo` prints, read against the README's rules (an outside probe, hV): every
line a person reads is at most 100 characters, the command it suggests runs as printed, and
the time column says what it adds up."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from genemoe.workflows import demo
from genemoe.workflows.demo import DemoRow, next_for_bundle, results_table, run_demo
from synthetic_inputs import small_demo_cohort


def test_every_line_of_the_synthetic_demo_fits_100_characters(tmp_path, monkeypatch):
    """Old behaviour (`genemoe demo --tune 0 --epochs 2`): the header's lines were 105 and 109
    characters, the predictions line 102 with a short --out, the last "next:" line 102."""
    monkeypatch.setattr(demo, "_synthetic_bundle", small_demo_cohort)
    out = tmp_path / "a_folder_name_long_enough_for_the_paths_of_a_real_home_directory" / "demo"
    text = run_demo(out, epochs=1, tune=0, progress=False, models=(("genemoe", "classify"),))
    lines = text.splitlines()
    too_long = [ln for ln in lines if len(ln) > 100  # "all outputs: PATH": a path alone
                and not re.fullmatch(r"[a-z ]+: +\S+", ln)]  # is as long as it is
    assert too_long == []
    joined = " ".join(" ".join(lines).split())
    assert "genemoe demo · SYNTHETIC cohort (genemoe.data.synthetic)" in joined
    assert "no tuning budget (--tune 0)" in joined and "neural models: at most 1 epoch" in joined
    assert "(the raw counts file scored by Gene-MOE)" in joined
    assert 'then genemoe benchmark --data bundles/mine (README: "From download' in joined


def test_the_header_keeps_its_words_and_ends_on_the_epochs(synthetic_bundle):
    """The header is packed into short lines, never broken inside a part."""
    head = demo._header(synthetic_bundle(seed=3, clinical=False), 1)
    assert max(map(len, head.splitlines())) <= 100
    assert head.endswith("neural models: at most 1 epoch")
    assert "val (selection)" in head and " types, 0 events" in head
    tuned = demo._header(synthetic_bundle(seed=3, clinical=False), 2, tune=3).splitlines()
    assert tuned[-1].startswith("tuning: 3 trials per model on the validation split")
    assert tuned[-2].endswith("neural models: at most 2 epochs")


def test_the_suggested_benchmark_command_runs_for_a_path_with_a_space():
    """Old behaviour: "genemoe benchmark --data /data/my bundles/gdc6 --out ...": pasted into
    a shell, --data got "/data/my" and "bundles/gdc6" was an extra argument."""
    path = Path("/data/my bundles/gdc6")
    line = next_for_bundle(path)
    command = line.splitlines()[-1].strip()  # its own line (it was 163 wide after --data)
    assert command.startswith("genemoe benchmark") and max(map(len, line.splitlines())) <= 100
    words = shlex.split(command)
    assert words[words.index("--data") + 1] == str(path)
    assert words[-2:] == ["--out", "bench/mine"]


def test_the_time_column_says_it_holds_the_tuning_trials(tmp_path):
    """Old behaviour: with --tune 1 Gene-MOE's time read 2 min 29 s beside logreg's 46 s, its
    68 s tuning trial included and unsaid (the caption named only the metrics)."""
    def row(trials: int) -> DemoRow:
        return DemoRow("logreg", "classify", tmp_path, {"accuracy": 0.9, "macro_f1": 0.8}, 1.0,
                       12.0, trials)

    assert "time: the tuning trials and the final training run together" in results_table(
        [row(1)])
    assert "tuning trials" not in results_table([row(0)])  # --tune 0: the run's time alone
    assert max(len(ln) for ln in results_table([row(1)]).splitlines()) <= 100


def test_a_mistyped_data_folder_leaves_the_previous_demo_as_it_was(tmp_path):
    """Old behaviour: `genemoe demo --data bundles/typo --out demo_out` said "replacing the
    previous demo in demo_out: tuning/genemoe_classify, runs/genemoe_classify, ...", removed
    them, and only then "bundles/typo: no such bundle directory"; summary.txt still named
    the removed runs."""
    from genemoe.errors import GenemoeError

    out = tmp_path / "demo"
    kept = [out / "runs" / "logreg_classify" / "metrics.json",
            out / "tuning" / "logreg_classify" / "best.yaml", out / "summary.txt"]
    for path in kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("genemoe demo · an earlier one\n")
    try:
        run_demo(out, data=tmp_path / "typo", tune=0, progress=False,
                 models=(("logreg", "classify"),))
    except GenemoeError as err:
        assert "typo" in str(err)
    else:
        raise AssertionError("a missing --data bundle was not refused")
    assert all(path.is_file() for path in kept)


def test_a_new_demo_removes_the_summary_that_named_the_old_runs(tmp_path):
    """The previous demo's summary.txt goes with its runs (an interrupted replacement left a
    table of runs no longer there); a summary.txt of the user's own is left alone."""
    out = tmp_path / "demo"
    (out / "runs" / "logreg_classify").mkdir(parents=True)
    (out / "summary.txt").write_text("genemoe demo · an earlier one\n")
    demo._clear_previous_demo(out, (("logreg", "classify"),))
    assert not (out / "summary.txt").exists() and not (out / "runs" / "logreg_classify").exists()
    (out / "summary.txt").write_text("my own notes\n")
    demo._clear_previous_demo(out, (("logreg", "classify"),))
    assert (out / "summary.txt").read_text() == "my own notes\n"


def test_a_new_demo_removes_the_predictions_the_old_one_wrote(tmp_path):
    """Old behaviour: a synthetic demo's predictions_from_counts.csv (and its record) stayed in
    --out beside a later `--data` demo's runs, read as that demo's; a file of that name with
    no predict record naming it is the user's own and stays."""
    import json

    out = tmp_path / "demo"
    out.mkdir()
    pred, record = out / "predictions_from_counts.csv", out / "predictions_from_counts.record.json"
    pred.write_text("sample_id,predicted_type\nSYNT-1,ACC\n")
    record.write_text(json.dumps({"output": str(pred)}))
    demo._clear_previous_demo(out, (("logreg", "classify"),))
    assert not pred.exists() and not record.exists()
    pred.write_text("mine\n")
    demo._clear_previous_demo(out, (("logreg", "classify"),))
    assert pred.read_text() == "mine\n"


def test_a_continued_predictions_line_is_indented_under_its_value():
    """Old behaviour: "(the raw counts file scored by Gene-MOE)" at column 0 under
    "predictions: PATH" when the path was long (a fresh clone's /tmp/fresh/demo_out)."""
    path = "predictions: /tmp/fresh/demo_out/" + "x" * 40 + "/predictions_from_counts.csv"
    lines = demo._packed([path, "(the raw counts file scored by Gene-MOE)"], " ", " ",
                         indent=" " * len("predictions: "))
    assert lines == [path, " " * 13 + "(the raw counts file scored by Gene-MOE)"]
