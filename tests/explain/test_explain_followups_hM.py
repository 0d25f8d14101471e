"""Probe hM, an outside probe of image models: (1) where no sample's output moved from the
reference (an xception trained one epoch), explain said "off by 0.00% ... at most 0.00%" and
ranked genes anyway, unwarned; (2) the pixel-sharing warning ended "fix: convergence.json",
the file holding the fix; (3) explain's lines passed 100 characters (its "drawn:" line ran to
116 with --max-steps equal to --n-steps); (4) an image map's pixels holding no gene were
drawn white, as the brightest grey."""

from __future__ import annotations

import json

import matplotlib.colors as mcolors
import numpy as np
import pytest

from genemoe.explain import figures
from genemoe.explain.api import explain_run
from genemoe.explain.convergence import pixel_warning_line
from genemoe.explain.integrated_gradients import convergence_summary
from genemoe.models.image import Layout, reshape_layout
from genemoe.text_wrap import WIDTH
from genemoe.train.model_file import load_model_file, save_model_file
from genemoe.workflows.train import train_run


@pytest.fixture(scope="module")
def fcn_and_constant(synthetic_bundle, tmp_path_factory):
    """An fcn trained one epoch, and a copy whose last layer is zeroed: the same output
    for every input. ``(bundle, run, constant_run)``."""
    b = synthetic_bundle(seed=4, n_samples=90, n_types=3)
    d = tmp_path_factory.mktemp("hM_runs")
    train_run(b.path, out_dir=d / "fcn", task="classify", model_name="fcn", epochs=1,
              progress=False)
    payload = load_model_file(d / "fcn")
    payload["state_dict"]["head.weight"].zero_()
    (d / "const").mkdir()
    save_model_file(d / "const" / "model.pt", payload)
    return b, d / "fcn", d / "const"


def test_no_moved_sample_is_said_as_not_measured_and_the_ranking_warned(fcn_and_constant,
                                                                         tmp_path):
    b, _, const = fcn_and_constant
    res = explain_run(const, data=b.path, out_dir=tmp_path / "e", method="ig", n_steps=4,
                      max_samples_per_class=3, max_maps=0, progress=False)
    text = res.describe()
    assert "off by 0.00%" not in text and "at most 0.00%" not in text, text
    assert "not measured" in text and "no sample's output moved from the reference" in text
    assert "the gene rankings below are noise, not meaningful" in text
    assert text.index("noise, not meaningful") < text.index(" (n=")  # before the genes
    conv = json.loads((tmp_path / "e" / "convergence.json").read_text())
    assert conv["n_measured"] == 0
    assert "does not move between the reference and the samples" in conv["completeness_warning"]
    assert "noise, not meaningful" in conv["completeness_warning"]


def test_a_moving_model_measures_every_sample_and_is_not_warned(fcn_and_constant, tmp_path):
    b, run, _ = fcn_and_constant
    res = explain_run(run, data=b.path, out_dir=tmp_path / "e", method="ig", n_steps=4,
                      max_samples_per_class=3, max_maps=0, progress=False)
    assert res.convergence["n_measured"] >= 1
    assert "completeness_warning" not in res.convergence
    assert "not measured" not in res.describe() and "off by" in res.describe()


def test_convergence_summary_counts_the_measured_samples():
    still = convergence_summary(np.zeros((3, 5)), np.zeros(3))
    assert still["n_measured"] == 0
    moved = convergence_summary(np.ones((3, 5)), np.full(3, 0.01))
    assert moved["n_measured"] == 3


def _fits(warning: str) -> bool:
    """Each line within 100 characters, the first beside the terminal's 'warning: '."""
    first, *rest = warning.splitlines()
    return len("warning: " + first) <= WIDTH and all(len(x) <= WIDTH for x in rest)


def test_the_pixel_warning_gives_the_fix_itself():
    layout = reshape_layout(120, image_size=6)  # 120 genes on 36 pixels
    line = pixel_warning_line(4, layout, 6)
    assert "fix: convergence.json" not in line
    assert "fix: --image-size 11 or more gives each its own" in line
    assert "convergence.json" in line and _fits(line), line
    sim = Layout(np.arange(120) // 4, 10, 10, "similarity")  # the longest advice: wrapped
    line = pixel_warning_line(4, sim, 32)
    assert "fix: the similarity layout puts genes with alike profiles" in line.replace("\n", " ")
    assert _fits(line), line


def test_every_line_fits_with_max_steps_equal_to_n_steps(fcn_and_constant, tmp_path,
                                                         monkeypatch):
    b, run, _ = fcn_and_constant
    monkeypatch.chdir(tmp_path)
    res = explain_run(run, data=b.path, out_dir="e", method="ig", baseline="zeros", n_steps=2,
                      max_steps=2, max_samples_per_class=2, max_maps=0, progress=False)
    text = res.describe()
    assert "drawn:" in text and "--max-samples-per-class" in text
    assert all(len(x) <= WIDTH for x in text.splitlines()[1:]), text
    n = res.convergence["refine"]["n_samples_above_tolerance"]
    assert n > 0 and f"    {n} above the 1% tolerance after 2 steps: --max-steps 2 is not" in text


def test_pixels_holding_no_gene_are_coloured_and_said(tmp_path, monkeypatch):
    seen: dict = {}
    finish = figures._finish

    def keep(fig, out_path, **kw):
        seen["fig"] = fig
        return finish(fig, out_path, **kw)

    monkeypatch.setattr(figures, "_finish", keep)
    empty = np.zeros((4, 4), bool)
    empty[3, 2:] = True  # two pixels hold no gene
    image = np.ma.masked_array(np.linspace(-1, 1, 16).reshape(4, 4), mask=empty)
    attr = np.ma.masked_array(np.linspace(1, -1, 16).reshape(4, 4), mask=empty)
    figures.attribution_map_figure(image, attr, tmp_path / "m.png", title="s")
    fig = seen["fig"]
    for ax in fig.axes[:2]:
        im = ax.images[0]  # the grey input under each panel
        rgba = im.to_rgba(image)[3, 3]
        assert rgba[3] == 1.0  # opaque: was transparent, white on the page
        assert not (rgba[0] == rgba[1] == rgba[2]), rgba  # not a grey (nor white)
        np.testing.assert_allclose(rgba[:3], mcolors.to_rgb(figures.NO_GENE_COLOR))
        said = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any("no gene" in t for t in said), said
    full = np.ma.masked_array(image.data, mask=np.zeros_like(empty))
    figures.attribution_map_figure(full, full, tmp_path / "f.png", title="s")
    assert seen["fig"].axes[0].get_legend() is None  # nothing blank: no legend
