"""The reports' small HTML pieces."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.report.html_parts import html_table, kv_table


def test_booleans_read_the_same_in_every_table():
    """Old behaviour: a tuning page's "Best trials" table showed ``False`` (a data frame's
    bool column), its "Best configuration" table ``no``."""
    df = pd.DataFrame({"model.batchnorm": [True, False], "model.tune": [np.False_, np.nan],
                       "value": [0.5, 0.25], "state": ["COMPLETE", "PRUNED"]})
    table = html_table(df)
    assert "True" not in table and "False" not in table
    assert table.count("<td>yes</td>") == 1 and table.count("<td>no</td>") == 2
    assert "<td>–</td>" in table and "<td>COMPLETE</td>" in table and "<td>0.25</td>" in table
    assert "<td>no</td>" in kv_table({"model.batchnorm": False})
    assert df["model.batchnorm"].dtype == bool  # the caller's frame is left as it was


def test_a_float_column_has_one_number_of_decimals_and_counts_read_as_counts():
    """Old behaviour (pandas' ``.4g`` per value): ``0.8`` beside ``0.8123`` in one column and a
    count of 54,462 genes (a float column, for its missing cell) as ``5.446e+04``."""
    import re

    df = pd.DataFrame({"genes": [54462.0, np.nan], "acc": [0.8, 0.81234], "p": [1e-5, 0.5]})
    cells = re.findall(r"<td>([^<]*)</td>", html_table(df))
    assert cells == ["54,462", "0.8000", "1e-05", "–", "0.8123", "0.5"], cells
    assert "<td>54,462</td>" in kv_table({"n_genes": 54462.0})
