"""predict refuses an --out that is one of its inputs or a file it did not write (a probe:
`--out RUN/predictions.tsv` replaced a trained run's predictions and its report then failed;
`--out BUNDLE/obs.parquet` ruined a bundle; `--out` naming the --expression file replaced
it; each with exit status 0)."""

from __future__ import annotations

import gzip
import shutil

import pytest

from genemoe.errors import InputError
from genemoe.workflows.predict import predict_file


def test_a_runs_own_predictions_are_not_replaced(labelled_logreg_run, tmp_path):
    d, files, _ = labelled_logreg_run()
    run = tmp_path / "run"
    shutil.copytree(d / "run", run)
    before = (run / "predictions.tsv").read_text()
    with pytest.raises(InputError, match="genemoe predict did not write it"):
        predict_file(run, files["counts"], out_path=run / "predictions.tsv")
    assert (run / "predictions.tsv").read_text() == before


def test_the_input_itself_is_refused_and_an_earlier_prediction_replaced(labelled_logreg_run,
                                                                         tmp_path):
    d, files, _ = labelled_logreg_run()
    expr = tmp_path / "counts.tsv"  # an output name predict would write to
    expr.write_bytes(gzip.decompress(files["counts"].read_bytes())
                     if files["counts"].suffix == ".gz" else files["counts"].read_bytes())
    with pytest.raises(InputError, match="is the --expression input itself"):
        predict_file(d / "run", expr, out_path=expr)
    out = tmp_path / "pred.tsv"
    predict_file(d / "run", expr, out_path=out)
    predict_file(d / "run", expr, out_path=out)  # its own earlier output: replaced as before
    assert out.exists()
