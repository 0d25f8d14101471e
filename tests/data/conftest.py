"""Fixtures of the data tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The download tests' local server is reached directly, whatever proxy is set."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture()
def survival_join(tmp_path):
    """The survival join of five patients, one for each reason a sample has no survival or
    has it: 0001 and 0004 joined, 0002 empty cells, 0003 an event without a time, 0009 not in
    the table (:func:`genemoe.data.clinical.attach_survival`'s record)."""
    import pandas as pd

    from genemoe.data.clinical import attach_survival, read_clinical

    p = tmp_path / "j.tsv"
    p.write_text("bcr_patient_barcode\tOS\tOS.time\nTCGA-AA-0001\t1\t100\n"
                 "TCGA-AA-0002\t\t\nTCGA-AA-0003\t1\t\nTCGA-AA-0004\t0\t400\n")
    clinical, rep = read_clinical(p, said_on_join=True)
    obs = pd.DataFrame({"patient_id": ["TCGA-AA-0001", "TCGA-AA-0002", "TCGA-AA-0003",
                                       "TCGA-AA-0004", "TCGA-AA-0009"]})
    return attach_survival(obs, clinical, rep, "OS")
