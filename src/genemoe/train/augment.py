"""The training recipe's model-agnostic parts: input noise, mixup and a weight EMA.

:func:`~genemoe.train.loop.train_model` applies them identically to every model (it never
knows the architecture), so a gain in a benchmark table is the architecture's, not the
recipe's:

- **Gaussian input noise** (``TrainConfig.noise_std``): each training batch's (already
  scaled) input becomes ``x̂ = x + z``, ``z ~ N(0, noise_std²)`` per entry (the Gene-MOE
  paper's denoising input, here in supervised training).
- **Mixup** (``TrainConfig.mixup_alpha``, classification only): the batch's rows are mixed
  with a permutation of themselves, ``x̃ = λ x_a + (1 - λ) x_b`` with ``λ ~ Beta(α, α)``
  (one ``λ`` per batch), and the loss is ``λ loss(y_a) + (1 - λ) loss(y_b)``: the trainer
  calls ``loss_fn`` twice on the same output (:func:`mix_losses`), so any loss that takes
  hard class targets works unchanged. For losses linear in the target distribution
  (cross-entropy, the soft-target focal loss of :func:`genemoe.train.losses.focal_loss`)
  this equals the loss of the mixed soft target ``λ q_a + (1 - λ) q_b``.
- **Weight EMA** (``TrainConfig.ema_decay``): an exponential moving average of the weights
  and buffers, updated after every optimiser step (:class:`WeightAverage`); validation,
  the kept best state and the final weights use it.

Mixup comes first, then noise. Every draw is a pure function of ``(seed, epoch, step)``
(a counter-based stream: :func:`step_seed`), so training stays deterministic, resumes
from a checkpoint to bitwise-identical weights with no generator state to save, and the
noise and mixing of a global batch are the same whatever the number of data-parallel
processes (each draws the whole global batch's and keeps its own rows). The draws never
touch the global torch RNG, so turning an option on leaves the dropout stream as it was.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from genemoe.train.losses import LossOutput
from genemoe.train.scaled_rows import ScaledRows

__all__ = ["Mixup", "BatchAugment", "WeightAverage", "step_seed", "mix_losses"]

logger = logging.getLogger(__name__)

_NOISE_STREAM, _MIXUP_STREAM = 0, 1  # separate streams of one (seed, epoch, step)


def step_seed(seed: int, epoch: int, step: int, stream: int) -> int:
    """A 63-bit seed for the draws of one training step (``SeedSequence`` mixing).

    Parameters
    ----------
    seed
        The run's seed (``TrainConfig.seed``, >= 0).
    epoch, step
        1-based epoch and 0-based step within it.
    stream
        Which draw (noise, mixup) of the step.
    """
    state = np.random.SeedSequence([seed, epoch, step, stream]).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


@dataclass(frozen=True)
class Mixup:
    """The mixing of one global batch.

    Attributes
    ----------
    lam
        ``λ ~ Beta(α, α)``: the weight of each row's own input and target.
    partner
        ``(batch,)`` positions within the global batch: row ``i`` is mixed with row
        ``partner[i]`` (a permutation).
    """

    lam: float
    partner: np.ndarray


class BatchAugment:
    """Builds a training batch's (augmented) input; a no-op with both options at 0.

    Parameters
    ----------
    noise_std
        Standard deviation of the additive Gaussian noise (0 = none).
    mixup_alpha
        ``α`` of the mixup ``Beta(α, α)`` (0 = no mixup).
    seed
        The run's seed.
    """

    def __init__(self, *, noise_std: float = 0.0, mixup_alpha: float = 0.0, seed: int = 0) -> None:
        self.noise_std, self.mixup_alpha, self.seed = float(noise_std), float(mixup_alpha), seed
        self._generators: dict[torch.device, torch.Generator] = {}  # noise, one per device

    def inputs(self, X: torch.Tensor | ScaledRows, rows: np.ndarray, positions: np.ndarray, *,
               epoch: int, step: int, device: torch.device) -> tuple[torch.Tensor, Mixup | None]:
        """This process's rows of global batch ``rows``, augmented.

        Parameters
        ----------
        X
            ``(n_train, n_genes)`` float32 training matrix (CPU), or a lazy
            :class:`~genemoe.train.scaled_rows.ScaledRows` view: then only this process's
            rows of the batch (and, with mixup, their partners) are read.
        rows
            ``(batch,)`` the global batch's row indices into ``X``.
        positions
            Positions within ``rows`` that this process computes (all of them without
            data parallelism).
        epoch, step
            Where in training this batch is (seeds its draws).
        device
            Where the batch goes.

        Returns
        -------
        tuple
            ``(x (len(positions), n_genes) on device, Mixup or None)``.
        """
        # a lazy ScaledRows reads only these rows from the bundle (an ndarray; a tensor stays one)
        xb = torch.as_tensor(X[rows[positions]]).to(device, non_blocking=True)  # (shard, n_genes)
        mix = None
        if self.mixup_alpha > 0:
            rng = np.random.default_rng(step_seed(self.seed, epoch, step, _MIXUP_STREAM))
            mix = Mixup(lam=float(rng.beta(self.mixup_alpha, self.mixup_alpha)),
                        partner=rng.permutation(len(rows)))
            xp = torch.as_tensor(X[rows[mix.partner[positions]]]).to(device, non_blocking=True)
            xb = mix.lam * xb + (1.0 - mix.lam) * xp
        if self.noise_std > 0:
            gen = self._generator(device)
            gen.manual_seed(step_seed(self.seed, epoch, step, _NOISE_STREAM))
            z = torch.randn((len(rows), X.shape[1]), generator=gen, device=device)  # global batch
            xb = xb + self.noise_std * z[torch.as_tensor(positions, device=device)]
        return xb, mix

    def _generator(self, device: torch.device) -> torch.Generator:
        if device not in self._generators:
            self._generators[device] = torch.Generator(device=device)
        return self._generators[device]


def mix_losses(a: LossOutput, b: LossOutput, lam: float) -> LossOutput:
    """``λ a + (1 - λ) b`` for the total and for each component both have.

    Parameters
    ----------
    a, b
        ``loss_fn`` of the same output against the rows' own targets (``a``) and their
        mixup partners' (``b``).
    lam
        The batch's mixup weight.
    """
    comps = {k: lam * v + (1.0 - lam) * b.components[k]
             for k, v in a.components.items() if k in b.components}
    return LossOutput(loss=lam * a.loss + (1.0 - lam) * b.loss, components=comps)


class WeightAverage(nn.Module):
    """An exponential moving average of a model's parameters and buffers.

    After the ``n``-th call of :meth:`update_parameters` (``n = 1, 2, ...``)::

        ema = weights                             (n = 1: a copy)
        ema = d_n · ema + (1 - d_n) · weights      (n > 1), d_n = min(decay, n / (n + 9))

    The warm-up of ``d_n`` (TensorFlow's and timm's ``num_updates`` rule) keeps the average
    of a short run from being dominated by its first weights: with ~50 steps an epoch, a
    plain 0.999 would still hold ~10% of epoch 1 after 40 epochs. Floating buffers
    (batch-norm running statistics) are averaged like the weights, so they follow the
    averaged weights; integer buffers are copied.

    Parameters
    ----------
    model
        The unwrapped model, already on its device (deep-copied into :attr:`module`).
    decay
        Largest per-step decay, in (0, 1): 0.999 averages over roughly the last 1,000
        steps.

    Attributes
    ----------
    module
        The averaged model (predicts like ``model``; never trained).
    n_averaged
        Number of updates so far (a buffer: :meth:`state_dict` checkpoints it with
        ``module.*``).
    """

    def __init__(self, model: nn.Module, decay: float) -> None:
        super().__init__()
        if not 0 < decay < 1:
            raise ValueError(f"EMA decay must be in (0, 1), got {decay}")
        self.decay = float(decay)
        self.module = copy.deepcopy(model).requires_grad_(False)
        self.register_buffer("n_averaged", torch.zeros((), dtype=torch.long))

    def current_decay(self) -> float:
        """``d_n`` of the next update (0 for the first: a copy)."""
        n = int(self.n_averaged) + 1
        return 0.0 if n == 1 else min(self.decay, n / (n + 9))

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """Fold ``model``'s current weights into the average (call after each step)."""
        weight = 1.0 - self.current_decay()
        pairs = zip([*self.module.parameters(), *self.module.buffers()],
                    [*model.parameters(), *model.buffers()], strict=True)
        for avg, cur in pairs:
            if avg.is_floating_point() and weight < 1.0:
                avg.lerp_(cur, weight)
            else:  # the first update, and integer buffers (batch counts)
                avg.copy_(cur)
        self.n_averaged += 1

