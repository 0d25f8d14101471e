"""Attribution methods besides plain Integrated Gradients, and the choice among them.

Methods (``--method``), each giving ``(n, n_genes)`` attributions and an ``(n,)``
completeness delta ``Σ attributions - (f(x) - f(reference))``:

- ``"ig"``: Integrated Gradients on the model as it is
  (:func:`~genemoe.explain.integrated_gradients.attribute`).
- ``"frozen_ig"``: Integrated Gradients with each sample's top-k routing frozen at its own
  experts along the whole path (:func:`genemoe.models.moe.frozen_routing`, gate values
  recomputed smoothly over the frozen set). The frozen model is smooth and equals the
  model at ``x``, so completeness holds; the reference output is ``f_frozen(baseline)``.
  Identical to ``"ig"`` for a model without sparse gates.
- ``"gradient_shap"``: expected gradients (captum's ``GradientShap`` with no input noise):
  the gradient at a random point between ``x`` and a random *training-split* sample, times
  their difference, averaged over ``n_draws`` draws. Completeness holds only in
  expectation (``f(x) - mean f(drawn baselines)``), so its delta is Monte-Carlo error.
- ``"train_ig"``: Integrated Gradients from each of ``n_draws`` (8) training-split tumours
  (drawn once, seeded by ``--seed``, shared by every sample: on a trained MLP a redraw
  moved most of a class's top 10, 32 references held them; convergence.json's
  ``references`` names the draw, :mod:`genemoe.explain.references`) to ``x``, averaged, with the routing frozen at ``x`` on sparse
  models: GradientSHAP's real-tumour references with IG's deterministic quadrature, so
  completeness holds exactly against the mean ``f(_frozen)(b)`` of the references, at
  ``n_draws`` times the cost of ``frozen_ig``. **The default for every model that reads
  the gene vector** (``mlp``, ``fcn``, ``moe``, ``genemoe``, the survival peers); image
  models (``hybrid_cnn``, the ImageNet backbones) default to ``"ig"``.
- ``"linear"``: the classical linear models (``coxnet``, ``coxph``, ``logreg``), and only
  they: coefficient x (x - reference), exact (:mod:`genemoe.explain.linear`); ``auto``
  picks it for them.
- ``"deeplift"``: captum's ``DeepLift`` (rescale rule) against the same baseline as IG.
  Exact summation needs a network of linear maps and elementwise nonlinearities; gates,
  attention and layer norms multiply inputs, so expect gaps on MoE/MOAE models. On sparse
  models it runs with the routing frozen at ``x`` (captum's rescale hooks pair each
  expert's input rows with its baseline rows, which live routing would not keep aligned),
  so, as for ``frozen_ig``, the reference output is ``f_frozen(baseline)``.

Why ``train_ig`` is the default (evidence: tests/explain and docs/results.md (e)):
on a tiny sparse ``moe``/``genemoe`` plain IG misses completeness by 15-100% (median; the
output jumps where routing switches) and frozen routing meets it to < 1e-4. On Gene-MOE
trained on the six GDC cohorts, frozen routing takes plain IG's 9% median / 27% max gap to
0.001% / 1% but leaves its rankings as they were (2 of 7 adrenal-cortex genes in ACC's top
20, none of 5 intercalated-cell genes in KICH's top 25) - the average-tumour baseline is no
tumour at all. GradientSHAP's training-tumour references name the biology better (5 and 1)
but add up only in expectation (26% median gap with 32 draws). ``train_ig`` keeps both:
0.09% median / 0.4% max gap, 4 of 7 and 4 of 5, 1.8 s per sample. DeepLIFT's rules do not
cover the gates (gaps near 100% on Gene-MOE). On the dense models of the same cohorts
``train_ig`` is as complete as IG (gap < 0.1%) and names as much or more: the MLP 6 of 7 and 4
of 5 with either; ``fcn`` 5 and 2 with ``train_ig`` but 5 and 1 with IG (short of KICH's 2).
Image models keep plain IG: ``train_ig`` costs 8 IG runs (11.6 against 1.0 s per sample on
ResNet-50) and named hardly more there (ResNet-50 2 and 0 against 1 and 0; ``hybrid_cnn`` 1
and 1 with either).
"""

from __future__ import annotations

import logging
import time
import warnings
from contextlib import contextmanager, nullcontext
from typing import Literal

import numpy as np
import torch
from torch import nn

