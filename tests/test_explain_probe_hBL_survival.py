"""What a survival explanation attributes, and which samples it explained, said (probe hBL).

Old behaviour: neither the terminal nor the report page said that a survival model's
attributions are of its raw risk (a log relative hazard) against the reference's; the
per-sample figures' captions gave predict's risk (the raw risk x the run's risk scale, 5.1)
over bars adding up to another number (+2.09 less the reference's); and the page said
"exact on 32 samples" without the split they came from (said only when the cap left some
out). Seeded synthetic bundle (``prepare_synthetic``), a Coxnet: seconds.
"""

from __future__ import annotations

import json
import re

import pytest

from genemoe.explain import explain_run
from genemoe.report.html import write_report
from genemoe.train.model_file import load_model_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def explained(tmp_path_factory):
    """A Coxnet on a small synthetic bundle, explained: ``(out_dir, result, payload)``."""
    d = tmp_path_factory.mktemp("hbl_surv")
    b, _, _ = prepare_synthetic(d, n_samples=160, n_genes=60, n_types=2, seed=3)
    train_run(b.path, out_dir=d / "cox", task="survival", model_name="coxnet", progress=False)
    res = explain_run(d / "cox", data=b.path, out_dir=d / "e", progress=False, max_maps=2)
    return d / "e", res, load_model_file(d / "cox")


def test_the_record_and_terminal_say_the_raw_risk_is_attributed(explained):
    out, res, payload = explained
    conv = json.loads((out / "convergence.json").read_text())
    scale = payload["calibration"]["risk_scale"]
    assert conv["risk_scale"] == pytest.approx(scale) and scale != 1
    assert "raw risk, a log relative hazard" in conv["attributed"]
    assert f"risk scale {scale:.3g}" in conv["attributed"]
    text = res.describe()
    assert "  attributed: the model's raw risk, a log relative hazard" in text
    # the first line holds the output folder's path, as long as the test's temporary folder
    assert max(len(line) for line in text.splitlines() if str(out) not in line) <= 100


def test_the_page_says_what_is_attributed_which_samples_and_what_the_bars_add_to(explained):
    out, res, _ = explained
    page = write_report(out).read_text()
    assert "Attributed: the model&#x27;s raw risk, a log relative hazard" in page
    n = res.n_samples
    assert f"Samples: all {n:,} of the test split." in page
    caps = re.findall(r"attribution per gene \(of the raw risk: they add up to [-+][0-9.e-]+\)", page)
    assert len(set(caps)) == 2  # each per-sample figure's caption (and its alt text)


def test_samples_named_or_the_whole_bundle_are_said_so():
    from genemoe.report.explanation_section import _drawn_html

    named = {"n_samples": 3, "drawn_from": {"n": 3, "split": "--samples", "cap_per_predicted_class": None}}
    assert _drawn_html(named) == "<p>Samples: the 3 named by --samples.</p>"
    every = {"n_samples": 9, "drawn_from": {"n": 9, "split": "all", "cap_per_predicted_class": 50}}
    assert _drawn_html(every) == "<p>Samples: all 9 of the bundle.</p>"


def test_a_classification_record_gets_no_survival_words():
    from genemoe.explain.samples_table import samples_records

    rec = samples_records({"task": "classify"}, {"calibration": {"temperature": 0.6}})
    assert set(rec) == {"samples_tsv"}
    surv = samples_records({"task": "survival"}, {})
    assert surv["risk_scale"] == 1.0 and "no risk scale fitted" in surv["attributed"]


def test_a_survival_comparison_says_the_raw_risk_is_attributed():
    """--compare of a survival run said "each sample's risk attributed": which risk (the
    raw log relative hazard, not predict's scaled one) went unsaid."""
    import pandas as pd

    from genemoe.explain.compare import methods_text

    table = pd.DataFrame({"method": ["ig"], "n_samples": [4], "median_relative_delta": [0.0],
                          "max_relative_delta": [0.0], "seconds_per_sample": [0.1]})
    table.attrs["task"] = "survival"
    text = methods_text(table)
    assert "raw risk, a log relative hazard" in " ".join(text.split())
    assert max(map(len, text.splitlines())) <= 100


def test_with_the_routing_frozen_the_reference_is_the_frozen_models():
    """A survival Gene-MOE's train_ig adds up to f(x) - f_frozen(reference); the words said
    "minus the reference's" alone (beside completeness against f_frozen)."""
    from genemoe.explain.samples_table import samples_records

    rec = samples_records({"task": "survival", "routing": "frozen"}, {})
    assert "f(x) - f_frozen(reference)" in rec["attributed"]
    assert "f_frozen" not in samples_records({"task": "survival", "routing": "live"}, {})["attributed"]
