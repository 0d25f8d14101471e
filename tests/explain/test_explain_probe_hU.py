"""An outside probe of `genemoe explain` on Gene-MOE and moe runs of three GDC cohorts
(ACC, KICH, UVM; classify and survival): what its terminal summary says, line by line."""

from __future__ import annotations

import pandas as pd

from genemoe.explain.api import ExplainResult

_CONV = {"method": "train_ig", "n_samples": 45, "n_measured": 45,
         "median_relative_delta": 0.0012, "max_relative_delta": 0.0085,
         "max_abs_delta": 0.0095, "n_samples_off_5pct": 0}
_ENSEMBLE = ("2 genemoe members: the mean of each member's attributions of its own output "
             "(logit or raw risk); completeness against the mean of their changes")
_SYMBOLS = ["SLC22A18AS", "ADAMTSL4", "LINC01234", "CYP11B1", "TMEM45B", "ST3GAL5", "PLA2G4A",
            "ZNF385D", "CDKN2A", "TOP2A"]


def _result(tmp_path, task: str, conv: dict) -> ExplainResult:
    """A hand-made explanation of 45 samples: one group of ten ranked genes."""
    rk = pd.DataFrame({"class": ["all"] * 10, "rank": range(1, 11),
                       "gene_id": [f"ENSG{i:011d}" for i in range(10)], "symbol": _SYMBOLS,
                       "mean_attribution": [0.5, -0.4, 0.3, -0.2, 0.1] * 2,
                       "mean_abs_attribution": [0.5, 0.4, 0.3, 0.2, 0.1] * 2,
                       "effect_sign": [1, -1] * 5, "n_samples": 45,
                       "expression_vs_others": 0.5})
    if task == "classify":
        rk = rk.drop(columns="effect_sign")
    return ExplainResult(out_dir=tmp_path / "x", n_samples=45, task=task, convergence=conv,
                         ranking=rk)


def _long(text: str) -> list[str]:
    """The summary's lines over 100 characters, the first (the output's path) aside."""
    return [line for line in text.splitlines()[1:] if len(line) > 100]


def test_an_ensembles_line_is_wrapped_at_100_characters(tmp_path):
    """Old behaviour: `  an ensemble of 2 genemoe members: the mean ...` on one line of 160
    characters."""
    text = _result(tmp_path, "classify", {**_CONV, "ensemble": _ENSEMBLE}).describe()
    assert not _long(text), _long(text)
    assert f"an ensemble of {_ENSEMBLE}" in " ".join(text.split())


def test_a_survival_explanations_top_genes_are_wrapped(tmp_path):
    """Old behaviour: survival's one line naming the genes raising the risk when higher and
    those lowering it ran to 154 characters (ten symbols)."""
    text = _result(tmp_path, "survival", _CONV).describe()
    assert not _long(text), _long(text)
    flat = " ".join(text.split())
    assert ("all (n=45), raising it when higher: SLC22A18AS, LINC01234, TMEM45B, PLA2G4A, "
            "CDKN2A; lowering it when higher: ADAMTSL4, CYP11B1, ST3GAL5, ZNF385D, TOP2A") in flat


def test_a_pooled_survival_rankings_line_fits_and_keeps_its_counts(tmp_path):
    """Old behaviour (12 test patients of ACC, KICH and UVM): `  pooled: one ranking of 12
    samples over 3 cancer types (ACC 6, KICH 3, UVM 3), drawn 12 of 45: few patients; type
    differences may rank as risk genes` on one line of 150 characters."""
    conv = {**_CONV, "n_samples": 12, "task": "survival",
            "samples_by_cancer_type": {"ACC": 6, "KICH": 3, "UVM": 3},
            "drawn_from": {"n": 45, "split": "test", "cap_per_predicted_class": 12}}
    text = _result(tmp_path, "survival", conv).describe()
    assert not _long(text), _long(text)
    line = next(x for x in text.splitlines() if x.startswith("  pooled: "))
    assert "12 samples over 3 cancer types" in line and "drawn 12 of 45" in line
    assert "few patients" in line
    assert "    by cancer type: ACC 6, KICH 3, UVM 3" in text.splitlines()


def test_the_summary_says_what_the_attributions_took(tmp_path):
    """Old behaviour: a 4.5-minute train_ig explanation of 15 samples said no time after it
    (convergence.json's seconds_per_sample, 18.2, said nowhere)."""
    conv = {**_CONV, "n_samples": 15, "seconds_per_sample": 18.2, "device": "cpu"}
    text = _result(tmp_path, "classify", conv).describe()
    assert "  attributions took 4 min 33 s (18.2 s per sample, on cpu)" in text.splitlines()


def _explanation_dir(tmp_path, conv: dict):
    """An explanation folder: its convergence.json and a two-gene genes_by_class.csv."""
    import json

    d = tmp_path / "ex_gm"
    d.mkdir()
    (d / "convergence.json").write_text(json.dumps(conv))
    pd.DataFrame({"class": ["ACC", "ACC"], "rank": [1, 2],
                  "gene_id": ["ENSG00000160882", "ENSG00000168734"],
                  "symbol": ["CYP11B1", "PKIG"], "mean_attribution": [0.4, 0.3],
                  "mean_abs_attribution": [0.4, 0.3], "n_samples": [15, 15],
                  "expression_vs_others": [25.0, 1.6]}).to_csv(d / "genes_by_class.csv",
                                                               index=False)
    return d