from genemoe.data.scaling import Scaler
from genemoe.errors import input_error
from genemoe.explain.integrated_gradients import (
    BaselineName,
    _check_target,
    attribute,
    barely_moved,
    baseline_vector,
    output_fn,
)
from genemoe.explain.linear import LinearScore, linear_attributions
from genemoe.models.image import GeneToImage
from genemoe.models.moe import frozen_routing, has_sparse_routing

__all__ = ["METHODS", "DEFAULT_DRAWS", "PATH_METHODS", "DEFAULT_N_STEPS", "NOT_REFINED", "Method", "is_image_model", "resolve_method", "reference_rows", "train_references", "refines", "gradient_shap", "deeplift", "attribute_with"]

log = logging.getLogger(__name__)

Method = Literal["auto", "ig", "frozen_ig", "gradient_shap", "deeplift", "train_ig", "linear"]
METHODS: tuple[str, ...] = ("ig", "frozen_ig", "gradient_shap", "deeplift", "train_ig")
DEFAULT_DRAWS = {"gradient_shap": 32, "train_ig": 8}  # draws / references per sample
PATH_METHODS = ("ig", "frozen_ig", "train_ig")  # integrate along a path: --n-steps is theirs
DEFAULT_N_STEPS = 50  # integration steps per sample


NOT_REFINED = ("integrated once at --n-steps: the model routes each sample to its top-k "
               "experts, and the output jumps where the path switches experts, which more "
               "steps cannot close (re-integrating cost up to 8x and did not shrink the gap)")
"""convergence.json's ``refine.skipped`` for plain IG on a sparse model (:func:`refines`)."""


def refines(method: str, model: nn.Module) -> bool:
    """Whether ``method`` re-integrates samples that miss completeness on ``model``: the path
    methods, except plain ``ig`` with live top-k routing (its gap is the routing jumps, the
    same at 50 and 400 steps: ``--compare`` gave ig 11 s a sample against frozen_ig's 2.2)."""
    return method in PATH_METHODS and not (method == "ig" and has_sparse_routing(model))


def is_image_model(model: nn.Module) -> bool:
    """True if ``model`` lays the genes out as an image (``hybrid_cnn``, ImageNet backbones)."""
    return any(isinstance(m, GeneToImage) for m in model.modules())


def resolve_method(model: nn.Module, method: str = "auto") -> str:
    """``"auto"`` → ``"ig"`` for an image model (genes laid out as pixels), ``"linear"`` for
    a classical linear model (:mod:`genemoe.explain.linear`), else ``"train_ig"``."""
    if isinstance(model, LinearScore):
        if method not in ("auto", "linear"):
            raise input_error(f"{model.model_name} is a classical linear model: it is "
                              f"explained exactly (coefficient x difference), and --method "
                              f"{method} needs gradients", where="--method",
                              fix="leave --method out (auto), or pass --method linear")
        return "linear"
    if method == "linear":
        raise input_error("--method linear is for the classical linear models "
                          "(coxnet, coxph, logreg, svm_linear)", where="--method",
                          fix=f"use auto or one of: {', '.join(METHODS)}")
    if method == "auto":
        return "ig" if is_image_model(model) else "train_ig"
    if method not in METHODS:
        raise input_error(f"unknown attribution method {method!r}", where="--method",
                          fix=f"use auto or one of: {', '.join(METHODS)}")
    return method


@contextmanager
def _eval_mode(model: nn.Module):
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            yield
    finally:
        model.train(was_training)


