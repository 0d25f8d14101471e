"""tune_model: search spaces, seeded trials, resumable shared studies, no test part."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import optuna
import pytest

import genemoe.models.classical as classical
import genemoe.train.tuning as tuning
from genemoe.errors import InputError
from genemoe.models.image import IMAGE_MODELS, input_scaling
from genemoe.models.registry import create_model, get_spec
from genemoe.models.search_spaces import (
    CLASSIFY_ONLY,
    Categorical,
    Fixed,
    FloatParam,
    IntParam,
    model_defaults,
    search_space,
)
from genemoe.train.task_data import TaskData
from genemoe.train.tuning import sample_params, tune_model

NEURAL = ("genemoe", "moe", "fcn", "mlp", "coxnnet", "vaecox")
TINY_FCN = {"hidden": 16, "latent": 8}
FAST = {"epochs": 2, "batch_size": 32, "device": "cpu", "patience": None}


@pytest.fixture(scope="module")
def data(tuning_parts) -> dict[str, TaskData]:
    return tuning_parts


def _tune(data, name="fcn", **kw):
    opts = {"base_model_cfg": TINY_FCN if name == "fcn" else {}, "base_train_cfg": FAST,
            "n_outputs": 3, "n_trials": 3, "seed": 0, "storage": None, "study_name": "t", **kw}
    return tune_model(name, "classify", data, **opts)


@pytest.mark.parametrize("name", NEURAL)
def test_neural_models_declare_a_search_space_of_their_own_options(name):
    spec = get_spec(name)
    assert spec.search_space, f"{name} declares no search space"
    for task in spec.tasks:
        space = search_space(name, task)
        assert {"train.lr", "train.weight_decay", "model.dropout"} <= set(space)
        assert all(k.split(".")[0] in ("model", "train") for k in space)
        if task == "survival":
            assert not CLASSIFY_ONLY & set(space)
            assert space["train.lr"].high <= 1e-3
    model_keys = {k.removeprefix("model.") for k in spec.search_space if k.startswith("model.")}
    # input scaling (a data option, applied before the model) is searched for every model
    assert spec.search_space["model.input_scaling"].choices == ("standard", "centred")
    create_model(name, n_genes=40, n_outputs=1 if "survival" == spec.tasks[0] else 3,
                 task=spec.tasks[0], **{k: _first(spec.search_space[f"model.{k}"])
                                        for k in model_keys})  # the model takes every key


def _first(p):
    return p.choices[-1] if isinstance(p, Categorical) else p.low


CLASSICAL = ("svm", "svm_linear", "logreg", "rf", "coxnet", "coxph")


@pytest.mark.parametrize("name", CLASSICAL)
def test_classical_spaces_span_their_grids_and_a_budget_is_that_many_configurations(name):
    """Issue 11: equal budgets. Coxnet's 3-point grid ran 3 distinct trials of every 10 (the
    rest repeats); its declared space spans the grid continuously, as every classical one,
    with the model's own grid search off and its defaults inside (trial 0)."""
    import sys

    spec = get_spec(name)
    module = sys.modules[spec.factory.__module__]
    grid, defaults = spec.grid, spec.defaults
    assert grid == {k: tuple(v) for k, v in getattr(module, f"{name.upper()}_GRID").items()}
    assert defaults == getattr(module, f"{name.upper()}_DEFAULTS")
    space = search_space(name, spec.tasks[0])
    assert space["model.tune"] == Fixed(False)
    for key, values in grid.items():
        p = space[f"model.{key}"]
        if isinstance(p, Categorical):
            assert set(values) <= set(p.choices)
        else:
            assert p.low <= min(values) and p.high >= max(values)
    for key, p in space.items():
        option = key.removeprefix("model.")
        if option in defaults and not isinstance(p, Fixed):
            v = defaults[option]
            assert v in p.choices if isinstance(p, Categorical) else p.low <= v <= p.high
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    drawn = {tuple(sorted(sample_params(study.ask(), space).items(), key=str)) for _ in range(10)}
    assert len(drawn) >= 8  # ten draws, (nearly) ten configurations


