"""check_model_options: a top-k gate's k outside 1..n_experts, and a number in quotes."""

from __future__ import annotations

import pytest

from genemoe.errors import InputError
from genemoe.models.registry import check_model_options


@pytest.mark.parametrize("options, k, n", [({"k": 0}, 0, 15), ({"k": 16}, 16, 15),
                                           ({"n_experts": 4}, 6, 4), ({"k": -2, "n_experts": 3}, -2, 3)])
def test_a_k_outside_one_to_n_experts_is_refused_naming_the_option(options, k, n):
    with pytest.raises(InputError, match=rf"k is {k}: .*n_experts \({n}\).*must be 1 to {n}") as e:
        check_model_options("moe", options)
    assert e.value.where == "model.moe.k"
    assert f"model.moe.k to 1..{n}" in e.value.fix and f"{max(k, 1)} or more" in e.value.fix


@pytest.mark.parametrize("options", [{"k": 1}, {"k": 15}, {"k": 4, "n_experts": 4},
                                     {"k": None}, {"k": 2.0}])
def test_a_k_in_range_or_not_a_whole_number_passes(options):
    check_model_options("genemoe", options)


def test_a_number_in_quotes_is_refused_saying_it_is_text():
    with pytest.raises(InputError, match=r"dropout is ' 0.3', not a number \(a number in quotes "
                                         r"is text\)") as e:
        check_model_options("fcn", {"dropout": " 0.3"})
    assert e.value.fix.startswith("write it without quotes: dropout: 0.3 ")
    with pytest.raises(InputError, match=r"dropout is 'half', not a number") as e:
        check_model_options("fcn", {"dropout": "half"})
    assert "in quotes" not in str(e.value) and "set dropout to a number" in e.value.fix


def test_a_number_in_quotes_for_a_flag_is_told_to_be_true_or_false():
    """A flag given "1" is not fixed by writing 1 (a number, refused as not true/false)."""
    with pytest.raises(InputError, match="batchnorm is '1', not true or false") as e:
        check_model_options("fcn", {"batchnorm": "1"})
    assert "without quotes" not in e.value.fix and "set batchnorm to true or false" in e.value.fix
    with pytest.raises(InputError, match="not true or false"):
        check_model_options("fcn", {"batchnorm": 1})