@contextmanager
def _numpy_seed(seed: int):
    """captum draws GradientSHAP baselines and alphas from numpy's global RNG."""
    state = np.random.get_state()  # noqa: NPY002 (captum uses the legacy global RNG)
    np.random.seed(seed)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def gradient_shap(model: nn.Module, X: np.ndarray, *, target: int | np.ndarray | None,
                  train_X: np.ndarray, n_draws: int = 32, seed: int = 0,
                  internal_batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Expected gradients over training-split baselines (captum ``GradientShap``, no noise).

    Parameters
    ----------
    model, X, target
        As :func:`~genemoe.explain.integrated_gradients.attribute`.
    train_X
        ``(m, n_genes)`` scaled training-split samples the baselines are drawn from.
    n_draws
        Baseline/alpha draws per sample.
    seed
        Seeds the draws (numpy's global RNG is restored afterwards).
    internal_batch_size
        Rows per forward pass (``n_draws`` rows per sample).

    Returns
    -------
    tuple
        ``(n, n_genes)`` attributions and ``(n,)`` delta, the mean over draws of
        ``Σ attributions_draw - (f(x) - f(b_draw))``.
    """
    from captum.attr import GradientShap

    X = np.asarray(X, np.float32)
    n = len(X)
    tgt = _check_target(model, target, n)
    device = next(model.parameters()).device
    refs = torch.from_numpy(np.asarray(train_X, np.float32)).to(device)
    chunk = max(1, internal_batch_size // max(1, n_draws))
    attrs, deltas = [], []
    with _eval_mode(model), _numpy_seed(seed):
        gs = GradientShap(output_fn(model))
        for i in range(0, n, chunk):
            sl = slice(i, i + chunk)
            t = tgt[sl] if isinstance(tgt, list) else tgt
            a, d = gs.attribute(torch.from_numpy(X[sl]).to(device), baselines=refs, target=t,
                                n_samples=n_draws, stdevs=0.0, return_convergence_delta=True)
            attrs.append(a.detach().cpu().numpy().astype(np.float32))
            # NoiseTunnel repeats each sample n_draws times (row r is sample r // n_draws)
            deltas.append(d.detach().cpu().numpy().reshape(-1, n_draws).mean(1).astype(np.float32))
    return np.concatenate(attrs), np.concatenate(deltas)


class _Output(nn.Module):
    """``x -> logits`` (or the risk) as a module: DeepLIFT hooks the modules inside."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self._forward = output_fn(model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._forward(x)


def deeplift(model: nn.Module, X: np.ndarray, *, target: int | np.ndarray | None,
             baseline: BaselineName | np.ndarray = "train_mean", scaler: Scaler | None = None,
             internal_batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """DeepLIFT (rescale rule, captum ``DeepLift``) against the IG baseline.

    Returns ``(n, n_genes)`` attributions and the ``(n,)`` summation delta
    ``Σ attributions - (f(x) - f(baseline))`` (``f_frozen(baseline)`` for a sparse model,
    whose routing is frozen at ``x``: module docstring).
    """
    from captum.attr import DeepLift

    X = np.asarray(X, np.float32)
    n, n_genes = X.shape
    tgt = _check_target(model, target, n)
    b = np.broadcast_to(baseline_vector(baseline, n_genes, scaler=scaler), X.shape)
    device = next(model.parameters()).device
    attrs, deltas = [], []
    sparse = has_sparse_routing(model)
    with _eval_mode(model):
        dl = DeepLift(_Output(model))
        for i in range(0, n, max(1, internal_batch_size // 2)):
            sl = slice(i, i + max(1, internal_batch_size // 2))
            t = tgt[sl] if isinstance(tgt, list) else tgt
            xs = torch.from_numpy(X[sl]).to(device)
            # captum stacks inputs then baselines (row r is sample r % n: "tile")
            with frozen_routing(model, xs) if sparse else nullcontext(), warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="(?s).*(hooks|require gradients)")
                a, d = dl.attribute(xs, baselines=torch.from_numpy(b[sl].copy()).to(device),
                                    target=t, return_convergence_delta=True)
            attrs.append(a.detach().cpu().numpy().astype(np.float32))
            deltas.append(d.detach().cpu().numpy().reshape(-1).astype(np.float32))
    return np.concatenate(attrs), np.concatenate(deltas)


def _rows_off(a: np.ndarray, d: np.ndarray, tolerance: float, group: int = 1) -> np.ndarray:
    """The rows to integrate again: those of each sample whose attributions miss
    ``tolerance`` of its output change (barely moved samples aside), the sample being the
    mean of ``group`` consecutive rows (``train_ig``: its references), as convergence.json
    counts it (:func:`~genemoe.explain.convergence._refined`). Checking each reference
    alone left a sample 1.4% off after 20 steps of 80 (each reference within 1%, their mean
    not): said as "above the 1% tolerance" and never integrated again."""
    n = len(d) // group
    mean_a = a.reshape(n, group, -1).mean(1)  # the sample's attributions, as _train_ig's
    mean_d = d.reshape(n, group).mean(1)
    change = mean_a.astype(np.float64).sum(1) - mean_d  # f(x) - f(baseline); the summary's rule
    off = np.flatnonzero(~barely_moved(mean_a, mean_d) & (np.abs(mean_d) > tolerance * np.abs(change)))
    return (off[:, None] * group + np.arange(group)[None, :]).ravel()


def _refined_ig(model: nn.Module, X: np.ndarray, *, target, tolerance: float | None, max_steps: int,
                n_steps: int, used: list | None = None, group: int = 1,
                **options) -> tuple[np.ndarray, np.ndarray]:
    """IG, re-integrating with 4x the steps the samples that miss ``tolerance``; ``used``
    gains each row's last step count, ``(n,)``; ``group``: rows per sample, whose mean is
    checked (:func:`_rows_off`)."""
    a, d = attribute(model, X, target=target, n_steps=n_steps, **options)
    steps, per_sample = n_steps, np.full(len(X), n_steps)
    while tolerance is not None and steps < max_steps:
        bad = _rows_off(a, d, tolerance, group)
        if len(bad) == 0:
            break
        steps = min(4 * steps, max_steps)
        log.info("re-integrating %d samples with %d steps", len(bad) // group, steps)
        t = np.asarray(target)[bad] if np.ndim(target) else target
        b = options["baseline"]
        sub = {**options, "baseline": b[bad] if isinstance(b, np.ndarray) and b.ndim == 2 else b}
        a[bad], d[bad] = attribute(model, X[bad], target=t, n_steps=steps, **sub)
        per_sample[bad] = steps
    if used is not None:
        used.append(per_sample)
    return a, d


def _need_train(train_X: np.ndarray | None) -> np.ndarray:
    if train_X is None or len(train_X) == 0:
        raise input_error("this method draws its baselines from training samples; none given",
                          where="train_X", fix="pass the scaled training-split rows")
    return train_X


def reference_rows(n_pool: int, n_draws: int, seed: int) -> np.ndarray:
    """Which of ``n_pool`` training rows ``train_ig`` integrates from: ``(min(n_draws,
    n_pool),)`` indices in draw order, seeded. One draw serves every explained sample, so
    explaining more samples does not average its luck out (``--seed`` redraws it)."""
    return np.random.default_rng(seed).choice(n_pool, min(n_draws, n_pool), replace=False)


def train_references(train_X: np.ndarray, n_draws: int, seed: int) -> np.ndarray:
    """``train_ig``'s references: ``(min(n_draws, m), n_genes)`` rows of ``train_X``
    ``(m, n_genes)``, drawn once (seeded, :func:`reference_rows`) and shared by every sample."""
    return train_X[reference_rows(len(train_X), n_draws, seed)]


def _train_ig(model: nn.Module, X: np.ndarray, *, target, train_X: np.ndarray, n_draws: int,
              seed: int, used: list | None = None, halves: list | None = None,
              changes: list | None = None, **options) -> tuple[np.ndarray, np.ndarray]:
    """IG averaged over ``n_draws`` seeded training references, routing frozen at ``x``
    (``used``: each sample's most steps over its references; ``halves``: gains the
    ``(n, n_genes)`` means over the first and the second half of the references, no extra
    model pass, for :func:`genemoe.explain.references.split_half_stability`; ``changes``:
    gains each sample's attributed change from each reference, ``Σ attributions - delta``
    ``(n, m)``, for :func:`genemoe.explain.routing_jump.routing_jump`'s per-reference jump)."""
    n, n_genes = X.shape
    refs = train_references(train_X, n_draws, seed)
    m = len(refs)
    rep_x = np.repeat(X, m, axis=0)  # (n * m, n_genes): sample i's rows i*m .. i*m + m - 1
    rep_t = np.repeat(np.asarray(target), m) if np.ndim(target) else target
    routing = "frozen" if has_sparse_routing(model) else "live"
    rows: list = []
    a, d = _refined_ig(model, rep_x, target=rep_t, baseline=np.tile(refs, (n, 1)),
                       routing=routing, used=rows, group=m, **options)
    if used is not None:
        used.append(rows[0].reshape(n, m).max(1))
    a = a.reshape(n, m, n_genes)
    if changes is not None:
        changes.append(a.astype(np.float64).sum(2) - d.reshape(n, m))
    if halves is not None and m >= 2:
        halves.append((a[:, : m // 2].mean(1), a[:, m // 2:].mean(1)))
    return a.mean(1), d.reshape(n, m).mean(1)


def _load_captum() -> None:
    """Import captum's attribution methods, once, before an attribution is timed: their
    first import (1.4 s on two shared cores) counted as the first method's work, so a
    3-sample ``--compare`` of an ensemble gave ig 2.2 s a sample against train_ig's 0.54."""
    import captum.attr  # noqa: F401


def attribute_with(method: str, model: nn.Module, X: np.ndarray, *, target: int | np.ndarray | None,
                   baseline: BaselineName | np.ndarray = "train_mean", scaler: Scaler | None = None,
                   train_X: np.ndarray | None = None, n_steps: int = 50, n_draws: int | None = None,
                   internal_batch_size: int = 64, seed: int = 0, tolerance: float | None = 0.01,
                   max_steps: int = 400, progress: bool = False, steps_used: list | None = None,
                   reference_halves: list | None = None, reference_changes: list | None = None,
                   weighted: list | None = None,
                   member_attributions: list | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """Run one method of :data:`METHODS` (or ``"auto"``).

    An ensemble (``genemoe train --ensemble K``) gets the **mean attribution** of its
    members: each member's attributions of its own logit for the target class (or its
    risk), averaged, and likewise the deltas (completeness then holds against the mean of
    the members' output changes). Attributing the ensemble's own output, the log of the
    mean probability, would credit genes through the members' softmax interplay instead.

    For ``ig``, ``frozen_ig`` and ``train_ig`` (a sample's mean over its references, as
    convergence.json checks it), samples whose relative completeness delta exceeds
    ``tolerance`` after ``n_steps`` are integrated again with 4x the steps, up to
    ``max_steps`` (a smooth but steep path, e.g. saturated tanh units of a wide model,
    needs more points; a path with routing jumps never converges, whatever the steps, so
    plain ``ig`` on a model with sparse routing integrates once: :func:`refines`).
    ``tolerance=None`` integrates once. ``steps_used``, where given, gains each sample's
    step count ``(n,)`` (an ensemble: one array per member). ``reference_halves``, where
    given, gains ``train_ig``'s two half-draw means per member (``_train_ig``);
    ``reference_changes`` its ``(n, m)`` attributed changes per reference, per member.
    ``weighted``, where given, gains a linear model's genes with weight per output
    (:func:`~genemoe.explain.linear.linear_attributions`). ``member_attributions``, where
    given, gains an ensemble's members' own attributions, one ``(n, n_genes)`` each (their
    agreement: :mod:`~genemoe.explain.members`; only the mean was kept).

    Returns
    -------
    tuple
        ``attributions (n, n_genes)``, ``delta (n,)`` and the wall-clock seconds taken.
    """
    method = resolve_method(model, method)
    n_draws = n_draws or DEFAULT_DRAWS.get(method, 0)
    members = getattr(model, "members", None)
    if isinstance(members, nn.ModuleList):  # an ensemble: the mean of its members' attributions
        runs = [attribute_with(method, m, X, target=target, baseline=baseline, scaler=scaler,
                               train_X=train_X, n_steps=n_steps, n_draws=n_draws,
                               internal_batch_size=internal_batch_size, seed=seed,
                               tolerance=tolerance, max_steps=max_steps, progress=progress,
                               steps_used=steps_used, reference_halves=reference_halves,
                               reference_changes=reference_changes)
                for m in members]
        if member_attributions is not None:
            member_attributions.extend(r[0] for r in runs)
        return (np.mean([r[0] for r in runs], 0), np.mean([r[1] for r in runs], 0),
                sum(r[2] for r in runs))
    if method != "linear":
        _load_captum()  # before the clock: its first import was timed as the first method's
    t0 = time.perf_counter()
    if method == "linear":  # exact: no path, no draws
        a, d = linear_attributions(model, X, target=target, reference=baseline_vector(
            baseline, X.shape[1], scaler=scaler).astype(np.float64), weighted=weighted)
    elif method in ("ig", "frozen_ig"):
        if not refines(method, model):
            tolerance = None  # NOT_REFINED
            log.info("plain IG on top-k routing: %s", NOT_REFINED)
        a, d = _refined_ig(model, X, target=target, baseline=baseline, scaler=scaler, n_steps=n_steps,
                           internal_batch_size=internal_batch_size, progress=progress,
                           routing="frozen" if method == "frozen_ig" else "live",
                           tolerance=tolerance, max_steps=max_steps, used=steps_used)
    elif method == "train_ig":
        a, d = _train_ig(model, X, target=target, train_X=_need_train(train_X), n_draws=n_draws,
                         seed=seed, n_steps=n_steps, internal_batch_size=internal_batch_size,
                         tolerance=tolerance, max_steps=max_steps, progress=progress,
                         used=steps_used, halves=reference_halves, changes=reference_changes)
    elif method == "gradient_shap":
        a, d = gradient_shap(model, X, target=target, train_X=_need_train(train_X), n_draws=n_draws, seed=seed,
                             internal_batch_size=max(internal_batch_size, n_draws))
    else:
        a, d = deeplift(model, X, target=target, baseline=baseline, scaler=scaler,
                        internal_batch_size=internal_batch_size)
    return a, d, time.perf_counter() - t0
