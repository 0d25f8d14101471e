"""An outside tester's (FF's) findings with PrepareConfig from Python: ``drop_unlabelled="no"``
was taken as true (the unlabelled samples were dropped, the record said "no"), and
``label_column=5``, ``cancer_type=["BRCA"]``, ``sample_types=["01", 3]`` were kept unchecked.
Every refusal comes before any file is read."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pytest

from genemoe.data.prepare import prepare_dataset
from genemoe.data.prepare_config import PrepareConfig
from genemoe.errors import InputError


@pytest.mark.parametrize("name, value", [("drop_unlabelled", "no"), ("one_per_patient", "False"),
                                         ("protein_coding_only", "yes"), ("synthetic", "no"),
                                         ("drop_unlabelled", 1), ("one_per_patient", None)])
def test_a_true_false_option_of_another_type_is_refused(name, value):
    """Old behaviour: PrepareConfig(drop_unlabelled="no") was made, and prepare dropped the
    unlabelled samples with it (a non-empty string is true)."""
    with pytest.raises(InputError, match=rf"{name}: must be True or False, got {value!r}(?s:.*)"
                                         rf"fix: pass {name}=True or False, e\.g\. PrepareConfig\({name}=True\)"):
        PrepareConfig(**{name: value})


def test_numpy_bools_are_taken_as_python_bools_for_the_record():
    cfg = PrepareConfig(drop_unlabelled=np.bool_(True), one_per_patient=np.bool_(False))
    assert cfg.drop_unlabelled is True and cfg.one_per_patient is False
    json.dumps(asdict(cfg))  # the record is JSON


@pytest.mark.parametrize("name, value", [("label_column", 5), ("cancer_type", ["BRCA"]),
                                         ("sample_column", 0), ("time_column", ("OS.time",)),
                                         ("event_column", 1.0)])
def test_a_column_name_or_cancer_type_that_is_not_text_is_refused(name, value):
    """Old behaviour: label_column=5 and cancer_type=["BRCA"] were kept unchecked."""
    with pytest.raises(InputError, match=rf"{name}: must be text \(a str\) or None, got "
                                         rf"{type(value).__name__}(?s:.*)fix: pass one name, "
                                         rf"e\.g\. PrepareConfig\({name}="):
        PrepareConfig(**{name: value})


def test_sample_types_are_kept_as_a_tuple_of_text():
    """Old behaviour: sample_types=["01", 3] was kept as that list (the record held mixed
    types, and the frozen config could not be hashed)."""
    cfg = PrepareConfig(sample_types=["01", 3])
    assert cfg.sample_types == ("01", "03")  # a one-digit code read as TCGA's two (334e23a)
    hash(cfg)
    assert PrepareConfig(sample_types=np.array(["TP", "NT"])).sample_types == ("TP", "NT")
    assert PrepareConfig(sample_types="01, 03").sample_types == ("01", "03")


@pytest.mark.parametrize("value, where", [(1.5, "sample_types"), ({"01": 1}, "sample_types"),
                                          (["01", None], r"sample_types\[1\]"),
                                          (["01", 2.0], r"sample_types\[1\]")])
def test_sample_types_of_another_type_are_refused_naming_the_item(value, where):
    """Old behaviour: 1.5 ended in len()'s TypeError; None and 2.0 were read as the text
    'None' / '2.0', blamed on --sample-types."""
    with pytest.raises(InputError, match=rf"{where}: (?s:.*)fix: pass (?s:.*)"
                                         r"PrepareConfig\(sample_types=\('01', '03'\)\)"):
        PrepareConfig(sample_types=value)


def test_an_unknown_orientation_is_refused():
    with pytest.raises(InputError, match=r"orientation: unknown orientation 'x'(?s:.*)"
                                         r"auto, genes_by_samples, samples_by_genes"):
        PrepareConfig(orientation="x")


def test_a_wrong_flag_in_a_config_dict_is_refused_before_any_file_is_read(tmp_path):
    with pytest.raises(InputError, match="drop_unlabelled: must be True or False, got 'no'"):
        prepare_dataset([tmp_path / "none.tsv"], out_path=tmp_path / "b",
                        config={"drop_unlabelled": "no"})
    assert not (tmp_path / "b").exists()


def test_check_flags_names_the_argument_and_the_fix():
    from genemoe.data.args import check_flags, is_flag  # new: the shared true/false check

    assert is_flag(True) and is_flag(np.bool_(False))
    assert not any(is_flag(v) for v in ("no", 0, 1, None, np.int64(1)))
    check_flags((True, "a"), (np.True_, "b"))
    with pytest.raises(InputError, match=r"progress: must be True or False, got 'no'(?s:.*)"
                                         r"fix: pass progress=True or False"):
        check_flags((True, "lazy"), ("no", "progress"))
