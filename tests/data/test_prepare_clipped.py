"""A bundle counts the negatives clipped in its own samples (an outside probe).

pancan33's summary.json said ``n_values_clipped: 371`` beside ``n_samples: 990``: the count
was the whole file's (1,106 samples), 10 of them in the normals and metastases the bundle
dropped. The bundle's count is now ``n_values_clipped`` and the files' is named as such.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
from xena_files import gene_table

from genemoe.data.prepare import PrepareConfig, prepare_dataset

GENES = gene_table(40)


def test_negatives_of_dropped_samples_are_not_the_bundles(tmp_path: Path, caplog) -> None:
    x = np.random.default_rng(1).gamma(2.0, 300.0, (40, 12))
    x[0, :3], x[5, 2] = -0.2, -0.6  # 4 negatives: 1 in sample 0, 3 in samples 1-2
    cols = [f"TCGA-OR-{1000 + i:04d}-{'11' if i in (1, 2) else '01'}A" for i in range(12)]
    path = tmp_path / "TCGA_ACC_rsem.tsv.gz"
    with gzip.open(path, "wt") as fh:  # samples 1 and 2 are normals: not kept
        pd.DataFrame(x, index=pd.Index(GENES["id"], name="id"), columns=cols).to_csv(fh, sep="\t")
    with caplog.at_level("INFO", logger="genemoe.data.prepare"):
        b = prepare_dataset([path], out_path=tmp_path / "b",
                            config=PrepareConfig(min_variance=0, min_mean=0))
    assert b.n_samples == 10
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert summary["n_values_clipped"] == 1 and b.record["n_values_clipped"] == 1
    assert b.record["n_values_clipped_in_files"] == 4
    assert summary["n_values_clipped_in_files"] == 4  # the files' count, named as such
    wrote = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("wrote"))
    assert wrote.endswith("; 1 negative value clipped to 0 (4 in the files read, 3 of them in "
                          "samples not kept)"), wrote
