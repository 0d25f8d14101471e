"""``genemoe report`` on a ``genemoe features`` folder (it was refused: "`genemoe features`
folders have no page of their own")."""

from __future__ import annotations

import html
import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.errors import InputError
from genemoe.report.feature_plots import feature_figures
from genemoe.report.features_page import TOP_ROWS
from genemoe.report.html import report_kind, write_report
from genemoe.report.html_parts import cell_text, column_decimals
from genemoe.workflows.features import analyse_features
from genemoe.workflows.pretrain import pretrain_run
from tiny_configs import TINY_GENEMOE


def _text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def feat(synthetic_bundle, tmp_path_factory):
    """A real `genemoe features` folder: a tiny pre-training, analysed and drawn as the
    command does (its summary.json then lists the figures)."""
    bundle = synthetic_bundle(seed=3, clinical=False)
    d = tmp_path_factory.mktemp("features_page")
    cfg = d / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"genemoe": TINY_GENEMOE}, "pretrain": {
        "epochs": 2, "batch_size": 32, "n_critic": 1, "critic_widths": [8]}}))
    run = pretrain_run([bundle.path], out_dir=d / "run", config_path=cfg, seed=0, device="cpu",
                       progress=False)
    out = d / "feat"
    result = analyse_features(run.out_dir, data=bundle.path, out_dir=out, n_features=5,
                              threshold=0.2, device="cpu")
    result.summary["figures"] = [str(p) for p in feature_figures(out)]
    return out


def _copy(feat, tmp_path):
    shutil.copytree(feat, tmp_path / "f", ignore=shutil.ignore_patterns("report.html", "plots"))
    return tmp_path / "f"


def test_a_features_folder_has_a_page_with_its_numbers_genes_and_figures(feat, tmp_path):
    d = _copy(feat, tmp_path)
    assert report_kind(d) == "features"
    page = write_report(d).read_text()
    text = _text(page)
    s = json.loads((d / "summary.json").read_text())
    assert "genemoe features — genemoe (pretrain run, test split)" in text
    assert "SYNTHETIC DATA" in text and s["synthetic"]
    from genemoe import __version__  # summary.json did not record it: "not recorded"

    assert s["genemoe_version"] == __version__ and "genemoe (features)" in text
    assert "not recorded" not in text
    # the first screen: the run, the bundle, the split and its samples
    # old: "a genemoe pretrain run of genemoe : PATH" (the tool's name read as the model's)
    assert f"a genemoe pretrain run (model genemoe ): {s['run']['path']}" in text
    assert f"the test split's {s['n_samples']} samples × {s['n_genes']} genes of the run" in text
    assert f"strong genes {s['n_strong_genes']} mean |r| > {s['threshold']}" in text
    mix = s["reconstruction"]["mixing"]
    assert f"k-NN mixing, gene space {mix['gene_space']['score']:.3f}" in text
    # the summary's numbers, each as summary.json has it (4 significant digits)
    numbers = page.split("The numbers (summary.json)</h3>")[1].split("</table>")[0]
    for key in ("n_samples", "n_genes", "latent", "n_features", "threshold", "n_strong_genes",
                "mean_abs_r_all_genes", "n_heatmap_genes", "split", "seed"):
        assert f"<tr><th>{key}</th><td>{cell_text(s[key])}</td></tr>" in numbers, key
    mixing = page.split("k-NN mixing</h3>")[1].split("</table>")[0]
    dec = column_decimals(np.array([m["score"] for m in mix.values()], dtype=float))
    for space, m in mix.items():  # one number of decimals per column
        assert re.sub(r"\s+", " ", mixing).count(
            f"<td>{space}</td> <td>{m['score']:,.{dec}f}</td>") == 1
    dec = column_decimals(np.array(s["leading_variance"], dtype=float))
    for i, v in zip(s["leading_features"], s["leading_variance"], strict=True):
        assert f"<td>z{i}</td>\n      <td>{v:,.{dec}f}</td>" in page
    # the strongest genes, with symbols, in strong_genes.tsv's order
    strong = pd.read_csv(d / "strong_genes.tsv", sep="\t", dtype={"gene_id": str, "symbol": str})
    assert len(strong) == s["n_strong_genes"] > 0
    genes = page.split("Strongest genes</h3>")[1].split("</table>")[0]
    rows = re.findall(r"<td>(\d+)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>",
                      genes)
    assert len(rows) == min(TOP_ROWS, len(strong))
    for (rank, sym, gid, r), want in zip(rows, strong.itertuples(), strict=False):
        assert (rank, sym, gid, r) == (str(want.Index + 1), want.symbol, want.gene_id,
                                       f"{want.mean_abs_r:.3f}")  # 3 fixed (hW)
    # the figures genemoe features drew, embedded as they are (and the heat map's thumbnail)
    assert [p.rsplit("/", 1)[-1] for p in s["figures"]] == ["correlation_heatmap.png",
                                                             "real_vs_reconstructed_tsne.png"]
    assert page.count("data:image/png;base64,") == len(s["figures"]) + 1
    assert not (d / "plots").exists()  # nothing redrawn
    for note in s["notes"]:  # every note (a collapsed pre-training's warning among them)
        assert " ".join(note.split()) in text
    for name in ("strong_genes.tsv", "gene_correlation.tsv", "latent_gene_correlation.npy",
                 "embedding_tsne.tsv"):
        assert str(d / name) in text


