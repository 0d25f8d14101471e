"""prepare's labels: empty label columns, label tables of other samples, tiny classes."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.errors import InputError
from synthetic_inputs import small_counts_file

_counts = small_counts_file


def _barcodes(tss: str, n: int) -> list[str]:
    return [f"TCGA-{tss}-{i:04d}-01A-11R-A000-07" for i in range(n)]


def test_an_empty_label_column_is_counted_said_and_raises_no_pandas_warning(tmp_path):
    """Old behaviour (an outside probe): a label table whose cancer-type column is empty,
    with --cancer-type, printed pandas' "FutureWarning: Setting an item of incompatible
    dtype" (pandas 3 will raise), and the empty labels were not counted or said."""
    ids = _barcodes("OR", 12)
    expr = _counts(tmp_path / "base.tsv", ids)
    (tmp_path / "lab_empty.tsv").write_text("sample\tcancer_type\n" + "".join(f"{s}\t\n" for s in ids))
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        b = prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[tmp_path / "lab_empty.tsv"],
                            config=PrepareConfig(cancer_type="ACC"))
    assert set(b.obs["cancer_type"]) == {"ACC"}
    step = next(s for s in b.record["steps"] if s["step"] == "labels")
    assert step["label_rows_without_cancer_type"] == {"lab_empty.tsv": 12}
    assert step["sources"] == {"--cancer-type": 12}
    said = [w for w in b.record["warnings"] if w.startswith("lab_empty.tsv: 12 of its 12 rows have an empty cancer type")]
    assert said and said == [w for w in b.summary["warnings"] if w.startswith("lab_empty.tsv")]


def test_a_label_table_of_other_samples_beside_ones_that_name_them_is_named_to_leave_out(tmp_path):
    """Old behaviour (an outside probe): with several --labels files (the GDC's *_Target
    files of six cohorts) and the expression of two, the refusal's fix said "pass the label
    table of these samples, or name its sample column with --sample-column": it was passed,
    and the column was right. It names the tables to leave out now."""
    uvm, dlbc = _barcodes("VD", 8), _barcodes("FA", 8)
    expr = [_counts(tmp_path / "TCGA_UVM_Counts.tsv", uvm), _counts(tmp_path / "TCGA_DLBC_Counts.tsv", dlbc, 1)]
    labels = {}
    for name, ids, code in (("UVM", uvm, "UVM (TCGA)"), ("DLBC", dlbc, "DLBC (TCGA)"),
                            ("ACC", _barcodes("OR", 5), "ACC (TCGA)"), ("KICH", _barcodes("KL", 5), "KICH (TCGA)")):
        labels[name] = tmp_path / f"TCGA_{name}_Target.txt"
        pd.DataFrame({"Sample_name": ids, "Target": code}).to_csv(labels[name], sep="\t", index=False)
    with pytest.raises(InputError) as info:
        prepare_dataset(expr, out_path=tmp_path / "b", label_paths=list(labels.values()))
    msg = str(info.value)
    assert "2 of the 4 --labels tables name no sample of the expression" in msg
    assert "fix: leave TCGA_ACC_Target.txt, TCGA_KICH_Target.txt out of --labels" in msg
    assert "--sample-column" not in msg
    with pytest.raises(InputError) as one:
        prepare_dataset(expr[:1], out_path=tmp_path / "c", label_paths=[labels["UVM"], labels["ACC"]])
    assert str(one.value).startswith(f"{labels['ACC']}: none of its 5 sample ids names a sample")
    assert "while the other --labels table names the expression's samples (8 of its ids)" in str(one.value)
    assert "leave TCGA_ACC_Target.txt out of --labels" in str(one.value)
    b = prepare_dataset(expr, out_path=tmp_path / "d", label_paths=[labels["UVM"], labels["DLBC"]])
    assert b.summary["cancer_types"] == {"UVM": 8, "DLBC": 8}


def test_nothing_left_counts_samples_in_small_classes_in_words(tmp_path):
    """Old behaviour (an outside probe): "dropped: 40 class with fewer than 25 samples"."""
    expr = _counts(tmp_path / "TCGA_ACC_Counts.tsv", _barcodes("OR", 6))
    with pytest.raises(InputError) as info:
        prepare_dataset([expr], out_path=tmp_path / "b", config=PrepareConfig(min_class_size=25))
    assert "(dropped: 6 in a class with fewer than 25 samples)" in str(info.value)
    assert "--min-class-size" in str(info.value)


