"""predict: a file whose values the model's scaler clips far more than training's is a warning.

Found scoring a gdc6 logreg (log2 FPKM-UQ) on log2(TPM + 1) taken as given
(--normalisation none): 1,424,639 values (18.2%) of 144 samples lay beyond ±10 z, said as a
caveat, "clipped there, as in training", where the model's test split had <0.1% (640 of
3,145,746 values, metrics.json protocol.clipped).
"""

from __future__ import annotations

from genemoe.workflows.predict_text import CLIPPED_WARN, clipped_notes

_PAYLOAD = {"metrics": {"protocol": {"clipped": {"test": {
    "n_values": 640, "n_total": 3_145_746, "clip": 10.0}}}}}


def _report(n_values: int, n_total: int) -> dict:
    return {"scaled_clipped": {"n_values": n_values, "n_samples": 144, "n_genes": 11_248,
                               "n_total": n_total, "clip": 10.0, "max_abs": 35.0}}


def test_many_clipped_values_are_a_warning_beside_the_test_split() -> None:
    (n,) = clipped_notes(_report(1_424_639, 7_810_128), _PAYLOAD)
    assert n["level"] == "warning"
    assert "(18.2%, its test split <0.1%)" in n["text"]
    assert "another scale than the model's" in n["text"]


def test_few_clipped_values_stay_a_caveat() -> None:
    (n,) = clipped_notes(_report(667, 7_810_128), _PAYLOAD)
    assert n["level"] == "caveat" and "another scale" not in n["text"]
    assert "its test split <0.1%" in n["text"]


def test_the_threshold_is_a_share_of_the_values() -> None:
    (n,) = clipped_notes(_report(int(CLIPPED_WARN * 1_000_000), 1_000_000))
    assert n["level"] == "warning" and "test split" not in n["text"]  # no payload: no reference
