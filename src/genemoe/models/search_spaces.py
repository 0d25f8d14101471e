"""Hyper-parameter search spaces, declared with the models (``genemoe tune`` reads them).

The contract
------------
A search space is a plain ``dict`` from a **config path** to a **parameter**:

- ``"model.<option>"``: a keyword of the model's factory (its preset ``model.<name>:``
  section), e.g. ``"model.dropout"``;
- ``"train.<option>"``: a training option (the preset's ``train:`` section), e.g.
  ``"train.lr"``; ``"train.balance_weight"`` is the MoE load-balance weight.

A parameter is one of four small frozen dataclasses: :class:`FloatParam` (``low``,
``high``, ``log``), :class:`IntParam` (``low``, ``high``, ``log``, and ``at_most``:
another int key whose sampled value caps ``high``, so ``k <= n_experts``),
:class:`Categorical` (``choices``: any YAML values, lists included) and :class:`Fixed`
(a value set in every trial, sampled by nobody). Nothing here knows the tuning library:
:mod:`genemoe.train.tuning` turns a space into Optuna ``suggest_*`` calls.

Where spaces come from (:func:`search_space`)
---------------------------------------------
1. **Declared on the registry** (``register_model(..., search_space=...)`` or
   :func:`~genemoe.models.registry.set_search_space`): this module declares the neural
   models' spaces on import (the registry imports it last). Keys marked classify-only
   (label smoothing, mixup) are dropped for survival, and a model's keys are kept only
   when its factory takes them (``FCN_KEYS`` etc.), so a space may name an option a model
   gains later (``batchnorm``); ``model.input_scaling``, a data option every model takes,
   is kept for all.
   The classical models' spaces (:data:`CLASSICAL_SPACES`) are declared here too:
   continuous ranges spanning their own grids, so a budget of N trials is N distinct
   configurations for them as for the neural models, with ``model.tune: Fixed(False)``
   (the model's own grid search is off while the tuner chooses).
2. **Other classical models** (registered without a space): the grid they registered
   (``register_model(..., grid=...)``, their own ``<NAME>_GRID``) as one
   :class:`Categorical` per key; plus ``model.tune: Fixed(False)`` when the model's
   registered defaults have a ``tune`` option.

Input scaling: the same choice for every model it changes
---------------------------------------------------------
The neural models and the scale-sensitive classical ones (``svm``, ``svm_linear``,
``logreg``, ``coxnet``, ``coxph``: an L2 or elastic-net penalty, an RBF distance or a PCA
weighs each gene by its scaled spread) search ``model.input_scaling`` among ``standard``
(per-gene z-scores) and ``centred`` (each gene minus its training mean, one scale for all;
:data:`SCALINGS`), the scaler fitted on the training part only in both cases
(:mod:`genemoe.train.tuning`, "Input scaling"). The classical models used to get z-scores
in every trial while the neural ones drew both (an outside fairness audit). A classical
trial 0 is still its grid's own choice under ``standard``, as ``--tune 0`` fits it
(:mod:`~genemoe.train.tuning_start`). The random forest (``rf``) does not search it: it is
scale-invariant (a split only ranks one gene's values, and both scalings shift and scale
each gene without reordering it), so ``centred`` would change only which extreme values
the scaler's clip (±10) merges, and its trials would repeat configurations. A model registered without a
space (2. above) keeps the scaling its configuration gives.

Image models (``hybrid_cnn``, ``resnet50``, ``densenet169``, ``vgg19``, ``xception``)
search the shared recipe, dropout and their input scaling among the image scalings
(``centred``/``global`` keep the genes' relative levels, which the images show; per-gene
z-scores for ``hybrid_cnn`` too); ``hybrid_cnn`` also its widths. The ImageNet backbones
also search how deep pretrained weights are fine-tuned (``finetune``: the head, the last
block as in the paper, or all), on pretrained weights only: with ``weights: none`` any
depth but ``all`` trains on a frozen random network, so there :func:`fit_to_start` holds
it at the configuration's value. What sets the image itself (``layout``, ``image_size``,
``grid_size``) and the weights stay the preset's or config's: a layout is fitted once per
training part (per inner fold under ``--tune-cv``). A ``hybrid_cnn`` trial costs about what an ``fcn`` one does (1.8 s
against 1.7 s on pancan33); an ImageNet backbone's takes minutes on a CPU: give those a
GPU or a small budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genemoe.errors import input_error
from genemoe.models.backbones import BACKBONE_KEYS, BACKBONES
from genemoe.models.baselines import FCN_KEYS, MLP_KEYS
from genemoe.models.genemoe import GENEMOE_KEYS, MOE_KEYS
from genemoe.models.image import HYBRID_KEYS
from genemoe.models.registry import ModelSpec, get_spec, set_search_space
from genemoe.models.survival_peers import COXNNET_KEYS, VAECOX_KEYS

__all__ = ["FloatParam", "IntParam", "Categorical", "Fixed", "Param", "SearchSpace",
           "CLASSIFY_ONLY", "SCALINGS", "search_space", "NEURAL_SPACES", "CLASSICAL_SPACES",
           "model_defaults", "contains", "fit_to_start", "widen_to_start", "value_text", "params_text"]


@dataclass(frozen=True)
class FloatParam:
    """A float in ``[low, high]``, sampled on a log scale when ``log``."""

    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class IntParam:
    """An int in ``[low, high]``; ``at_most``: a sampled int key capping ``high``."""

    low: int
    high: int
    log: bool = False
    at_most: str | None = None


@dataclass(frozen=True)
class Categorical:
    """One of ``choices`` (None, numbers, strings, booleans or lists)."""

    choices: tuple[Any, ...]


@dataclass(frozen=True)
class Fixed:
    """A value every trial uses (not searched)."""

    value: Any


Param = FloatParam | IntParam | Categorical | Fixed
SearchSpace = dict[str, Param]

# A data option every model takes (genemoe.models.image.input_scaling): per-gene z-scores,
# or each gene centred with one scale for all (keeps the genes' relative spread). Searched
# by the neural models and the scale-sensitive classical ones alike (the module docstring).
SCALINGS = Categorical(("standard", "centred"))

# Options that only make sense for a classifier's loss.
CLASSIFY_ONLY = frozenset({"train.label_smoothing", "train.mixup_alpha",
                           "train.routing_mi_weight"})

# The training recipe every neural model shares (train/train_config.py's TrainConfig keys).
_RECIPE: SearchSpace = {
    "train.lr": FloatParam(1e-4, 3e-3, log=True),
    "train.weight_decay": FloatParam(1e-6, 1e-2, log=True),
    "train.noise_std": FloatParam(0.0, 0.5),  # Gaussian noise on the scaled input
    "train.label_smoothing": FloatParam(0.0, 0.2),
    "train.mixup_alpha": FloatParam(0.0, 0.4),
    "train.ema_decay": Categorical((None, 0.99, 0.999)),
    "model.dropout": FloatParam(0.0, 0.6),
    "model.input_scaling": SCALINGS,
}
# Survival: a Cox loss on a few hundred patients wants a smaller step (the small preset's
# train_survival lr is 1e-4), so its lr range sits lower.
_SURVIVAL: SearchSpace = {"train.lr": FloatParam(3e-5, 1e-3, log=True)}
_MOE: SearchSpace = {
    "model.hidden": Categorical((128, 256, 512)),  # multiples of 16 tokens x 4 heads
    "model.latent": Categorical((32, 64, 128)),
    "model.n_experts": Categorical((4, 6, 8, 12, 16)),
    "model.k": IntParam(1, 4, at_most="model.n_experts"),
    "model.batchnorm": Categorical((False, True)),
    "train.balance_weight": FloatParam(1e-3, 1e-1, log=True),
    "model.expert_dropout": FloatParam(0.0, 0.3),  # experts struck off a sample's candidates
    "model.shared_expert": Categorical((False, True)),  # one ungated expert beside the routed
    # classify: reward routing that sends each type to few experts (class-expert information)
    "train.routing_mi_weight": Categorical((0.0, 0.03, 0.1, 0.3)),
}

NEURAL_SPACES: dict[str, tuple[SearchSpace, tuple[str, ...]]] = {
    # name: (space, the factory's option keys)
    "fcn": ({**_RECIPE, "model.hidden": Categorical((256, 512, 1024)),
             "model.latent": Categorical((32, 64, 128, 256)),
             "model.batchnorm": Categorical((False, True))}, FCN_KEYS),
    "mlp": ({**_RECIPE, "model.widths": Categorical(([256, 64], [512, 128], [512, 256],
                                                     [1024, 256], [512, 256, 64])),
             "model.batchnorm": Categorical((False, True))}, MLP_KEYS),
    "moe": ({**_RECIPE, **_MOE}, MOE_KEYS),
    "genemoe": ({**_RECIPE, **_MOE, "model.moae_experts": Categorical((2, 4, 6)),
                 "model.moae_k": IntParam(1, 3, at_most="model.moae_experts"),
                 "model.attn_dropout": FloatParam(0.0, 0.3)}, GENEMOE_KEYS),
    "coxnnet": ({**_RECIPE, "model.hidden": Categorical((None, 32, 128))}, COXNNET_KEYS),
    "vaecox": ({**_RECIPE, "model.hidden": Categorical((128, 256, 512)),
                "model.latent": Categorical((16, 32, 64))}, VAECOX_KEYS),
    # image models: the recipe, and the scalings that keep the genes' relative levels
    # (genemoe.models.image.input_scaling; trial 0 is the preset's)
    "hybrid_cnn": ({**_RECIPE, "model.input_scaling": Categorical(("centred", "standard")),
                    "model.n_filters": Categorical((16, 32, 64)),
                    "model.hidden": Categorical((64, 128, 256))}, HYBRID_KEYS),
    # ImageNet backbones: also how deep the pretrained weights are fine-tuned (the paper:
    # the last block), searched only on pretrained weights (fit_to_start)
    **{name: ({**_RECIPE, "model.input_scaling": Categorical(("global", "centred")),
               "model.finetune": Categorical(("last_block", "head", "all"))},
              BACKBONE_KEYS) for name in BACKBONES},
}


# Classical models: continuous ranges spanning their own grids (registered ``grid``, what they
# search by themselves without the tuner). A grid of 3-16 points spends most of a 10-trial
# budget on repeats: Coxnet's 3 l1_ratios ran 3 distinct trials of every 10, the linear SVM's
# 4 Cs 4. Coxnet also draws how many of the most variable genes it sees (its penalty
# ``alpha`` is still chosen along the path of the drawn ratio on the validation part), CoxPH
# its PCA width. The tuner switches their own grid search off (``model.tune``). All but the
# forest also search the input scaling as the neural models do (``SCALINGS``; a forest is
# scale-invariant: the module docstring). Top-gene ranks read the unscaled variance.
CLASSICAL_SPACES: dict[str, SearchSpace] = {
    "svm": {"model.C": FloatParam(0.01, 1000.0, log=True),
            "model.gamma_scale": FloatParam(0.03, 10.0, log=True),
            "model.input_scaling": SCALINGS},
    "svm_linear": {"model.C": FloatParam(1e-4, 10.0, log=True),
                   "model.input_scaling": SCALINGS},
    "logreg": {"model.C": FloatParam(1e-4, 100.0, log=True), "model.input_scaling": SCALINGS},
    "rf": {"model.min_samples_leaf": IntParam(1, 10),
           "model.max_features_factor": FloatParam(0.25, 4.0, log=True)},
    "coxnet": {"model.l1_ratio": FloatParam(0.05, 1.0),
               "model.n_top_genes": Categorical((500, 1000, 2000, 5000, 10000)),
               "model.input_scaling": SCALINGS},
    "coxph": {"model.alpha": FloatParam(0.01, 1000.0, log=True),
              "model.n_top_genes": IntParam(10, 200, log=True),
              "model.n_components": Categorical((None, 5, 10)),
              "model.input_scaling": SCALINGS},
}


def model_defaults(name: str) -> dict[str, Any]:
    """Options model ``name`` runs with where its config leaves them out: the ``defaults``
    it registered (a classical model's ``<NAME>_DEFAULTS``, a neural model's constructor
    defaults), empty when it registered none. Trial 0 of a search takes them for searched
    keys a preset leaves out, so that it is the starting configuration."""
    return dict(get_spec(name).defaults or {})


def contains(p: Param, value: Any, chosen: Mapping[str, Any]) -> bool:
    """Whether parameter ``p`` can take ``value`` (``chosen``: the other keys' values, for
    an :class:`IntParam` capped by ``at_most``)."""
    if isinstance(p, Categorical):
        return any(value == c and type(value) is type(c) for c in p.choices)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(p, IntParam):
        high = p.high if p.at_most is None else min(p.high, int(chosen.get(p.at_most, p.high)))
        return float(value).is_integer() and p.low <= value <= high
    return isinstance(p, FloatParam) and p.low <= value <= p.high


def fit_to_start(space: SearchSpace, start: Mapping[str, Any], n_genes: int | None = None
                 ) -> SearchSpace:
    """``space`` with the keys its starting model options ``start`` rule out held at their
    starting values: a backbone's fine-tuning depth (``model.finetune``) without pretrained
    weights (``weights: none``), where any depth but ``all`` trains on a frozen random
    network; and, given the data's ``n_genes``, with ``model.n_top_genes`` cut to them
    (:func:`_fit_top_genes`)."""
    if n_genes is not None and "model.n_top_genes" in space:
        space = {**space, "model.n_top_genes": _fit_top_genes(space["model.n_top_genes"],
                                                               start.get("n_top_genes"), n_genes)}
    if "model.finetune" not in space:
        return space
    depth = start.get("finetune", "auto")
    if str(start.get("weights", "none")) == "none":
        return {**space, "model.finetune": Fixed(depth)}
    choices = space["model.finetune"]
    if depth == "auto" and isinstance(choices, Categorical):  # auto is last_block here
        return {**space, "model.finetune": Categorical(tuple(
            "auto" if c == "last_block" else c for c in choices.choices))}
    return space


def _fit_top_genes(p: Param, start: Any, n_genes: int) -> Param:
    """How many of the most variable genes a model sees, searched among the ``n_genes`` there
    are: every value from ``n_genes`` up keeps them all, so those are one choice (the
    starting value where it is one of them), and a range is capped there; a single choice
    left is held (Coxnet drew 1000 and 2000 on 391 genes, and reported the draw as tuned)."""
    if isinstance(p, Categorical) and all(isinstance(c, int) for c in p.choices):
        fewer = [c for c in p.choices if c < n_genes]
        every = [c for c in p.choices if c >= n_genes]
        keep = fewer + ([start if isinstance(start, int) and start >= n_genes else min(every)]
                        if every else [])
        return Categorical(tuple(keep)) if len(keep) > 1 else Fixed(keep[0])
    if isinstance(p, IntParam) and p.high > n_genes:
        return IntParam(p.low, n_genes, p.log, p.at_most) if p.low < n_genes else Fixed(n_genes)
    return p


def widen_to_start(space: SearchSpace, start: Mapping[str, Any]
                   ) -> tuple[SearchSpace, dict[str, Any], dict[str, Any]]:
    """``space`` widened so that it holds the starting values ``start`` (config path ->
    value), so that a search's trial 0 is the starting configuration.

    A categorical gains the value as a choice, a range stretches to it. A value a range
    cannot hold (zero or less on a log scale, a non-number, a fraction for an int, an int
    above its ``at_most`` key's starting value) stays outside: trial 0 draws that key.

    Returns
    -------
    space, widened, outside
        The widened space; the keys widened and the keys left outside, each with its
        starting value.
    """
    out: SearchSpace = dict(space)
    widened: dict[str, Any] = {}
    outside: dict[str, Any] = {}
    for key, value in start.items():
        p = out.get(key)
        if p is None or isinstance(p, Fixed) or contains(p, value, start):
            continue
        number = not isinstance(value, bool) and isinstance(value, (int, float))
        if isinstance(p, Categorical):
            out[key] = Categorical((*p.choices, value))
        elif (isinstance(p, IntParam) and number and float(value).is_integer()
              and not (p.log and value <= 0)
              and (p.at_most is None or value <= int(start.get(p.at_most, value)))):
            out[key] = IntParam(min(p.low, int(value)), max(p.high, int(value)), p.log, p.at_most)
        elif isinstance(p, FloatParam) and number and not (p.log and value <= 0):
            out[key] = FloatParam(min(p.low, float(value)), max(p.high, float(value)), p.log)
        else:
            outside[key] = value
            continue
        widened[key] = value
    return out, widened, outside


def _model_options(space: SearchSpace, keys: tuple[str, ...]) -> SearchSpace:
    """``space`` without the ``model.`` keys the factory does not take (``input_scaling``,
    a data option, is kept for every model)."""
    return {k: p for k, p in space.items() if not k.startswith("model.")
            or k.removeprefix("model.") in keys or k == "model.input_scaling"}


for _name, (_space, _keys) in NEURAL_SPACES.items():
    set_search_space(_name, _model_options(_space, _keys))
for _name, _space in CLASSICAL_SPACES.items():
    set_search_space(_name, {**_space, "model.tune": Fixed(False)})


def search_space(name: str, task: str) -> SearchSpace:
    """The search space of model ``name`` for ``task`` (see the module docstring).

    Raises
    ------
    InputError
        The model declares no space, or its grid is missing.
    """
    spec = get_spec(name)
    space = dict(spec.search_space) if spec.search_space is not None else None
    if space is None and spec.kind == "sklearn":
        space = _grid_space(spec)
    if not space:
        raise input_error(f"model {name!r} declares no hyper-parameter search space",
                          where="--model",
                          fix="tune a model with one (a neural or image model of genemoe, or a "
                              "classical model registered with its grid=), or declare one "
                              "with genemoe.models.registry.set_search_space")
    if task == "survival":
        space = {k: p for k, p in space.items() if k not in CLASSIFY_ONLY}
        space.update({k: p for k, p in _SURVIVAL.items() if k in space})
    return space


def _grid_space(spec: ModelSpec) -> SearchSpace:
    """A classical model's registered grid as categoricals, its own search switched off."""
    if not spec.grid:
        return {}
    space: SearchSpace = {f"model.{k}": Categorical(tuple(v)) for k, v in spec.grid.items()}
    if "tune" in (spec.defaults or {}):
        space["model.tune"] = Fixed(False)
    return space


def value_text(v: Any) -> str:
    """One hyper-parameter value for people: floats to 3 significant digits (``0.000216``),
    also inside a list (an ensemble's members' choices: ``[0.0892, 0.103]``); booleans and
    None in YAML's spelling (``false``, ``null``), as in best.yaml."""
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value_text(x) for x in v) + "]"
    if isinstance(v, bool) or v is None:  # as best.yaml and a --config file spell them
        return {True: "true", False: "false", None: "null"}[v]
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def params_text(params: Mapping[str, Any]) -> str:
    """Hyper-parameters as one short line: ``train.lr=0.000216, model.k=2``."""
    return ", ".join(f"{k}={value_text(v)}" for k, v in params.items())
