"""A run's page lists the explain / features folders found with it (:mod:`genemoe.report.linked`)
and linked each to the folder, never to the folder's own page: a reader opening it got a file
listing, and where `genemoe report FOLDER` had not been run nothing said it would write one.
:func:`report_pointer_html` links the page when there is one, else gives the command."""

from __future__ import annotations

import json
import os
import time

from genemoe.report.linked import find_linked_dirs, own_report, report_pointer_html


def _features(d, run) -> None:
    d.mkdir(parents=True)
    (d / "leading_features.tsv").write_text("rank\tlatent_index\n1\t0\n")
    (d / "summary.json").write_text(json.dumps({"run": {"path": str(run)}}))


def test_a_folder_with_its_page_is_linked_to_it(tmp_path):
    run = tmp_path / "runs" / "gm"
    run.mkdir(parents=True)
    _features(tmp_path / "runs" / "features", run)
    (tmp_path / "runs" / "features" / "report.html").write_text("<html></html>")
    (item,) = find_linked_dirs(run)
    assert own_report(item.path) == item.path / "report.html"
    assert report_pointer_html(item, run) == (
        'its page: <a href="../features/report.html">report.html</a>')


def test_a_folder_without_its_page_gets_the_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = tmp_path / "runs" / "gm"
    run.mkdir(parents=True)
    _features(tmp_path / "features dir" / "gm", run)  # explained as the README lays out
    (item,) = find_linked_dirs(run)
    assert own_report(item.path) is None
    assert report_pointer_html(item, run) == (
        "its page: <code>genemoe report &#x27;features dir/gm&#x27;</code> writes it")


def test_a_page_older_than_the_results_is_not_linked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = tmp_path / "gm"
    run.mkdir()
    _features(run / "features", run)
    page = run / "features" / "report.html"
    page.write_text("<html></html>")
    old = time.time() - 60
    os.utime(page, (old, old))  # the analysis written again after its page
    (item,) = find_linked_dirs(run)
    assert own_report(item.path) is None
    assert report_pointer_html(item, run) == (
        "its report.html is older than its results: <code>genemoe report gm/features</code> "
        "writes it anew")