def test_a_classical_model_without_a_declared_space_searches_its_grid(monkeypatch):
    import genemoe.models.search_spaces as spaces

    bare = replace(get_spec("logreg"), search_space=None)
    monkeypatch.setattr(spaces, "get_spec", lambda name: bare)
    space = search_space("logreg", "classify")
    assert {k: p.choices for k, p in space.items() if isinstance(p, Categorical)} == {
        f"model.{k}": tuple(v) for k, v in classical.LOGREG_GRID.items()}
    assert space["model.tune"] == Fixed(False)  # the tuner switches the own grid search off
    bare = replace(bare, defaults={k: v for k, v in bare.defaults.items() if k != "tune"})
    assert "model.tune" not in search_space("logreg", "classify")  # no switch to turn off


def test_a_plugin_model_searches_the_grid_it_registered_whatever_its_constants_are_called(
        monkeypatch):
    """The grid is a registered field, not found by the ``<NAME>_GRID`` naming convention
    (which failed for a model whose module names its grid otherwise: "declares no space")."""
    import genemoe.models.registry as registry

    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    registry.register_model("plugin_clf", kind="sklearn", tasks=("classify",),
                            defaults={"tune": True, "depth": 3},
                            grid={"depth": [2, 3, 5]})(lambda **kw: None)
    space = search_space("plugin_clf", "classify")
    assert space == {"model.depth": Categorical((2, 3, 5)), "model.tune": Fixed(False)}
    registry.register_model("plugin_bare", kind="sklearn", tasks=("classify",))(lambda **kw: None)
    with pytest.raises(InputError, match="declares no hyper-parameter search space"):
        search_space("plugin_bare", "classify")


@pytest.mark.parametrize("name", IMAGE_MODELS)
def test_image_models_declare_the_recipe_and_image_scalings_not_what_sets_the_image(name):
    """Issue 11, item 1: every registered model declares a space (image models had none).
    The layout, image size (fitted once per training part) and weights stay the config's;
    the scalings searched keep the genes' relative levels; a backbone's fine-tuning depth
    is searched (it was left out: a transfer-learning user tunes it)."""
    spec = get_spec(name)
    assert spec.search_space, f"{name} declares no search space"
    for task in spec.tasks:
        space = search_space(name, task)
        assert {"train.lr", "train.weight_decay", "train.noise_std", "train.ema_decay",
                "model.dropout", "model.input_scaling"} <= set(space)
        assert ("train.mixup_alpha" in space) == (task == "classify")
        assert not {"model.layout", "model.image_size", "model.grid_size", "model.weights",
                    "model.layout_state"} & set(space)
        assert ("model.finetune" in space) == (name != "hybrid_cnn")
    default = input_scaling(name, {})
    assert default in spec.search_space["model.input_scaling"].choices  # trial 0: the preset's
    if name == "hybrid_cnn":
        assert {"model.n_filters", "model.hidden"} <= set(spec.search_space)


def test_a_backbones_finetune_depth_is_searched_on_pretrained_weights_only():
    """With ``weights: none`` every depth but ``all`` trains on a frozen random network:
    the depth stays the configuration's there; on ImageNet (or file) weights it is drawn."""
    from genemoe.models.search_spaces import fit_to_start

    space = search_space("resnet50", "classify")
    assert space["model.finetune"] == Categorical(("last_block", "head", "all"))
    start = {**model_defaults("resnet50"), "finetune": "all"}
    assert start["weights"] == "none"
    assert fit_to_start(space, start)["model.finetune"] == Fixed("all")
    assert fit_to_start(space, {**start, "weights": "imagenet"}) == space
    auto = model_defaults("resnet50")  # finetune: auto, all here; last_block on weights
    assert fit_to_start(space, auto)["model.finetune"] == Fixed("auto")
    assert fit_to_start(space, {**auto, "weights": "imagenet"})["model.finetune"] == \
        Categorical(("auto", "head", "all"))
    assert fit_to_start(search_space("fcn", "classify"), {}) == search_space("fcn", "classify")


