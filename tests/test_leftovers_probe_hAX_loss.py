"""What a survival fit records of its loss (an outside probe, hAX): the classifier's
``focal_gamma`` and ``class_alpha`` were recorded, never read."""

from __future__ import annotations

import numpy as np


def _survival_parts(n_genes: int = 10) -> dict:
    from genemoe.train.task_data import TaskData

    rng = np.random.default_rng(0)

    def part(m: int) -> TaskData:
        return TaskData(X=rng.normal(size=(m, n_genes)).astype(np.float32), rows=np.arange(m),
                        y=np.zeros(m, dtype=int), time=rng.uniform(10, 1000, m),
                        event=rng.random(m) < 0.6, groups=np.array(["A"] * m, dtype=object))

    return {"train": part(60), "val": part(30)}


def test_a_survival_fit_records_only_the_loss_options_it_reads():
    """A survival run's config.yaml said ``loss: {class_alpha: inverse_sqrt, focal_gamma:
    2.0, ...}``: options of the classifier's focal loss, never read by the Cox loss."""
    from genemoe.train.fit import fit_model

    train_cfg = {"epochs": 1, "seed": 0, "device": "cpu", "focal_gamma": 2.0,
                 "class_alpha": "inverse_sqrt", "label_smoothing": 0.0, "cox_ties": "breslow",
                 "survival_selection": "partial_likelihood"}
    res = fit_model("fcn", "survival", _survival_parts(), model_cfg={"hidden": 8, "latent": 4},
                    train_cfg=train_cfg, n_outputs=1)
    assert res.info["loss"] == {"cox_ties": "breslow",
                                "survival_selection": "partial_likelihood"}
