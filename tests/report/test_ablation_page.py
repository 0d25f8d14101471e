"""``genemoe report`` on a finished ``genemoe ablation`` folder (it was refused: "a `genemoe
ablation` folder: `genemoe report` has no page for it")."""

from __future__ import annotations

import html
import re

import pytest
import yaml

from genemoe.report.html import report_kind, write_report
from genemoe.workflows.ablation import run_ablation
from tiny_configs import TINY_ABLATION_PRESET

OPTS = dict(n_folds=2, n_repeats=1, epochs=1, device="cpu", pretrain_per_fold=True)


@pytest.fixture(scope="module")
def ablations(synthetic_bundle, tmp_path_factory):
    """A classify and a survival ablation, each pre-trained per fold (one epoch: the
    pre-training collapses, and tables.md marks the pre-trained rows †)."""
    bundle = synthetic_bundle(seed=1)
    d = tmp_path_factory.mktemp("ablation_page")
    preset = d / "tiny.yaml"
    preset.write_text(yaml.safe_dump({**TINY_ABLATION_PRESET, "model": {
        **TINY_ABLATION_PRESET["model"], "vaecox": {"hidden": 32, "latent": 8}}}))
    return {task: run_ablation(bundle.path, task=task, out_dir=d / task, preset=str(preset),
                               n_boot=10, **OPTS).out_dir for task in ("classify", "survival")}


def _md_rows(md: str) -> list[list[str]]:
    """Every row (header included) of every Markdown table in ``md``, as cell texts."""
    return [line[2:-2].split(" | ") for line in md.splitlines()
            if line.startswith("| ") and not line.startswith("|---")]


def _html_rows(page: str) -> list[list[str]]:
    """Every table row of the page as the cell texts a reader sees."""
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def _text(page: str, sep: str = " ") -> str:
    """What a reader sees; ``sep`` between the elements (``""``: inline code runs on)."""
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", sep, page)))


@pytest.mark.parametrize("task", ["classify", "survival"])
def test_a_finished_ablation_has_a_page_with_tables_md_numbers(ablations, task):
    d = ablations[task]
    assert report_kind(d) == "ablation"
    md = (d / "tables.md").read_text()
    assert "†" in md and "SYNTHETIC DATA" in md  # a collapsed pre-training is recorded
    page = write_report(d).read_text()
    rows = _html_rows(page)
    for row in _md_rows(md):  # the paper's table and the paired comparisons, cell for cell
        assert row in rows, row
    text = _text(page)
    table = "Table III: classification" if task == "classify" else "Table II: survival"
    assert f"genemoe ablation — {table}" in text
    assert "SYNTHETIC DATA: every number on this page" in text
    inline = _text(page, sep="")
    for line in md.splitlines():  # its paragraphs and list items, said as tables.md says them
        if line and not line.startswith(("|", "#")):
            assert line.removeprefix("- ").replace("`", "") in inline, line
    first_screen = _text(page.split('<nav class="toc"')[0])
    assert "pre-trained Gene-MOE (genemoe, pre-trained per fold) †" in first_screen
    assert "† pre-trained Gene-MOE (genemoe, pre-trained per fold): pre-training collapsed" \
        in first_screen
    assert 'id="fig-ablation-folds"' in page and "data:image/png;base64," in page
    assert (d / "plots" / "ablation_folds.png").is_file()
    assert f"genemoe report {d / 'models'}" in text and f"genemoe report {d / 'pretrained'}" in text
    assert f"genemoe report {d / 'pretrain' / 'r0_f0'}" in text
    if task == "survival":  # an outside probe: neither tables.md nor the page named the
        assert "Endpoint OS; " in md  # endpoint or the samples the C-indices cover
        assert re.search(r"survival OS; \d+ of \d+ samples", first_screen), first_screen
    assert "† as in the table" in text  # the figure's caption: only where the table has one


def test_models_not_run_and_an_unmarked_table_are_said_as_they_are(ablations, tmp_path):
    """An outside probe: a classify ablation without pre-training read "models 4" (3 ran,
    the table lists the pre-trained one as not run) and its figure's caption said "† as in
    the table" of a table without one."""
    import shutil

    import pandas as pd

    from genemoe.workflows.ablation import PRETRAINED, ablation_tables

    d = tmp_path / "abl"
    shutil.copytree(ablations["classify"], d)
    res = pd.read_csv(d / "results.csv")
    res = res[~res["model"].str.endswith("_pretrained")]
    res.to_csv(d / "results.csv", index=False)
    (d / "tables.md").write_text(ablation_tables(res, "classify", n_folds=2, n_repeats=1, seed=0,
                                                 preset="tiny", pretrained=None, synthetic=True))
    assert PRETRAINED not in set(res["model"])
    text = _text(write_report(d).read_text())
    assert "models 3 (of the table's 4: the others not run)" in text
    assert "†" not in text


def test_the_ablation_page_escapes_what_it_reads(tmp_path):
    """A label or paragraph of tables.md is text on the page, never markup."""
    (tmp_path / "tables.md").write_text(
        "# Gene-MOE ablation — Table III: classification\n\nA <b>bold</b> & `code` line.\n\n"
        "| model | accuracy | precision (macro) | recall (macro) | F1 (macro) |\n"
        "|---|---|---|---|---|\n"
        "| <script>alert(1)</script> | 0.500 ± 0.066 | 0.1 | 0.2 | 0.3 |\n")
    (tmp_path / "results.csv").write_text(
        "model,label,repeat,fold,macro_f1\nfcn,<script>alert(1)</script>,0,0,0.3\n"
        "fcn,<script>alert(1)</script>,0,1,0.31\n")
    page = write_report(tmp_path).read_text()
    assert "<script>" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; <code>code</code> line." in page
    assert "SYNTHETIC DATA" not in page  # tables.md does not say it
    assert ["<script>alert(1)</script>", "0.500 ± 0.066", "0.1", "0.2", "0.3"] in _html_rows(page)