def test_top_gene_counts_are_searched_among_the_genes_there_are():
    """Old behaviour (an outside probe): Coxnet drew n_top_genes 1000 and 2000 on 391 genes
    (each keeps them all) and reported the draw as its tuned choice. Counts from the data's
    gene number up are one choice, a range is capped there, a lone choice is held."""
    from genemoe.models.search_spaces import IntParam, fit_to_start

    cox = search_space("coxnet", "survival")
    start = model_defaults("coxnet")  # n_top_genes 2000
    assert fit_to_start(cox, start, n_genes=391)["model.n_top_genes"] == Fixed(2000)
    assert fit_to_start(cox, start, n_genes=1500)["model.n_top_genes"] == Categorical((500, 1000, 2000))
    assert fit_to_start(cox, {**start, "n_top_genes": 500}, n_genes=1500)["model.n_top_genes"] == \
        Categorical((500, 1000, 2000))  # the smallest of those that keep every gene
    assert fit_to_start(cox, start, n_genes=20000) == fit_to_start(cox, start)
    ph = search_space("coxph", "survival")
    assert fit_to_start(ph, model_defaults("coxph"), n_genes=60)["model.n_top_genes"] == \
        IntParam(10, 60, log=True)
    assert fit_to_start(ph, model_defaults("coxph"), n_genes=8)["model.n_top_genes"] == Fixed(8)


def test_a_model_without_a_space_says_so(monkeypatch):
    import genemoe.models.search_spaces as spaces

    bare = replace(get_spec("fcn"), name="bare", search_space=None)
    monkeypatch.setattr(spaces, "get_spec", lambda name: bare)
    with pytest.raises(InputError, match="no hyper-parameter search space"):
        search_space("bare", "classify")


def test_k_never_exceeds_n_experts():
    space = search_space("genemoe", "classify")
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(40):
        p = sample_params(study.ask(), space)
        assert 1 <= p["model.k"] <= p["model.n_experts"]
        assert 1 <= p["model.moae_k"] <= p["model.moae_experts"]


def test_same_seed_same_trials_other_seed_others(data):
    a, b, c = _tune(data, n_trials=2), _tune(data, n_trials=2), _tune(data, n_trials=2, seed=1)
    cols = [k for k in a.trials.columns if k.startswith(("model.", "train."))]
    assert len(a.trials) == 2 and (a.trials["state"] == "COMPLETE").all()
    assert a.trials[cols].equals(b.trials[cols]) and a.best_value == b.best_value
    assert not a.trials[cols].equals(c.trials[cols])
    assert a.best_model_cfg["hidden"] == a.best_params["model.hidden"]
    assert a.best_train_cfg["lr"] == a.best_params["train.lr"] and a.best_train_cfg["epochs"] == 2


def test_interrupted_study_resumes_to_the_total_and_matches_an_uninterrupted_one(data, tmp_path):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    first = _tune(data, n_trials=2, storage=url)
    assert len(first.trials) == 2
    resumed = _tune(data, n_trials=4, storage=url)  # 2 more, not 4 more
    assert len(optuna.load_study(study_name="t", storage=url).trials) == 4
    whole = _tune(data, n_trials=4, storage=f"sqlite:///{tmp_path / 'other.db'}")
    cols = [k for k in whole.trials.columns if k.startswith(("model.", "train."))]
    assert resumed.trials[cols].equals(whole.trials[cols])  # per-trial seeds: same trials
    again = _tune(data, n_trials=4, storage=url)  # complete: nothing runs
    assert len(again.trials) == 4 and again.best_value == resumed.best_value


