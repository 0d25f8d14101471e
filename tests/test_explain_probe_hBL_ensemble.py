"""An ensemble's explanation: the members' mean, said on the page, and their agreement
recorded and said (probe hBL).

Old behaviour: ``genemoe explain`` of ``train --ensemble 3`` said on the terminal that the
attributions are the mean of the members', but the report page did not; and how far the
members agree was neither kept nor said (on the demo bundle three fcn members shared 40% of
their top-10 genes in the median class, 17% in OV: the mean's ranking none of them holds).
Seeded synthetic fixtures: seconds.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from genemoe.explain import explain_run
from genemoe.explain.members import member_agreement
from genemoe.report.html import write_report
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


def test_agreement_known_answer():
    """Two members whose top-2 genes share one of two: 50%; a third equal to the first:
    pairs 50%, 100%, 50% → mean 2/3. Hand-computed."""
    a = np.array([[4.0, 3.0, 0.0, 0.0]])
    b = np.array([[4.0, 0.0, 3.0, 0.0]])
    rec = member_agreement([a, b], np.array(["X"]), survival=False, top=2)["members_agreement"]
    assert rec["by_class"] == {"X": 0.5} and rec["n_members"] == 2
    rec = member_agreement([a, b, a], np.array(["X"]), survival=False, top=2)["members_agreement"]
    assert rec["by_class"]["X"] == pytest.approx(0.667)
    assert "agree 67%" in rec["text"]
    assert member_agreement([a], np.array(["X"]), survival=False) == {}


def test_agreement_ranks_as_the_explanation_does():
    """Survival ranks by mean |attribution|: a large negative gene is a top gene; a gene the
    ``keep`` mask leaves out (not ranked) is not compared."""
    a = np.array([[-5.0, 1.0, 0.5]])
    b = np.array([[5.0, 0.1, 1.0]])
    surv = member_agreement([a, b], np.array(["risk"]), survival=True, top=1)["members_agreement"]
    assert surv["by_class"] == {"risk": 1.0}
    kept = member_agreement([a, b], np.array(["risk"]), survival=True, top=1,
                            keep=np.array([False, True, True]))["members_agreement"]
    assert kept["by_class"] == {"risk": 0.0}  # gene 1 against gene 2


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    """An fcn ensemble of 2, one epoch, explained: ``(out_dir, result)`` (its run and
    bundle beside ``out_dir``: ``../ens``, ``../bundle``)."""
    d = tmp_path_factory.mktemp("hbl_ens")
    b, _, _ = prepare_synthetic(d, n_samples=60, n_genes=50, n_types=3, seed=2)
    train_run(b.path, out_dir=d / "ens", task="classify", model_name="fcn", epochs=1,
              progress=False, ensemble=2, model_options={"hidden": 8, "latent": 4})
    res = explain_run(d / "ens", data=b.path, out_dir=d / "e", n_steps=4,
                      max_samples_per_class=2, max_maps=0, progress=False)
    (d / "bundle_path").write_text(str(b.path))
    return d / "e", res


def test_the_members_agreement_is_recorded_and_said(ensemble):
    out, res = ensemble
    conv = json.loads((out / "convergence.json").read_text())
    rec = conv["members_agreement"]
    assert rec["n_members"] == 2 and rec["top"] == 10
    assert set(rec["by_class"]) == set(res.ranking["class"].astype(str))
    assert all(0.0 <= v <= 1.0 for v in rec["by_class"].values())
    text = res.describe()
    assert "the mean of each member's attributions" in text
    assert "the members' own top-10 genes agree" in " ".join(text.split())
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  an ensemble of"))
    assert max(len(line) for line in lines[at:at + 4]) <= 100  # the ensemble's lines, wrapped


def test_the_page_says_the_mean_and_the_agreement(ensemble):
    out, _ = ensemble
    page = " ".join(write_report(out).read_text().split())
    assert "An ensemble of 2 fcn members: the mean of each member&#x27;s attributions" in page
    assert "the members&#x27; own top-10 genes agree" in page


def test_compare_on_an_ensemble_says_the_mean_and_the_agreement(ensemble, tmp_path):
    """--compare of an ensemble printed its table without saying the attributions are the
    members' mean, nor how far the members agree."""
    from genemoe.explain.compare import compare_methods, methods_text

    d = ensemble[0].parent
    table = compare_methods(d / "ens", data=(d / "bundle_path").read_text(), out_dir=tmp_path / "c",
                            methods="ig,deeplift", n_steps=4, max_samples_per_class=1)
    assert table["members_agree"].between(0, 1).all()
    text = methods_text(table)
    assert "members_agree" in text
    assert "each method's attributions are the mean of its members'" in text
    assert max(map(len, text.splitlines())) <= 100
