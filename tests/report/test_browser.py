"""report.html in a real browser: headless Chromium renders it, and the first screen is the answer.

The HTML tests in ``test_report.py`` check the page's text and that its images are embedded
PNGs; these check that a browser actually draws the page and its figures, and that in a
1280 × 900 window the summary panel (headline numbers, thumbnail) sits on the first screen
and every in-page link of the table of contents lands on an id. They need the
Debian package ``chromium`` (``make test`` installs it when it can: ``make browser``) and is
skipped, saying why, when ``chromium`` is not on PATH.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import matplotlib.image as mpimg
import numpy as np
import pytest

from genemoe.report.html import write_report
from genemoe.workflows.benchmark import run_benchmark
from genemoe.workflows.train import train_run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
WIDTH, HEIGHT = 1200, 2000
FULL_HEIGHT = 8000  # taller than the whole test report (about 4,900 px before the per-fold
#                    choices and tuning cost joined the benchmark page on 2026-12-03)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium not on PATH (Debian: `apt-get install chromium`, or `make browser` as root)")


def _chromium(html_path, out_dir, *args: str, width: int = WIDTH,
              height: int = HEIGHT) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={out_dir / 'profile'}",
           *args, f"--window-size={width},{height}", html_path.resolve().as_uri()]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"chromium did not finish within {e.timeout} s: {cmd}")


def _screenshot(html_path, out_dir, *, height: int = HEIGHT, width: int = WIDTH) -> np.ndarray:
    """Render ``html_path`` in headless Chromium; the screenshot as a ``(height, width, 3)`` uint8 array."""
    png = out_dir / f"screenshot_{html_path.stem}_{width}x{height}.png"
    r = _chromium(html_path, out_dir, f"--screenshot={png}", width=width, height=height)
    assert png.exists(), f"no screenshot (rc {r.returncode}):\n{r.stderr[-3000:]}"
    assert png.read_bytes()[:8] == PNG_MAGIC
    img = mpimg.imread(png)
    assert img.ndim == 3 and img.shape[2] in (3, 4)
    assert img.shape[:2] == (height, width)  # the requested window, not an empty or clipped page
    return (img[..., :3] * 255).round().astype(np.uint8)  # imread gives floats in [0, 1]


def _coloured(img: np.ndarray) -> float:
    """Share of strongly coloured pixels. The page's own styling is grey on white (its one
    colour, the synthetic-data banner #fff3cd, has saturation 0.2), so these come from the
    figures: the Blues confusion matrix, the blue F1 bars, the orange box-plot points.
    (Saturation max − min of R, G, B above 0.3, i.e. 76 of 255.)"""
    return float((img.max(axis=2).astype(np.int16) - img.min(axis=2) > 76).mean())


@pytest.fixture(scope="module")
def report(synthetic_bundle, tmp_path_factory):
    d = tmp_path_factory.mktemp("browser")
    b = synthetic_bundle()  # the default, shared (cached) with other tests
    run_benchmark(b.path, task="classify", models=["logreg"], n_folds=2, out_dir=d / "bench")
    return write_report(d / "bench")


def test_first_screen_is_not_blank(report, tmp_path):
    img = _screenshot(report, tmp_path)  # 1200 x 2000: title, banner, data, protocol, metrics
    assert img.std() > 12, f"screenshot is nearly uniform (std {img.std():.1f} of 255)"
    non_white = (img.min(axis=2) < 230).mean()
    assert non_white > 0.01, f"only {non_white:.2%} of the screenshot is not white"
    dark = (img.max(axis=2) < 77).mean()
    assert dark > 0.001, f"no text drawn ({dark:.3%} dark pixels)"
    banner = np.all(np.abs(img.astype(np.int16) - [0xFF, 0xF3, 0xCD]) <= 5, axis=2).mean()
    assert banner > 0.005, f"the stylesheet was not applied: {banner:.3%} banner-coloured pixels"


def test_embedded_figures_are_drawn(report, tmp_path):
    """The whole page (figures start below the first 2,000 px), against the same page with
    its <img> elements removed as the control."""
    img = _screenshot(report, tmp_path, height=FULL_HEIGHT)
    assert (img[-200:].min(axis=2) > 247).all(), "page taller than the window: raise FULL_HEIGHT"
    coloured = _coloured(img)
    assert coloured > 0.005, f"figures not drawn: {coloured:.3%} coloured pixels"
    rgb = img.astype(np.int32)
    colours = np.unique(rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2])
    assert len(colours) > 200, f"only {len(colours)} distinct colours: figures not drawn?"

    stripped = tmp_path / "no_images.html"
    stripped.write_text(re.sub(r"<img [^>]*>", "", report.read_text()))
    control = _screenshot(stripped, tmp_path, height=FULL_HEIGHT)
    assert _coloured(control) < 0.003  # the table of contents' blue links, nothing else
    assert coloured > 10 * max(_coloured(control), 1e-4)


# --------------------------------------------------------------------------- the first screen
SCREEN_W, SCREEN_H = 1280, 900
_PROBE = """<script>
window.addEventListener("load", () => {
  const panel = document.getElementById("summary"), box = panel.getBoundingClientRect();
  const ids = new Set([...document.querySelectorAll("[id]")].map(e => e.id));
  const links = [...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute("href").slice(1));
  const thumb = panel.querySelector("img"), tb = thumb ? thumb.getBoundingClientRect() : null;
  const out = {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
               text: panel.innerText, links: links, broken: links.filter(h => !ids.has(h)),
               thumb: tb && {top: tb.top, bottom: tb.bottom, width: tb.width, loaded: thumb.naturalWidth}};
  const pre = document.createElement("pre"); pre.id = "probe";
  pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script>"""


def _layout(html_path, out_dir) -> dict:
    """The summary panel's box, text and thumbnail, and the in-page links, as Chromium lays
    out ``html_path`` in a 1280 × 900 window (a probe script added to a copy of the page)."""
    probed = out_dir / f"probe_{html_path.parent.name}.html"
    probed.write_text(html_path.read_text().replace("</body>", _PROBE + "</body>"))
    r = _chromium(probed, out_dir, "--dump-dom", width=SCREEN_W, height=SCREEN_H)
    m = re.search(r'<pre id="probe">(.*?)</pre>', r.stdout, flags=re.S)
    assert m, f"the probe did not run (rc {r.returncode}):\n{r.stderr[-2000:]}"
    import html as html_lib

    return json.loads(html_lib.unescape(m.group(1)))


@pytest.fixture(scope="module")
def run_report(synthetic_bundle, tmp_path_factory):
    d = tmp_path_factory.mktemp("browser_run")
    train_run(synthetic_bundle().path, out_dir=d / "run", task="classify", model_name="logreg",
              progress=False)
    return write_report(d / "run")


@pytest.mark.parametrize("kind", ["run", "benchmark"])
def test_first_screen_holds_the_summary_panel(kind, run_report, report, tmp_path):
    html_path = run_report if kind == "run" else report
    lay = _layout(html_path, tmp_path)
    assert 0 <= lay["top"] and lay["bottom"] <= SCREEN_H, lay  # the whole panel on screen one
    assert 0 <= lay["left"] and lay["right"] <= SCREEN_W, lay
    assert lay["thumb"] and lay["thumb"]["bottom"] <= SCREEN_H and lay["thumb"]["loaded"] > 0
    assert lay["thumb"]["width"] >= 200  # a thumbnail one can read a diagonal off
    text = lay["text"]
    if kind == "run":
        test = json.loads((html_path.parent / "metrics.json").read_text())["test"]
        expected = [f"{test['accuracy']:.3f}", f"{test['macro_f1']:.3f}", "Wilson 95%"]
    else:
        import pandas as pd

        res = pd.read_csv(html_path.parent / "results.csv")
        expected = [f"{res['macro_f1'].mean():.3f}", "cross-validation"]
    assert all(e in text for e in expected), (expected, text)
    assert "synthetic" in text
    assert not lay["broken"] and {"data", "metrics", "figures"} <= set(lay["links"])
    # pixels: the panel's background is drawn within its box and the thumbnail is coloured
    img = _screenshot(html_path, tmp_path, height=SCREEN_H, width=SCREEN_W)
    top, bottom = int(lay["top"]) + 2, int(lay["bottom"]) - 2
    panel_bg = np.all(np.abs(img[top:bottom].astype(np.int16) - [0xF6, 0xF8, 0xFA]) <= 2, axis=2)
    assert panel_bg.mean() > 0.2, f"panel background on {panel_bg.mean():.1%} of its rows"
    assert _coloured(img[top:bottom]) > 0.002  # the confusion-matrix thumbnail, drawn
