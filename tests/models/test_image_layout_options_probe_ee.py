"""Probe EE's image-layout defects (D4-D6).

D4: a genomic layout said on the terminal how many genes had no chromosome position, but no
record counted them: the fitted layout now counts them (``placement``; the run's record:
test_image_layout_record_probe_ee.py).
D5: ``gene_order`` with ``layout: genomic`` or ``similarity`` replaced the layout (the saved
map was the given order for every gene) while the run recorded the layout named.
D6: ``embedding: pca`` with a layout other than ``similarity`` was accepted and kept in
config.yaml, while ``embedding: tsne`` in the same place was refused.
"""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.errors import InputError
from genemoe.models.image import Layout, fit_layout
from genemoe.models.registry import create_model

CHROM = np.array(["1", "2", None, "X", None, "1", "3", "2", "MT"], dtype=object)
START = np.array([5.0, 1, np.nan, 2, 3, 1, 7, 9, 4])


def test_a_genomic_layout_counts_the_genes_without_a_position():
    lay = fit_layout("genomic", 9, chrom=CHROM, start=START)
    assert lay.placement == {"genes_by_position": 7, "genes_without_position": 2,
                             "without_position_placed": "after the positioned genes, in bundle order"}
    again = Layout.from_state(lay.to_state())  # how a fitted layout reaches the model
    assert again.placement == lay.placement
    no_start = fit_layout("genomic", 3, chrom=np.array(["1", "1", "2"], object),
                          start=np.array([1.0, np.nan, 2]))
    assert no_start.placement["genes_without_position"] == 1
    assert "end of their chromosome" in no_start.placement["without_position_placed"]


@pytest.mark.parametrize("model", ["hybrid_cnn", "resnet50"])
@pytest.mark.parametrize("layout", ["genomic", "similarity"])
def test_gene_order_with_a_fitted_layout_is_refused(model, layout):
    """The factory refuses before any backbone is built (no timm needed)."""
    order = list(range(8, -1, -1))
    with pytest.raises(InputError) as e:
        create_model(model, n_genes=9, n_outputs=2, task="classify", layout=layout,
                     gene_order=order, image_size=32)
    text = str(e.value)
    assert f"model.{model}.gene_order" in text and f"the layout is {layout}" in text
    assert "drop gene_order" in text and "layout: reshape" in text


def test_gene_order_still_orders_the_reshape_layout():
    order = list(range(8, -1, -1))
    for cfg in ({"gene_order": order}, {"layout": "reshape", "gene_order": order}):
        net = create_model("hybrid_cnn", n_genes=9, n_outputs=2, task="classify", **cfg)
        lay = net.to_image.layout()
        assert lay.kind == "reshape" and (lay.pixel_of_gene[order] == np.arange(9)).all()


@pytest.mark.parametrize("layout", [None, "reshape", "genomic"])
def test_an_embedding_with_a_layout_that_does_not_use_it_is_refused(layout):
    cfg = {"embedding": "pca", **({"layout": layout} if layout else {})}
    with pytest.raises(InputError, match="embedding pca places genes only in the similarity "
                                         f"layout, and the layout is {layout or 'reshape'}") as e:
        create_model("hybrid_cnn", n_genes=9, n_outputs=2, task="classify", **cfg)
    assert "model.hybrid_cnn.embedding" in str(e.value) and "drop embedding" in str(e.value)
    with pytest.raises(InputError, match="model.resnet50.embedding"):
        create_model("resnet50", n_genes=9, n_outputs=2, task="classify", image_size=32, **cfg)
    net = create_model("hybrid_cnn", n_genes=9, n_outputs=2, task="classify",
                       layout="similarity", embedding="pca")  # where it applies: kept
    assert net.to_image.layout().embedding == "pca"