def test_calls_on_one_storage_add_up_and_a_study_refuses_another_setup(data, tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    a = _tune(data, "logreg", n_trials=2, storage=url, study_name="s")
    b = _tune(data, "logreg", n_trials=3, storage=url, study_name="s")
    assert len(a.trials) == 2 and len(b.trials) == 3
    assert set(b.trials["number"]) == {0, 1, 2}
    c = search_space("logreg", "classify")["model.C"]
    assert c.low <= b.best_params["model.C"] == b.best_model_cfg["C"] <= c.high
    with pytest.raises(InputError, match=r"another setup \(--seed 0 → 5\)"):
        _tune(data, "logreg", n_trials=3, storage=url, study_name="s", seed=5)


def test_a_grid_point_drawn_again_is_not_refitted(data, monkeypatch):
    calls = []
    real = tuning.fit_model
    monkeypatch.setattr(tuning, "fit_model", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    logreg_grid = classical.LOGREG_GRID
    grid = {"model.C": Categorical(tuple(logreg_grid["C"])), "model.tune": Fixed(False)}
    r = _tune(data, "logreg", n_trials=len(logreg_grid["C"]) + 3, space=grid)
    dup = r.trials["duplicate_of"].notna()
    assert dup.sum() >= 3 and len(calls) == (~dup).sum() == r.trials.loc[~dup, "model.C"].nunique()
    for _, row in r.trials[dup].iterrows():  # the value of the trial it repeats
        assert row["value"] == r.trials.set_index("number").loc[row["duplicate_of"], "value"]


def test_the_test_part_is_never_given_to_fit_model(data, monkeypatch):
    seen = []
    real = tuning.fit_model

    def spy(name, task, parts, **kw):
        seen.append(set(parts))
        return real(name, task, parts, **kw)

    monkeypatch.setattr(tuning, "fit_model", spy)
    _tune(data, n_trials=2)
    assert seen == [{"train", "val"}] * 2
    with pytest.raises(InputError, match="train and a val part only"):
        _tune({**data, "test": data["val"]})


def test_per_epoch_values_are_reported_and_options_the_trainer_lacks_are_left_out(data, tmp_path):
    space = {"train.lr": FloatParam(1e-3, 1e-2, log=True), "train.no_such_option": IntParam(0, 3),
             "model.dropout": Fixed(0.1)}
    url = f"sqlite:///{tmp_path / 'study.db'}"
    r = _tune(data, space=space, n_trials=2, storage=url)
    assert "train.no_such_option" not in r.trials.columns and r.best_params["model.dropout"] == 0.1
    assert r.trials["best_epoch"].between(1, 2).all() and r.n_pruned == 0
    for t in optuna.load_study(study_name="t", storage=url).trials:
        assert sorted(t.intermediate_values) == [1, 2]  # one validation value per epoch


def test_trials_are_pruned_mid_training_once_fit_model_takes_the_epoch_hook(data, monkeypatch):
    """The contract a trainer hook must meet: on_epoch_end(epoch, val_metric) -> stop?"""
    from genemoe.train.fit import FitResult

    y = data["val"].y

    def fit_with_hook(name, task, parts, *, model_cfg, train_cfg, n_outputs, gene_variance=None,
                      on_epoch_end=None):
        good = train_cfg["lr"] > 3e-3
        history = []
        for epoch in range(1, 11):
            history.append({"epoch": epoch, "val_metric": 0.9 if good else 0.2})
            if on_epoch_end(epoch, history[-1]["val_metric"]):
                break
        probs = np.eye(3)[y if good else np.zeros_like(y)]
        return FitResult(None, {"val": probs}, {"best_epoch": len(history)}, history)

    monkeypatch.setattr(tuning, "fit_model", fit_with_hook)
    r = _tune(data, n_trials=12, space={"train.lr": FloatParam(1e-3, 1e-2, log=True)},
              pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=2))
    pruned = r.trials[r.trials["state"] == "PRUNED"]
    assert r.n_pruned == len(pruned) > 0
    assert (pruned["train.lr"] <= 3e-3).all() and (pruned["best_epoch"] < 10).all()
    assert r.best_params["train.lr"] > 3e-3 and r.best_value == 1.0


def test_a_database_without_its_driver_is_named(data):
    try:
        import psycopg  # noqa: F401 (SQLAlchemy 2.1's default PostgreSQL driver)
    except ModuleNotFoundError:
        with pytest.raises(InputError, match="no driver for the study database.*psycopg"):
            _tune(data, storage="postgresql://user:secret@localhost/none")
    else:
        pytest.skip("psycopg is installed here")


def test_a_worker_retries_while_another_creates_the_database(tmp_path, monkeypatch):
    """Two workers opening a fresh database at once: the loser's "table ... already exists"
    is retried, not raised (seen with two `genemoe tune` processes on one SQLite file)."""
    import optuna
    from sqlalchemy.exc import OperationalError

    import genemoe.train.study_storage as study_storage

    real, calls = optuna.storages.RDBStorage, []

    def flaky(url, **kw):
        calls.append(url)
        if len(calls) == 1:
            raise OperationalError("CREATE TABLE alembic_version", {}, Exception(
                "table alembic_version already exists"))
        return real(url, **kw)

    monkeypatch.setattr(study_storage.optuna.storages, "RDBStorage", flaky)
    monkeypatch.setattr("time.sleep", lambda s: None)
    storage = study_storage.study_storage(f"sqlite:///{tmp_path / 'x.db'}")
    assert storage is not None and len(calls) == 2


def test_trial_0_is_the_starting_configuration_where_the_space_holds_it(data):
    """A search used to start at a random point: with a small budget it could end below the
    preset it started from (the demo's 3 trials). Trial 0 is now the preset itself."""
    model_cfg = {**TINY_FCN, "hidden": 256, "latent": 32, "batchnorm": True, "dropout": 0.5}
    train_cfg = {**FAST, "lr": 1e-3, "weight_decay": 1e-2, "noise_std": 0.3,
                 "label_smoothing": 0.1, "mixup_alpha": 0.0, "ema_decay": None,
                 "batch_size": 64}
    space = search_space("fcn", "classify")
    start = tuning.start_params(space, model_cfg, train_cfg)
    assert start["model.hidden"] == 256 and start["train.lr"] == 1e-3
    assert start["train.ema_decay"] is None and start["model.batchnorm"] is True
    r = _tune(data, base_model_cfg=model_cfg, base_train_cfg=train_cfg, n_trials=2)
    first = r.trials.sort_values("number").iloc[0]
    assert all(first[k] == v for k, v in start.items() if v is not None)
    assert r.best_value >= first["value"]
    # values the space cannot take are left for the sampler
    assert "model.latent" not in tuning.start_params(space, {"latent": 7}, {})
    assert "model.k" not in tuning.start_params(
        {"model.n_experts": Categorical((4, 6)), "model.k": IntParam(1, 4, at_most="model.n_experts")},
        {"n_experts": 4, "k": 6}, {})


def test_trial_0_is_the_starting_configuration_outside_the_declared_space(data, caplog):
    """The `base` and `paper` presets start outside the declared spaces (Gene-MOE's paper
    widths: hidden 1024, 15 experts, k 6): trial 0 silently drew those keys at random, so a
    search from `paper` did not start at `paper`. The space now widens to hold the starting
    values; what no range can hold (weight decay 0 on a log scale) is drawn and warned."""
    import logging

    from genemoe.models.search_spaces import widen_to_start

    space = search_space("fcn", "classify")
    model_cfg = {**TINY_FCN, "hidden": 24, "latent": 7, "dropout": 0.5}
    train_cfg = {**FAST, "lr": 1e-3, "weight_decay": 0.0}
    starting = tuning.starting_values(space, model_cfg, train_cfg)
    wide, widened, outside = widen_to_start(space, starting)
    assert widened == {"model.hidden": 24, "model.latent": 7} and outside == {"train.weight_decay": 0.0}
    assert 24 in wide["model.hidden"].choices and space["model.hidden"] == search_space("fcn", "classify")["model.hidden"]
    start = tuning.start_params(wide, model_cfg, train_cfg)
    assert start["model.hidden"] == 24 and "train.weight_decay" not in start
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        r = _tune(data, base_model_cfg=model_cfg, base_train_cfg=train_cfg, n_trials=1)
    first = r.trials.sort_values("number").iloc[0]
    assert first["model.hidden"] == 24 and first["model.latent"] == 7 and first["train.lr"] == 1e-3
    assert "train.weight_decay" in caplog.text
    # ranges stretch; an int above its cap, or a value <= 0 on a log scale, stays outside
    ranges = {"model.n_experts": IntParam(2, 8), "model.k": IntParam(1, 4, at_most="model.n_experts"),
              "train.lr": FloatParam(1e-4, 1e-2, log=True), "model.dropout": FloatParam(0.0, 0.5)}
    wide, widened, outside = widen_to_start(ranges, {"model.n_experts": 15, "model.k": 6,
                                                     "train.lr": 0.0, "model.dropout": 0.7})
    assert wide["model.n_experts"] == IntParam(2, 15) and wide["model.k"] == IntParam(1, 6, at_most="model.n_experts")
    assert wide["model.dropout"] == FloatParam(0.0, 0.7) and outside == {"train.lr": 0.0}
    assert widen_to_start(ranges, {"model.n_experts": 4, "model.k": 6})[2] == {"model.k": 6}


def test_trials_drawing_another_input_scaling_train_on_that_data(data):
    """model.input_scaling: trial 0 keeps the data's (the preset's) scaling, a trial that
    draws centred trains on the rescaled parts, built once; without rescaled data the
    scaling stays fixed."""
    import dataclasses

    centred = {part: dataclasses.replace(d, X=d.X * 0.5) for part, d in data.items()}
    calls = []
    space = {"train.lr": FloatParam(1e-3, 3e-3, log=True),
             "model.input_scaling": Categorical(("standard", "centred"))}
    res = _tune(data, n_trials=6, space=space, rescaled=lambda sc: (calls.append(sc), centred)[1])
    drawn = res.trials["model.input_scaling"].tolist()
    assert drawn[0] == "standard" and "centred" in drawn
    assert calls == ["centred"]
    fixed = _tune(data, study_name="f", space=space)
    assert fixed.best_model_cfg["input_scaling"] == "standard"
    assert set(fixed.trials["model.input_scaling"]) == {"standard"}  # fixed, not searched


def test_tuning_cost_estimates_what_pruning_saved():
    import pandas as pd

    from genemoe.train.tuning import tuning_cost

    t = pd.DataFrame({"state": ["COMPLETE", "COMPLETE", "PRUNED", "PRUNED", "COMPLETE"],
                      "seconds": [10.0, 14.0, 2.0, 3.0, 0.0],
                      "duplicate_of": [None, None, None, None, 0]})
    c = tuning_cost(t)
    # a duplicate (no training) is not a full trial: mean of 10 and 14 = 12; two pruned
    # trials would have cost 24 and cost 5
    assert c["seconds_per_trial"] == 12.0 and c["n_pruned"] == 2
    assert c["seconds_pruned"] == 5.0 and c["seconds_saved"] == 19.0
    assert tuning_cost(t[t["state"] == "COMPLETE"])["seconds_saved"] == 0.0
    assert tuning_cost(t[t["state"] == "PRUNED"])["seconds_saved"] is None
    assert tuning_cost(t.iloc[:0])["n_trials"] == 0


def test_a_key_added_to_a_space_leaves_the_other_keys_draws_as_they_were():
    """One generator per trial handed each key the next number, so inserting a key moved every
    later key's draw: before/after runs started from other points. Now each key's start-up
    draw comes from (seed, trial, key); the TPE trials after them draw jointly."""
    lr, dropout = FloatParam(1e-4, 1e-2, log=True), FloatParam(0.0, 0.6)
    before = {"train.lr": lr, "model.dropout": dropout}
    after = {"train.lr": lr, "model.new_key": Categorical((0, 1, 2)), "model.dropout": dropout}

    def draws(space):
        study = tuning.open_study(None, "s", seed=0, n_startup_trials=4)

        def objective(trial):
            p = sample_params(trial, space)
            return -(np.log10(p["train.lr"]) + 3) ** 2 - p["model.dropout"]

        study.optimize(objective, n_trials=8)
        return [(t.params["train.lr"], t.params["model.dropout"]) for t in study.trials]

    a, b = draws(before), draws(after)
    assert a[:4] == b[:4]  # the 4 start-up trials
    assert len(set(a)) == len(set(b)) == 8  # then TPE (joint: the new key takes part)


def test_each_trials_freed_memory_goes_back_after_it(data, monkeypatch):
    """Trials of other shapes piled up heap the process could not reuse (14.5 GB in one gdc6
    benchmark worker); the memory is now released after every trial."""
    calls = []
    monkeypatch.setattr(tuning, "release_freed_memory", lambda: calls.append(1))
    _tune(data, n_trials=3)
    assert len(calls) == 3


def test_a_trial_too_big_for_the_free_memory_is_pruned_before_it_trains_and_redrawn(
        data, monkeypatch):
    """A gdc6 benchmark worker was killed by the kernel inside a Gene-MOE trial that drew its
    space's widest configuration (448M weights); such a trial is now pruned before training,
    with what it needed and what was free. It had counted in the budget, so the model with
    the largest configurations trained fewer trials than its peers (six Gene-MOE trials of
    90 in the gdc6 --tune-cv 3 run); now another is drawn in its place: the budget is
    trained trials."""
    import genemoe.train.fit as fit
    from genemoe.train.tuning import tuning_cost

    small = 4 * (12 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3)  # fcn 12 -> 8 -> 8 -> 3 weights, float32
    monkeypatch.setattr(fit, "available_memory", lambda: 50 * small)  # 4096 wide: ~1.7 MB
    space = {"model.hidden": Categorical((8, 4096)), "model.latent": Fixed(8),
             "train.lr": FloatParam(1e-4, 1e-2, log=True)}
    res = _tune(data, n_trials=8, space=space)
    t = res.trials
    big, fits = t[t["model.hidden"] == 4096], t[t["model.hidden"] != 4096]  # trial 0: 16
    assert len(big) and len(fits)
    assert (big["state"] == "PRUNED").all() and big["memory_gb_needed"].notna().all()
    assert (big["memory_gb_needed"] > big["memory_gb_free"]).all()
    assert (big["seconds"] < 5).all() and "best_epoch" not in big.dropna(axis=1, how="all")
    assert fits["memory_gb_needed"].isna().all() and res.best_model_cfg["hidden"] != 4096
    assert len(fits) == 8 and fits["in_budget"].all() and not big["in_budget"].any()
    cost = tuning_cost(t)
    assert cost["n_trials"] == 8 and cost["n_too_big"] == len(big)
    assert cost["n_pruned"] == res.n_pruned == int((fits["state"] == "PRUNED").sum())


def test_memory_pruned_trials_are_left_out_of_what_pruning_saved():
    import pandas as pd

    from genemoe.train.tuning import tuning_cost

    t = pd.DataFrame({"state": ["COMPLETE", "PRUNED", "PRUNED"], "seconds": [10.0, 2.0, 0.1],
                      "duplicate_of": [None, None, None],
                      "memory_gb_needed": [None, None, 11.0]})
    c = tuning_cost(t)
    assert c["n_pruned"] == 1 and c["n_too_big"] == 1  # the pruner's, and the memory check's
    assert c["seconds_saved"] == 8.0  # the median-pruned trial only: 10 - 2


def test_a_search_whose_every_trial_is_too_big_says_so_and_how_to_fix_it(data, monkeypatch):
    import genemoe.train.fit as fit

    monkeypatch.setattr(fit, "available_memory", lambda: 0)
    with pytest.raises(InputError, match=r"(?s)all 2 were too big for the free memory.*"
                                         r"--protein-coding-only"):
        _tune(data, n_trials=2)


def _task(name: str) -> str:
    return get_spec(name).tasks[0]


@pytest.mark.parametrize("name", [*NEURAL, *IMAGE_MODELS, *CLASSICAL])
def test_trial_0_is_the_starting_configuration_with_no_key_drawn(name):
    """Trial 0 took random values for the searched keys the preset leaves to the model or
    trainer (mixup 0.23, a shared expert and a routing loss for Gene-MOE, every classical
    value): it was not the configuration the search starts from. Now every key has one."""
    from genemoe.train.fit import resolve_config

    space = search_space(name, _task(name))
    _, model_cfg, train_cfg = resolve_config("small", None, name, seed=0, device="cpu",
                                             epochs=None, task=_task(name))
    model_cfg = {**model_cfg, "input_scaling": input_scaling(name, model_cfg)}
    from genemoe.models.search_spaces import fit_to_start

    space = fit_to_start(space, {**model_defaults(name), **model_cfg})  # as tune_model does
    start = tuning.start_params(space, {**model_defaults(name), **model_cfg},
                                {**tuning.train_defaults(), **train_cfg})
    assert {k for k, p in space.items() if not isinstance(p, Fixed)} == set(start)
    if "train.mixup_alpha" in space:
        assert start["train.mixup_alpha"] == 0.0  # off unless the preset turns it on
    if name in ("genemoe", "moe"):
        assert start["model.shared_expert"] is False and start["train.routing_mi_weight"] == 0.0


@pytest.mark.parametrize("name", [*NEURAL, "hybrid_cnn", "resnet50"])
def test_registered_defaults_are_what_the_model_runs_without_the_key(name):
    """Each registered default builds the same model as leaving the key out: same modules,
    same weights, the same training-mode output under one seed (dropout included). The
    defaults are read from the constructors (registry.signature_defaults); a hand-kept copy
    (NEURAL_DEFAULTS) covered only the keys someone remembered."""
    import torch

    task = _task(name)
    defaults = model_defaults(name)
    assert defaults, f"{name} registers no defaults"
    base = {"weights": "none", "image_size": 32, "finetune": "all"} if name == "resnet50" else {}
    n_out = 3 if task == "classify" else 1
    x = torch.randn(8, 40, generator=torch.Generator().manual_seed(1))
    for key, value in defaults.items():
        without = {k: v for k, v in base.items() if k != key}
        outs = []
        for cfg in (without, {**without, key: value}):
            torch.manual_seed(0)
            m = create_model(name, n_genes=40, n_outputs=n_out, task=task, **cfg).train()
            torch.manual_seed(1)
            outs.append((repr(m), m.state_dict(), m(x).out.detach()))
        (r0, s0, o0), (r1, s1, o1) = outs
        assert r0 == r1 and s0.keys() == s1.keys(), key
        assert all(torch.equal(s0[k], s1[k]) for k in s0), key
        assert torch.equal(o0, o1), key


@pytest.mark.parametrize(("url", "said"), [
    ("foo://x", "Can't load plugin"),
    ("not a url", "Could not parse"),
])
def test_a_storage_sqlalchemy_cannot_open_is_an_input_error(url, said):
    """``genemoe tune --storage foo://x`` ended in SQLAlchemy's NoSuchModuleError traceback."""
    from genemoe.errors import InputError
    from genemoe.train.study_storage import study_storage

    with pytest.raises(InputError, match=rf"(?s)--storage.*{said}.*fix: use sqlite:///"):
        study_storage(url)
