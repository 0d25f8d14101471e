"""Negative values in log2(x + 1)-scale data passed through (``none``): kept as they are,
counted (values, samples) in the normalise step, and warned of once with an example sample;
a large share of them is said as a centred file instead.

Old behaviour (outside probe): a log2(TPM + 1) file with 200 cells of -0.5 passed
``prepare`` without a word, its record silent too.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.data.normalise import normalise_values
from genemoe.data.prepare import PrepareConfig, prepare_dataset

SAMPLES = np.array([f"TCGA-AA-{i:04d}-01A" for i in range(8)], dtype=object)


def _log_values(seed: int = 0) -> np.ndarray:
    """samples × genes log2(TPM + 1)-like values (non-integer, within [0, 12])."""
    return np.log2(np.random.default_rng(seed).gamma(0.7, 60, (len(SAMPLES), 300)) + 1).astype(np.float32)


def test_a_few_negatives_are_counted_and_warned_of_once(caplog):
    x = _log_values()
    x[2, :40], x[5, :3] = -0.5, -0.25
    with caplog.at_level(logging.WARNING, logger="genemoe.data.normalise"):
        out, notes = normalise_values(x, "none", value_kind="log", source=Path("d/log2tpm.tsv"),
                                      sample_ids=SAMPLES)
    np.testing.assert_array_equal(out, x)  # kept as they are
    assert notes["negative_values_kept"] == 43 and notes["samples_with_negative_values"] == 2
    said = [r.getMessage() for r in caplog.records]
    assert said == ["log2tpm.tsv: 43 negative value(s) in 2 sample(s) of log-scale data (e.g. sample "
                    f"{SAMPLES[2]!r}: 40, minimum -0.5), which log2(x + 1) of x >= 0 cannot give: kept "
                    "as they are; check how the file was made (an offset, a batch correction?)"]


def test_a_centred_file_is_said_as_one(caplog):
    x = _log_values()
    x = (x - np.median(x, axis=0)) / 12  # centred per gene, within (-1, 1): still "log" scale
    with caplog.at_level(logging.WARNING, logger="genemoe.data.normalise"):
        _, notes = normalise_values(x, "none", value_kind="log", source="c.tsv")
    share = float(np.mean(x < 0))
    assert share > 0.3
    assert notes["negative_values_kept"] == int((x < 0).sum())
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and said[0].startswith(f"c.tsv: {100 * share:.0f}% of the log-scale values "
                                                 "are negative: the file looks centred")


def test_no_negatives_and_transformed_data_say_nothing(caplog):
    x = _log_values()
    with caplog.at_level(logging.WARNING, logger="genemoe.data.normalise"):
        _, plain = normalise_values(x, "none", value_kind="log")
        _, moved = normalise_values(x - 5, "none", value_kind="transformed")
    assert plain == moved == {"method": "none"} and not caplog.records


def test_prepare_records_and_warns_them(tmp_path):
    x = _log_values(1)
    x[3, :25] = -0.5
    genes = [f"ENSG{i:011d}" for i in range(x.shape[1])]
    path = tmp_path / "TCGA_ACC_log2tpm.tsv"
    pd.DataFrame(x.T, index=genes, columns=SAMPLES).rename_axis("gene_id").round(4).to_csv(path, sep="\t")
    b = prepare_dataset([path], out_path=tmp_path / "b", config=PrepareConfig(min_variance=0, min_mean=0))
    step = next(s for s in b.record["steps"] if s["step"] == "normalise")
    assert (step["negative_values_kept"], step["samples_with_negative_values"]) == (25, 1)
    assert any(w.startswith(f"{path.name}: 25 negative value(s) in 1 sample(s)") and SAMPLES[3] in w
               for w in b.record["warnings"])
    assert float(b.X.min()) == -0.5  # kept as they are