def test_the_report_section_says_the_references_and_the_time(tmp_path):
    """Old behaviour: the report page said "baseline training tumours" alone (not how many,
    nor that they were the model's own training samples, which the terminal said) and no
    time."""
    from genemoe.report.explanation_section import explanation_section

    src = "the model's training samples in this bundle (156 of its 156 found), b3"
    conv = {**_CONV, "n_samples": 15, "task": "classify", "n_draws": 8,
            "baseline": "training tumours", "seconds_per_sample": 18.2, "device": "cpu",
            "reference_source": {"source": "bundle", "source_text": src}}
    page = explanation_section(_explanation_dir(tmp_path, conv))
    assert ("The references: 8 training tumours per sample, drawn from the model&#x27;s "
            "training samples in this bundle (156 of its 156 found), b3.") in page
    assert "Attributions took 4 min 33 s (18.2 s per sample, on cpu)." in page


def test_compare_shows_the_routing_jump_beside_completeness(tmp_path):
    """Old behaviour (moe of ACC, KICH, UVM, `explain --compare`): frozen_ig "0.00%" and
    train_ig "0.01%" beside ig's "0.07%", as if they explained the live model exactly: the
    routing jump their frozen routing leaves out (train_ig 6.25% median, 21.55% max) was in
    each method's convergence.json only; the table ran to 108 characters."""
    import json

    import numpy as np

    from genemoe.explain.compare import compare_methods, methods_text
    from genemoe.workflows.train import train_run
    from synthetic_inputs import prepare_synthetic

    b = prepare_synthetic(tmp_path / "data", n_samples=60, n_genes=50, n_types=3, seed=5)[0]
    run = train_run(b.path, out_dir=tmp_path / "moe", task="classify", model_name="moe",
                    epochs=1, progress=False).out_dir
    one = [str(s) for s in b.sample_ids[b.indices("test")][:2]]
    table = compare_methods(run, data=b.path, out_dir=tmp_path / "c", methods=("ig", "frozen_ig"),
                            samples=one, n_steps=4, max_steps=4, progress=False)
    ig, frozen = table.set_index("method").loc["ig"], table.set_index("method").loc["frozen_ig"]
    jump = json.loads((tmp_path / "c" / "frozen_ig" / "convergence.json").read_text())
    assert frozen["routing_jump"] == jump["routing_jump"]["median_relative"]
    assert frozen["routing_jump_max"] == jump["routing_jump"]["max_relative"]
    assert np.isnan(ig["routing_jump"])  # live routing: its completeness holds the jump
    saved = pd.read_csv(tmp_path / "c" / "methods.csv")
    assert {"routing_jump", "routing_jump_max"} <= set(saved.columns)
    text = methods_text(table)
    assert f"{frozen['routing_jump']:.2%}" in text.splitlines()[2]
    assert text.splitlines()[1].split()[-3:-1] == ["-", "-"]  # ig's row: no jump left out
    assert max(map(len, text.splitlines())) <= 100, text


def test_a_sample_figure_counts_the_genes_with_thousands_separators(tmp_path, monkeypatch):
    """Old behaviour: each per-sample figure of a 19,285-gene Gene-MOE was headed "top 20 of
    19285 genes by |attribution|", where every other count reads 19,285."""
    import numpy as np

    from genemoe.explain import figures

    seen = {}
    real = figures._finish

    def spy(fig, out_path, **kw):
        seen["title"] = fig.axes[0].get_title()
        return real(fig, out_path, **kw)

    monkeypatch.setattr(figures, "_finish", spy)
    a = np.random.default_rng(0).normal(size=19_285)
    figures.sample_attribution_figure(a, np.array([f"G{i}" for i in range(len(a))], dtype=object),
                                      tmp_path / "s.png")
    assert seen["title"] == "top 20 of 19,285 genes by |attribution|"


def test_a_frozen_samples_figure_says_its_routing_jump(tmp_path, monkeypatch):
    """Old behaviour (a 5-epoch Cox Gene-MOE of ACC, KICH, UVM): a patient whose
    attributions left out 121% of the live model's change was titled "completeness delta
    +1.7e-06 (0.0% of f(x) - f_frozen(baseline))" alone."""
    import numpy as np

    from genemoe.explain import figures
    from genemoe.explain.maps import _vector_maps

    seen: list[str] = []
    real = figures._finish

    def spy(fig, out_path, **kw):
        seen.append(kw["title"])
        return real(fig, out_path, **kw)

    monkeypatch.setattr(figures, "_finish", spy)
    attr = np.array([[0.3, 0.2, 0.1], [0.7, -0.2, 0.1]])  # each sums to 0.6 (delta 0)
    args = (attr, np.zeros(2), np.array(["s1", "s2"]), np.array(["ACC", "UVM"]),
            np.array(["ACC, risk 1.2", "UVM, risk 0.4"]), np.array(["A", "B", "C"]),
            tmp_path / "maps")
    _vector_maps(*args, compared="f(x) - f_frozen(baseline)", live=np.array([0.5, -0.6]))
    assert seen[0].splitlines()[-1] == "routing jump left out: 20.0% of the live f(x) - f(baseline)"
    assert seen[1].splitlines()[-1] == "routing jump left out: 200.0% of the live f(x) - f(baseline)"
    seen.clear()
    _vector_maps(*args)  # live routing: no jump to say
    assert not any("routing jump" in t for t in seen)
