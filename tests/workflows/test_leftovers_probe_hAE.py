"""Leftovers of earlier probes, found again on small real runs (pancan33_random100) by
outside probe hAE: predict's unfamiliar-sample line for one sample ("1 of 1 samples looks
unlike ... treat their predictions") and its clipped-values line ("of 1 samples over 1
genes")."""

from __future__ import annotations

from genemoe.workflows.predict_text import clipped_notes, unfamiliar_notes


def _text(notes: list[dict]) -> str:
    return " ".join(n["text"] for n in notes)


def _ood(n: int, m: int) -> dict:
    return {"n_samples": m, "n_unfamiliar": n, "n_scored_for_ood": m, "n_train": 0,
            "n_val": 0, "n_same_patient": 0, "ood": {"threshold": 10.05}}


def test_one_unfamiliar_sample_of_one_reads_naturally():
    """Old: "1 of 1 samples looks unlike the training data (...: treat their predictions
    with care)" for a one-sample file."""
    text = _text(unfamiliar_notes(_ood(1, 1)))
    assert text.startswith("the one sample looks unlike the training data")
    assert "treat its prediction with care" in text and "1 of 1" not in text
    assert _text(unfamiliar_notes(_ood(0, 1))) == "the one sample looks like the training data"


def test_one_unfamiliar_sample_of_several_and_many_keep_their_counts():
    """1 of 5: singular verb and "its prediction"; 3 of 40: plural, as before."""
    one = _text(unfamiliar_notes(_ood(1, 5)))
    assert one.startswith("1 of 5 samples looks unlike") and "treat its prediction " in one
    many = _text(unfamiliar_notes(_ood(3, 40)))
    assert many.startswith("3 of 40 samples look unlike") and "treat their predictions" in many


def test_the_clipped_line_counts_one_sample_and_gene_in_the_singular():
    """Old: "1 values (<0.1%) of 1 samples over 1 genes lie beyond ±10"."""
    (note,) = clipped_notes({"scaled_clipped": {"n_values": 1, "n_samples": 1, "n_genes": 1,
                                                "n_total": 19_000, "clip": 10.0,
                                                "max_abs": 32.1}})
    assert note["text"].startswith("1 value (<0.1%) of 1 sample over 1 gene lies beyond ±10")
    (note,) = clipped_notes({"scaled_clipped": {"n_values": 3, "n_samples": 2, "n_genes": 3,
                                                "n_total": 300, "clip": 10.0, "max_abs": 12.0}})
    assert note["text"].startswith("3 values (1.0%) of 2 samples over 3 genes lie beyond")
