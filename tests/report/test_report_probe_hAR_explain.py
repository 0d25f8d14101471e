"""An explanation's page and damaged report inputs as an outsider meets them (probe hAR):
the top-genes table pooled per predicted class and the samples drawn said as the terminal
says them; a results file lacking a field or column refused in one line, not a traceback."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from genemoe.errors import InputError
from genemoe.report.damaged import damaged_error
from genemoe.report.html import write_report

ATTRIBUTED = "each sample's predicted class's output (logit), pooled per predicted class"


def _explanation(d, ranking: pd.DataFrame | None = None, samples: pd.DataFrame | None = None):
    """A small explanation folder of 4 test samples drawn of 40, at most 2 per predicted
    class, as `genemoe explain` writes one."""
    d.mkdir()
    if ranking is None:
        ranking = pd.DataFrame({"class": ["ACC", "ACC", "KICH"], "rank": [1, 2, 1],
                                "gene_id": ["E1", "E2", "E3"], "symbol": ["STAR", "CDH1", "KRT7"],
                                "mean_attribution": [0.5, 0.4, 0.6], "n_samples": [2, 2, 1]})
    ranking.to_csv(d / "genes_by_class.csv", index=False)
    (d / "convergence.json").write_text(json.dumps(
        {"task": "classify", "method": "train_ig", "n_samples": 3, "median_relative_delta": 0.01,
         "max_relative_delta": 0.02, "baseline": "training tumours", "group_by": "predicted",
         "attributed": ATTRIBUTED, "seed": 0,
         "drawn_from": {"n": 40, "split": "test", "cap_per_predicted_class": 2}}))
    if samples is not None:
        samples.to_csv(d / "samples.tsv", sep="\t", index=False)


def test_the_page_says_the_table_is_per_predicted_class_and_how_samples_were_drawn(tmp_path):
    """Old behaviour: the table's column was "class" (read as the true type), convergence.json's
    `attributed` was shown for --compare only, and the draw (3 of the test split's 40, at most
    2 per predicted class) and the classes ranked from one or two samples were terminal-only."""
    _explanation(tmp_path / "ex")
    page = write_report(tmp_path / "ex").read_text()
    assert "<th>predicted class</th>" in page
    assert "Attributed: each sample&#x27;s predicted class&#x27;s output (logit), pooled per " \
           "predicted class." in page
    assert "Samples: 3 of the test split&#x27;s 40, at most 2 per predicted class (a draw " \
           "seeded by --seed 0; --max-samples-per-class)." in page
    assert "Ranked from one or two samples, so rankings of those samples, not of the class: " \
           "ACC, KICH." in page


def test_a_ranking_without_its_columns_is_refused_naming_the_file(tmp_path):
    """Old behaviour: a genes_by_class.csv without gene_id ended in KeyError: 'gene_id'."""
    _explanation(tmp_path / "ex", ranking=pd.DataFrame({"a": [1], "b": [2]}))
    with pytest.raises(InputError, match=r"genes_by_class\.csv: no column class, rank, "
                                         r"gene_id, n_samples \(it has a, b\)"):
        write_report(tmp_path / "ex")


def test_a_samples_table_without_sample_id_is_refused_naming_the_file(tmp_path):
    """Old behaviour: KeyError: "None of ['sample_id'] are in the columns" (a traceback)."""
    _explanation(tmp_path / "ex", samples=pd.DataFrame({"a": [1], "b": [2]}))
    (tmp_path / "ex" / "maps").mkdir()
    (tmp_path / "ex" / "maps" / "S1.png").write_bytes(b"")
    with pytest.raises(InputError, match=r"samples\.tsv: no column sample_id"):
        write_report(tmp_path / "ex")


def test_a_results_file_lacking_a_field_is_one_error_naming_the_folder_and_field(tmp_path):
    """Old behaviour: a metrics.json without per_class, a protocol.json without n_repeats:
    damaged_error found no unparsable file and gave the KeyError back (a traceback)."""
    (tmp_path / "metrics.json").write_text(json.dumps({"val": {}, "test": {}}))
    err = damaged_error([tmp_path], KeyError("per_class"))
    assert isinstance(err, InputError)
    assert str(err).startswith(f"{tmp_path / 'metrics.json'}: no field 'per_class'")  # the
    assert "fix: copy the folder again, or re-run the command that wrote it" in str(err)  # one
    other = tmp_path / "run"  # JSON file here (test_text_probe_hBE_record.py); of several
    other.mkdir()  # lacking it, the folder is named
    (other / "summary.json").write_text(json.dumps({"n": 1}))
    assert f"a file here or in {other} lacks 'n_repeats'" in str(
        damaged_error([tmp_path, other], KeyError("n_repeats")))
    pd.DataFrame({"a": [1]}).to_csv(tmp_path / "samples.tsv", sep="\t", index=False)
    col = damaged_error([tmp_path], KeyError("None of ['sample_id'] are in the columns"))
    assert str(col).startswith(f"{tmp_path / 'samples.tsv'}: no column 'sample_id'")
    bug = TypeError("unsupported operand")  # not a damaged file: given back as it is
    assert damaged_error([tmp_path], bug) is bug


def test_the_short_table_beside_a_run_is_headed_by_predicted_class_too(tmp_path):
    """Old behaviour: the top-genes table a run's page shows of an explanation beside it
    was headed "class", read as the true type."""
    from genemoe.report.explanation_section import top_genes_table

    _explanation(tmp_path / "ex")
    assert "<th>predicted class</th>" in top_genes_table(tmp_path / "ex")
