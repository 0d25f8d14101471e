"""End-to-end workflows: the layer above data, models, train, evaluate, explain and report.

Each workflow reads files, calls the layers below through their public functions (the
fitting API is :func:`genemoe.train.fit.fit_model`) and writes a run or results
directory: ``train`` (one run), ``benchmark`` (models × folds), ``ablation``,
``pretrain`` (a pre-training run), ``features``, ``predict`` and the ``demo``.
"""