def test_the_page_escapes_what_it_reads_and_warns_of_a_collapse(feat, tmp_path):
    d = _copy(feat, tmp_path)
    s = json.loads((d / "summary.json").read_text())
    s["notes"] = ["the pre-training collapsed (<script>alert(1)</script>): read its features "
                  "with care"]
    s["run"]["model_name"] = "gm<i>&"
    (d / "summary.json").write_text(json.dumps(s))
    strong = pd.read_csv(d / "strong_genes.tsv", sep="\t", dtype=str, keep_default_na=False)
    strong.loc[0, "symbol"] = "<b>X&Y</b>"
    strong.to_csv(d / "strong_genes.tsv", sep="\t", index=False)
    page = write_report(d).read_text()
    assert "<script>" not in page and "<b>X" not in page and "gm<i>" not in page
    assert "<td>&lt;b&gt;X&amp;Y&lt;/b&gt;</td>" in page
    assert "Strongest: &lt;b&gt;X&amp;Y&lt;/b&gt; (" in page
    assert ("<strong>WARNING:</strong> the pre-training collapsed (&lt;script&gt;alert(1)"
            "&lt;/script&gt;)") in page
    assert "<title>genemoe features — gm&lt;i&gt;&amp; (pretrain run, test split)</title>" in page


def test_missing_or_damaged_files_are_said_on_the_page(feat, tmp_path):
    d = _copy(feat, tmp_path)
    (d / "real_vs_reconstructed_tsne.png").unlink()
    png = d / "correlation_heatmap.png"
    png.write_bytes(png.read_bytes()[:500])  # cut short
    (d / "strong_genes.tsv").unlink()
    text = _text(write_report(d).read_text())
    assert "real_vs_reconstructed_tsne.png is listed in summary.json but not in the folder" in text
    assert "correlation_heatmap.png is cut short or damaged (not embedded)" in text
    assert "strong_genes.tsv is missing: the 10 genes with the highest mean |r| as summary.json" in text
    assert "strong_genes.tsv genes above the threshold (tab-separated) MISSING" in text
    top = json.loads((d / "summary.json").read_text())["top_genes"][0]
    assert f"1 {top['symbol']} {top['gene_id']} {top['mean_abs_r']:.3f}" in text  # 3 fixed (hW)


def test_a_strong_genes_table_cut_short_and_no_decoder_are_said(feat, tmp_path):
    d = _copy(feat, tmp_path)
    strong = pd.read_csv(d / "strong_genes.tsv", sep="\t", dtype=str)
    strong.head(1).to_csv(d / "strong_genes.tsv", sep="\t", index=False)
    s = json.loads((d / "summary.json").read_text())
    s.update(reconstruction=None, figures=[])  # a `genemoe train` run's analysis: no decoder
    (d / "summary.json").write_text(json.dumps(s))
    (d / "real_vs_reconstructed_tsne.png").unlink()
    text = _text(write_report(d).read_text())
    assert (f"1 gene has a mean |r| above 0.2 over the leading features (strong_genes.tsv); "
            f"summary.json says {s['n_strong_genes']}: strong_genes.tsv may be cut short") in text
    assert "No reconstruction: the run's model has no decoder" in text


def test_an_unfinished_or_damaged_features_folder_is_said_to_be_one(feat, tmp_path):
    d = _copy(feat, tmp_path)
    (d / "summary.json").write_text('{"run": {"path": ')  # cut short
    with pytest.raises(InputError, match=r"summary.json: cut short or damaged"):
        write_report(d)
    (d / "summary.json").unlink()  # interrupted before its last file
    with pytest.raises(InputError) as info:
        report_kind(d)
    assert "an unfinished `genemoe features` folder (no summary.json" in str(info.value)
    assert "run the same `genemoe features` command again" in info.value.fix


def test_the_cli_reports_a_features_folder(feat, tmp_path):
    d = _copy(feat, tmp_path)
    r = CliRunner().invoke(app, ["report", str(d)])
    assert r.exit_code == 0, r.output
    assert (d / "report.html").is_file() and "wrote" in r.output


def test_the_seed_is_shown_as_given_not_as_a_count(feat, tmp_path):
    """Old behaviour: the page's seed went through the count formatter: 20240 read "20,240"."""
    d = _copy(feat, tmp_path)
    summary = json.loads((d / "summary.json").read_text())
    (d / "summary.json").write_text(json.dumps({**summary, "seed": 20240}))
    text = _text(write_report(d).read_text())
    i = text.find("embedding seed")
    assert i >= 0 and text[i:i + 21] == "embedding seed 20240 ", text[i - 40:i + 60]
    j = text.find("20,240")
    assert j < 0, text[j - 80:j + 40]
