"""A weights file is hashed once per contents (probeQ): a benchmark hashed a VGG-19 file
(550 MB) several times a call — the cells' fingerprint, the study key, the protocol and
every image cell each read it whole."""

from __future__ import annotations

import os

import genemoe.workflows.train_image as ti


def test_a_weights_file_is_hashed_once_until_it_changes(tmp_path, monkeypatch):
    w = tmp_path / "w.pt"
    w.write_bytes(b"first")
    calls = []
    real = ti.file_sha256
    monkeypatch.setattr(ti, "file_sha256", lambda p: calls.append(p) or real(p))
    first = [ti.weights_file_record(str(w))["sha256"] for _ in range(3)]
    assert len(calls) == 1 and len(set(first)) == 1
    w.write_bytes(b"other weights")  # overwritten: another size and mtime
    os.utime(w, ns=(1, 1))
    assert ti.weights_file_record(str(w))["sha256"] != first[0] and len(calls) == 2