def test_labels_contradicting_the_cohort_or_the_clinical_acronym_are_warned(tmp_path):
    """Old behaviour (an outside probe): a label table marking 3 ACC patients as UVM passed
    unsaid, though their file was TCGA_ACC_... and the clinical table's acronym said ACC."""
    acc = _barcodes("OR", 10)
    expr = _counts(tmp_path / "TCGA_ACC_Counts.tsv", acc)
    labels = tmp_path / "labels.tsv"
    pd.DataFrame({"sample": acc, "cancer_type": ["UVM"] * 3 + ["ACC"] * 7}).to_csv(
        labels, sep="\t", index=False)
    clinical = tmp_path / "clinical.tsv"
    pd.DataFrame({"bcr_patient_barcode": [s[:12] for s in acc], "type": "ACC",
                  "OS": [1, 0] * 5, "OS.time": range(100, 1100, 100)}).to_csv(
        clinical, sep="\t", index=False)
    b = prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[labels],
                        clinical_path=clinical, config=PrepareConfig(min_class_size=1))
    step = next(s for s in b.record["steps"] if s["step"] == "labels")
    assert step["labels_disagreeing"] == {"clinical table": 3, "cohort name": 3}
    said = [w for w in b.summary["warnings"] if "labelled with another type than the" in w]
    assert len(said) == 2 and "e.g. TCGA-OR-0000-01A-11R-A000-07 UVM (there ACC)" in said[0]
    assert b.obs["cancer_type"].value_counts().to_dict() == {"ACC": 7, "UVM": 3}  # kept
    from genemoe.data.prep_text import step_line

    assert ("; labelled with another type than the clinical table gives: 3, cohort name "
            "gives: 3") in step_line("labels", step)


def test_two_aliquots_of_other_types_matching_a_sample_are_refused(tmp_path):
    """A helper's note: a sample matched by its 15-character id to two label rows of
    different types took the first row's type, unsaid (predict now refuses it too)."""
    ids = _barcodes("OR", 6)
    expr = _counts(tmp_path / "e.tsv", ids)
    rows = [(s.replace("-11R-", "-21R-"), "ACC") for s in ids]  # other aliquots of each
    rows += [(ids[0].replace("-11R-", "-31R-"), "UVM")]  # ... and one typed otherwise
    labels = tmp_path / "labels.tsv"
    pd.DataFrame(rows, columns=["sample", "cancer_type"]).to_csv(labels, sep="\t", index=False)
    with pytest.raises(InputError, match=r"(?s)sample TCGA-OR-0000-01A-11R-A000-07: its label "
                       r"is ambiguous.*ACC.*UVM.*list the exact sample ids"):
        prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[labels],
                        config=PrepareConfig(min_class_size=1))
    pd.DataFrame(rows[:-1], columns=["sample", "cancer_type"]).to_csv(labels, sep="\t", index=False)
    b = prepare_dataset([expr], out_path=tmp_path / "c", label_paths=[labels],
                        config=PrepareConfig(min_class_size=1))
    assert set(b.obs["cancer_type"]) == {"ACC"}  # agreeing aliquots: as before


def test_a_bad_label_table_is_refused_before_any_expression_file_is_read(tmp_path, monkeypatch):
    """Old behaviour (note49): label tables were read after every expression file, so a
    label table naming no label column was refused only after minutes of reading a large
    matrix. Now they are read (and refused) first, as the clinical table was."""
    import genemoe.data.prepare as prep

    expr = _counts(tmp_path / "base.tsv", _barcodes("OR", 4))
    (tmp_path / "lab.tsv").write_text("sample\tcancer_type\tacronym\nTCGA-OR-0000-01\tACC\tACC\n")

    def _no_read(*args, **kwargs):
        raise AssertionError("an expression file was read before the label table was checked")

    monkeypatch.setattr(prep, "read_expression", _no_read)
    with pytest.raises(InputError, match="--label-column"):
        prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[tmp_path / "lab.tsv"])
