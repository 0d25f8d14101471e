"""``prepare --gdc-dir cart.tar.gz`` says to extract the archive first.

Old behaviour: "a file, not the portal's download folder ... point --gdc-dir at the folder
gdc-client downloaded into", which left a user holding the portal's cart archive guessing.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from label_cli import flat


@pytest.mark.parametrize(("name", "command"), [("gdc_download_2026.tar.gz", "tar xf"),
                                               ("cart.zip", "unzip")])
def test_an_archive_given_as_gdc_dir_is_told_to_be_extracted(tmp_path, monkeypatch, name,
                                                             command):
    monkeypatch.chdir(tmp_path)
    sheet = tmp_path / "gdc_sample_sheet.tsv"
    sheet.write_text("File ID\tFile Name\n")
    archive = tmp_path / name
    archive.write_bytes(b"\x1f\x8b\x08\x00")
    r = subprocess.run([sys.executable, "-m", "genemoe.cli", "prepare", "--gdc-dir", str(archive),
                        "--sample-sheet", str(sheet), "--out", str(tmp_path / "b")],
                       capture_output=True, text=True, timeout=300)
    err = flat(r.stderr)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert f"extract it first ({command} {name})" in err and "--gdc-dir" in err
