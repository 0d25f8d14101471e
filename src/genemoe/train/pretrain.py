"""``genemoe pretrain``: self-supervised Gene-MOE pre-training (paper section II-C, eqs. 5-11).

The generator ``G`` is the Gene-MOE encoder + decoder (``GeneMoeModel(with_decoder=True)``),
the critic ``D`` a dense network (:class:`~genemoe.models.critic.Critic`). Per batch of
scaled training rows ``x``:

1. noise augmentation (eq. 5): ``x̂ = x + z``, ``z ~ N(0, noise_std²)``;
2. one generator pass ``G(x̂)`` (training mode: dropout, noisy gates, reparameterised ``z``);
3. ``n_critic`` critic steps on ``(x̂, G(x̂).detach())``, each minimising
   ``E D(G(x̂)) - E D(x̂) + λ_gp E (‖∇D(x̃)‖₂ - 1)²`` over fresh interpolates ``x̃``
   (WGAN-GP, eq. 6; the critic never receives generator gradients);
4. one generator step on the same pass, minimising
   ``-E D(G(x̂)) + λ_KL KL + λ_L1 L1 + λ_balance (importance + load)`` (eq. 11; the
   critic's parameters are frozen for this step).

Deviation, said plainly: the ``n_critic`` critic steps reuse the batch's generator output
(with fresh interpolation weights each step) rather than drawing ``n_critic`` new batches,
so the generator steps once per batch at the cost of one generator pass. ``KL`` is the
mean over samples and latent dimensions of ``½(μ² + σ² − log σ² − 1)`` (eq. 7 without the
½ and summed); ``L1`` is the mean absolute error (eq. 8 summed), against ``x̂`` as in eq. 8
(``recon_target: clean`` makes it a denoising loss).

No leakage: only the training split of every bundle is trained on; the validation split
is used for the per-epoch reconstruction metrics; the test split is never read. The run
records the sample ids it used (train and val roles) and their patients; fine-tuning
(:func:`~genemoe.train.finetune.load_pretrained_encoder`) refuses a run that used any
sample, or any other sample of a patient, it tests on.

Two entry points share one training loop and write the same run directory:
:func:`genemoe.workflows.pretrain.pretrain_run` reads bundles (:func:`load_pretrain_data`); :func:`pretrain_on_data`
takes data already in memory (:func:`pretrain_data_from_arrays`: log-expression rows and a
scaler fitted on the training rows), e.g. one cross-validation fold's training part, its
validation part as the monitor (``genemoe ablation --pretrain-per-fold``). Either resumes
an interrupted run from its checkpoint, and returns a finished run of the same setup
(options, genes, samples) without retraining or rewriting it. A run directory holds::

    RUN/pretrained.pt   encoder + decoder + critic state, gene ids, scalers, samples used,
                        config, history, summary (read by ``genemoe train --pretrained``)
    RUN/history.jsonl   one line per epoch: every loss term, critic gap, validation
                        reconstruction (Pearson r, MSE vs the per-gene training mean),
                        per-expert utilisation and its entropy, throughput (samples/s,
                        seconds waiting for data) and peak RSS
    RUN/summary.json    final metrics and the collapse report
    RUN/samples.tsv     bundle, sample_id, role (train | val), patient_id of every sample used
    RUN/config.yaml     the resolved configuration
    RUN/checkpoint.pt   last-epoch state while the run is unfinished (resumed after an
                        interruption; holds the samples, so a run is never resumed on other
                        rows); removed once pretrained.pt is written

The metrics (:func:`reconstruction_metrics`, :func:`collapse_report`) live in
:mod:`genemoe.train.pretrain_metrics`, the data (:class:`PretrainData`,
:func:`load_pretrain_data`, :func:`pretrain_data_from_arrays`) in
:mod:`genemoe.train.pretrain_data`, the options (:func:`resolve_pretrain_config`) in
:mod:`genemoe.train.pretrain_config`; all are re-exported here. What makes two runs the
same setup (options, genes, samples, each bundle's ``record.json`` sha256) is
:mod:`genemoe.train.pretrain_setup`'s.
"""

from __future__ import annotations

import logging
import math
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
import yaml
from torch import nn
from tqdm.auto import tqdm

from genemoe import __version__
from genemoe.data.args import AtFolder, check_flags, shown_path
from genemoe.data.bundle import atomic_write_text, dump_json
from genemoe.errors import input_error
from genemoe.models.base import collect_aux
from genemoe.models.critic import Critic
from genemoe.models.registry import create_model
from genemoe.text_wrap import warning_text, wrapped
from genemoe.train import distributed as ddp
from genemoe.train.checkpoint import (
    capture_rng_state,
    load_checkpoint,
    restore_rng_state,
    save_checkpoint,
    write_history,
)
from genemoe.train.loop import torch_threads
from genemoe.train.model_file import save_model_file
from genemoe.train.pretrain_config import (
    PretrainConfig,
    config_extends,
    extends_comment,
    resolve_pretrain_config,
)
from genemoe.train.pretrain_data import PretrainData, load_pretrain_data, pretrain_data_from_arrays
from genemoe.train.pretrain_losses import (
    critic_step,
    generator_step,
    gradient_penalty,
    kl_to_standard_normal,
)
from genemoe.train.pretrain_metrics import (
    collapse_report,
    reconstruction_metrics,
    short_collapse,
    utilisation,
)
from genemoe.train.pretrain_record import (
    clipped_words,
    loss_weights,
    losses_words,
    resumed_words,
    validation_words,
    values_recorded,
)
from genemoe.train.pretrain_setup import bundle_records, samples_by_role, setup_diff, with_records
from genemoe.train.pretrain_stream import BatchFeed, StreamingRows, memory_stats
from genemoe.train.rng import keeps_global_rng
from genemoe.train.sampling import shuffled_batches
from genemoe.train.train_config import whole_number

__all__ = ["PretrainConfig", "PretrainData", "PretrainResult", "pretrain_on_data", "pretrain_prepared",
           "load_pretrain_data", "pretrain_data_from_arrays", "resolve_pretrain_config",
           "gradient_penalty", "kl_to_standard_normal", "critic_step", "generator_step",
           "check_call_options",
           "reconstruction_metrics", "collapse_report", "PRETRAINED_FORMAT"]

logger = logging.getLogger(__name__)

PRETRAINED_FORMAT = "genemoe-pretrained"
PRETRAINED_VERSION = 1



@dataclass
class PretrainResult(AtFolder):
    """What a pre-training run produced."""

    out_dir: Path
    history: list[dict[str, Any]]
    summary: dict[str, Any]
    finished: bool
    seconds: float
    reused: bool = False  # a finished run of the same setup: nothing trained this call

    def describe(self) -> str:
        s = self.summary
        last = self.history[-1] if self.history else {}
        how = "finished earlier with this setup: reused, nothing trained" if self.reused else (
            f"{self.seconds:.0f} s{'' if self.finished else ', paused'}")
        n = len(self.history)
        lines = [f"pre-training run: {shown_path(self.out_dir)}  ({n} epoch{'' if n == 1 else 's'}"
                 f"{resumed_words(s)}, {how})"]
        if "n_train" in s:  # which samples: said in summary.json and the report only
            n_test = sum(int(b.get("n_test_excluded") or 0) for b in s.get("bundles") or [])
            lines.append(f"  samples: {s['n_train']:,} training, {validation_words(s)}"
                         + (f"; {n_test:,} test left out, never read" if n_test else ""))
        if last:
            lines += [f"  validation reconstruction: R² vs the per-gene mean {last['val/r2']:.3f}; "
                      f"r per gene (across samples) {last['val/r_gene']:.3f};",  # as the report
                      f"    r per sample (across genes) {last['val/r_sample']:.3f} vs "
                      f"{last['val/r_sample_baseline']:.3f} for the per-gene mean"]
        if losses := losses_words(s.get("final") or {}, s.get("loss_weights") or {}):
            lines.append(wrapped(f"  {losses}", first_whole=False))  # unsaid but behind -v
        if clipped := clipped_words(s.get("bundles") or []):  # was unsaid (a 2-epoch gdc6
            lines.append(wrapped(f"  {clipped} (summary.json: bundles[].clipped)",  # run: 188)
                                 first_whole=False))
        for warning in s.get("collapse", {}).get("warnings", []):  # whole, wrapped (a line of
            lines += textwrap.wrap(f"COLLAPSE: {warning}", 100, initial_indent="  ",  # 340
                                   subsequent_indent="    ")  # characters, said twice)
        return "\n".join(lines)


# ---------------------------------------------------------------------------- training


@dataclass
class _State:
    """Everything one pre-training run carries between epochs."""

    config: PretrainConfig
    device: torch.device
    model: nn.Module
    critic: Critic
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    data: PretrainData
    X_train: torch.Tensor | StreamingRows
    generator: np.random.Generator
    epoch: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    resumed_from: list[int] = field(default_factory=list)  # the epoch each later call resumed after


def _lr_factor(config: PretrainConfig, epoch: int) -> float:
    """Linear decay: 1 up to ``decay_from × epochs``, then down to ``1 / n_decay`` at the end."""
    start = int(round(config.decay_from * config.epochs))
    e0 = epoch - 1  # 0-based
    return 1.0 - max(0, e0 - start) / max(1, config.epochs - start)


def _train_batch(st: _State, xb: torch.Tensor, sums: dict[str, float],
                 util: dict[str, np.ndarray]) -> None:
    c = st.config
    x_noisy = xb + c.noise_std * torch.randn_like(xb) if c.noise_std > 0 else xb  # eq. 5
    recon, mu, logvar = st.model.reconstruct(x_noisy)  # (B, n_genes), (B, latent) x 2
    aux, stats = collect_aux(st.model)
    parts: dict[str, float] = {}
    for _ in range(c.n_critic):
        step = critic_step(st.critic, st.opt_d, x_noisy, recon, lambda_gp=c.lambda_gp)
        for k, v in step.items():
            parts[k] = parts.get(k, 0.0) + v / c.n_critic
    target = x_noisy if c.recon_target == "noisy" else xb
    parts.update(generator_step(st.model, st.critic, st.opt_g, recon, target, mu, logvar, aux, c))
    n = xb.shape[0]
    for k, v in parts.items():
        sums[k] = sums.get(k, 0.0) + n * v
    sums["_n"] = sums.get("_n", 0.0) + n
    for k, v in stats.items():
        if k.endswith("/load"):
            name = k[: -len("/load")]
            util[name] = util.get(name, 0.0) + n * v.cpu().numpy().astype(np.float64)


def _reconstruct_val(st: _State) -> np.ndarray:
    """Validation reconstructions (eval mode: clean input, ``z = μ``), scaled ``(n_val, n_genes)``."""
    st.model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(st.data.X_val), st.config.eval_batch_size):
            xb = torch.from_numpy(st.data.X_val[i : i + st.config.eval_batch_size]).to(st.device)
            outs.append(st.model.reconstruct(xb)[0].float().cpu().numpy())
            collect_aux(st.model)  # clear the layers' records
    st.model.train()
    return np.concatenate(outs)


def _validate(st: _State) -> dict[str, float]:
    """Reconstruction metrics on the validation split, in log-expression units.

    The baseline predicts each gene's training mean (of the row's own bundle: the shift
    of its scaler, ``train_mean``)."""
    recon = _reconstruct_val(st)
    r_log, b_log = np.empty_like(recon), np.empty_like(recon)
    for i, s in enumerate(st.data.scalers):  # undo each bundle's scaling
        rows = st.data.val_bundle == i
        shift, scale = np.asarray(s["shift"], np.float32), np.asarray(s["scale"], np.float32)
        r_log[rows], b_log[rows] = recon[rows] * scale + shift, shift
    median = st.data.val_median
    if median is not None and len(median) != len(recon):  # a subset monitored: not this one
        median = None
    metrics = reconstruction_metrics(st.data.X_val_log, r_log, b_log, median)
    return {f"val/{k}": v for k, v in metrics.items()}


def _run_epoch(st: _State, epoch: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    factor = _lr_factor(st.config, epoch)
    lr, critic_lr = st.config.lr * factor, (st.config.critic_lr or st.config.lr) * factor
    for opt, rate in ((st.opt_g, lr), (st.opt_d, critic_lr)):
        for g in opt.param_groups:
            g["lr"] = rate
    st.model.train()
    st.critic.train()
    sums: dict[str, float] = {}
    util: dict[str, np.ndarray] = {}
    feed = BatchFeed(st.X_train, shuffled_batches(len(st.X_train), st.config.batch_size,
                                                  generator=st.generator, min_size=2),
                     device=st.device, workers=st.config.stream_workers,
                     prefetch=st.config.stream_prefetch)
    t_train = time.perf_counter()
    for xb in feed:
        _train_batch(st, xb, sums, util)
    speed = feed.stats(time.perf_counter() - t_train)
    n = sums.pop("_n")
    rec: dict[str, Any] = {"epoch": epoch, "lr": lr}
    rec.update({f"loss/{k}": v / n for k, v in sums.items()})
    if not math.isfinite(rec["loss/g_loss"]) or not math.isfinite(rec["loss/critic_loss"]):
        raise FloatingPointError(f"pre-training diverged at epoch {epoch}: lower lr or noise_std")
    rec["kl_per_dim"] = rec["loss/kl"]
    rec.update(_validate(st))
    rec.update(utilisation({k: v / n for k, v in util.items()}))
    rec["seconds"] = time.perf_counter() - t0
    rec.update(speed, stream=isinstance(st.X_train, StreamingRows), **memory_stats())
    st.epoch = epoch
    st.history.append(rec)
    return rec


def _save_checkpoint(st: _State, path: Path, meta: dict[str, Any]) -> None:
    save_checkpoint(path, model_state=st.model.state_dict(),
                    optimizer_state={"generator": st.opt_g.state_dict(),
                                     "critic": st.opt_d.state_dict()},
                    scheduler_state=None, epoch=st.epoch,
                    rng_state=capture_rng_state(st.generator), best_state=None,
                    best_metric=math.nan, history=st.history, meta=meta,
                    extra={"critic_state": st.critic.state_dict(), "kind": "pretrain",
                           "pretrain_config": st.config.to_dict(),
                           "resumed_from_epoch": list(st.resumed_from)})


def _resume(st: _State, path: Path, records: dict[str, str]) -> None:
    """Continue from ``path`` when it exists; refuse one written under another setup."""
    if not path.is_file():
        return
    ckpt = load_checkpoint(path)
    extra = ckpt.get("extra", {})
    saved = extra.get("pretrain_config")
    if extra.get("kind") != "pretrain" or saved is None:
        raise input_error("this checkpoint is not from a pre-training run", path=path,
                          fix="pre-train into a new --out directory")
    diff = setup_diff(saved, ckpt["meta"].get("gene_ids"), ckpt["meta"].get("samples"),
                      st.config, st.data.gene_ids, st.data.samples,
                      records=ckpt["meta"].get("bundle_records"), records_now=records)
    if diff:
        raise input_error(f"the checkpoint was written by a different pre-training setup "
                          f"({'; '.join(diff)})", path=path,
                          fix="use a new --out directory, or delete the checkpoint to start afresh")
    st.model.load_state_dict(ckpt["model_state"])
    st.critic.load_state_dict(extra["critic_state"])
    st.opt_g.load_state_dict(ckpt["optimizer_state"]["generator"])
    st.opt_d.load_state_dict(ckpt["optimizer_state"]["critic"])
    st.epoch, st.history = int(ckpt["epoch"]), list(ckpt["history"])
    # recorded in summary.json (was said on the terminal only); earlier calls' too
    st.resumed_from = [*map(int, extra.get("resumed_from_epoch") or ()), st.epoch]
    restore_rng_state(ckpt["rng_state"], st.generator)
    logger.warning("%s", warning_text(f"resuming pre-training from {path} after epoch "
                                      f"{st.epoch} (delete it to start afresh)"))
    # a warning, as train's: behind -v, a rerun looked like a fresh run


def _build(config: PretrainConfig, model_cfg: dict[str, Any], data: PretrainData,
           device: torch.device) -> _State:
    torch.manual_seed(config.seed)
    n_genes = data.X_train.shape[1]
    model = create_model(config.model, n_genes=n_genes, n_outputs=1, task="classify",
                         with_decoder=True, **model_cfg).to(device)
    critic = Critic(n_genes, config.critic_widths).to(device)
    gen_params = [p for n, p in model.named_parameters() if not n.startswith("head.")]
    betas = tuple(config.betas)
    X_train = data.X_train if isinstance(data.X_train, StreamingRows) else torch.from_numpy(data.X_train)
    return _State(config=config, device=device, model=model, critic=critic,
                  opt_g=torch.optim.Adam(gen_params, lr=config.lr, betas=betas),
                  opt_d=torch.optim.Adam(critic.parameters(), lr=config.critic_lr or config.lr,
                                         betas=betas), data=data,
                  X_train=X_train,
                  generator=np.random.default_rng(config.seed))


def pretrain_on_data(data: PretrainData, *, out_dir: Path | str, preset: str = "small",
                     config_path: Path | None = None, seed: int = 0, device: str = "auto",
                     epochs: int | None = None, progress: bool = True,
                     max_epochs_this_call: int | None = None,
                     model: str | None = None) -> PretrainResult:
    """Pre-train on data already in memory (:func:`pretrain_data_from_arrays`), e.g. a fold.

    The same training loop and run directory as
    :func:`genemoe.workflows.pretrain.pretrain_run` (``pretrained.pt``
    records ``data.samples`` as the train and val sample ids, so
    :func:`~genemoe.train.finetune.load_pretrained_encoder` refuses to fine-tune it on a
    test set that overlaps them). Resumable the same way.

    Parameters
    ----------
    data
        Scaled training rows, validation rows (scaled and unscaled), genes, scaler and the
        sample ids used.
    out_dir, preset, config_path, seed, device, epochs, progress, max_epochs_this_call, model
        As :func:`genemoe.workflows.pretrain.pretrain_run`.

    Returns
    -------
    PretrainResult
    """
    t0 = time.perf_counter()
    config, model_cfg = resolve_pretrain_config(preset, config_path, seed=seed, device=device,
                                                epochs=epochs, progress=progress, model=model)
    with torch_threads(config.num_threads):  # the caller's count restored after
        return pretrain_prepared(data, config, model_cfg, out_dir=Path(out_dir), preset=preset,
                                 max_epochs_this_call=max_epochs_this_call, t0=t0,
                                 extends=config_extends(config_path))


@keeps_global_rng
def pretrain_prepared(data: PretrainData, config: PretrainConfig, model_cfg: dict[str, Any], *,
                      out_dir: Path, preset: str, max_epochs_this_call: int | None,
                      t0: float, extends: str | None = None) -> PretrainResult:
    """Pre-train with a resolved config (:func:`resolve_pretrain_config`) on ``data``: the
    loop shared by :func:`pretrain_on_data` and ``genemoe pretrain``. ``extends``: what the
    ``--config`` YAML extends (:func:`config_extends`), recorded beside ``preset`` (its
    values override the preset's) unless it is ``preset`` itself."""
    check_call_options(max_epochs_this_call, config.progress)  # before anything is written
    records = bundle_records(data.bundles)  # each record.json's sha256: prepared again is
    done = _finished_result(out_dir, config, model_cfg, data, t0, records)  # another setup
    if done is not None:
        return done
    st = _build(config, model_cfg, data, ddp.resolve_device(config.device))
    out_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = out_dir / "checkpoint.pt"
    meta = {"gene_ids": data.gene_ids, "model_name": config.model, "model_config": model_cfg,
            "samples": samples_by_role(data.samples), "bundle_records": records}
    _resume(st, ckpt_path, records)
    last = config.epochs if max_epochs_this_call is None else st.epoch + max_epochs_this_call
    last = min(config.epochs, last)
    with tqdm(total=config.epochs, initial=st.epoch, desc="pretrain", unit="epoch",
              disable=not config.progress) as bar:
        while st.epoch < last:
            rec = _run_epoch(st, st.epoch + 1)
            if st.epoch == last or st.epoch % config.checkpoint_every == 0:
                _save_checkpoint(st, ckpt_path, meta)
            write_history(out_dir / "history.jsonl", st.history)
            bar.update(1)
            balance = (f", balance {rec['loss/importance'] + rec['loss/load']:.3g}"
                       if _gated(rec) else "")  # VAE-Cox has no gates: 0 was said
            logger.info("epoch %d: G %.4g (adv %.3g, KL %.3g, L1 %.3g%s) critic gap "
                        "%.3g; val r genes %.3f, samples %.3f (mean baseline %.3f), R² %.3f; "
                        "%.0f samples/s (data wait %.0f%%), peak RSS %.0f MiB",
                        st.epoch, rec["loss/g_loss"], rec["loss/adv"], rec["loss/kl"],
                        rec["loss/l1"], balance, rec["loss/critic_gap"], rec["val/r_gene"], rec["val/r_sample"],
                        rec["val/r_sample_baseline"], rec["val/r2"],
                        rec["throughput/samples_per_s"],
                        100 * rec["throughput/data_wait_fraction"], rec["memory/rss_peak_mib"])
    finished = st.epoch >= config.epochs
    summary = _summary(st, model_cfg, finished, records) | (  # extends: the preset itself
        {"preset": preset} | ({"extends": extends} if extends not in (None, preset) else {}))
    if finished:
        _write_outputs(st, out_dir, model_cfg, summary, records)
        ckpt_path.unlink(missing_ok=True)  # was kept: weights and both optimisers' state again
    return PretrainResult(out_dir, st.history, summary, finished, time.perf_counter() - t0)


def check_call_options(max_epochs_this_call: Any, progress: Any) -> None:
    """Refuse a pause that is not a whole number of 1 or more, and a progress that is not
    True or False: ``max_epochs_this_call="1"`` ended in a TypeError, ``0`` in a KeyError
    ('notes') after the folder was made, ``1.5`` ran 2 epochs, and ``progress="no"`` drew
    the bar. Both are Python's only (the command line has no such flag).

    Raises
    ------
    InputError
        Naming the argument and the fix.
    """
    if max_epochs_this_call is not None and (not whole_number(max_epochs_this_call)
                                             or max_epochs_this_call < 1):
        said = (f"{max_epochs_this_call!r} (a string)" if isinstance(max_epochs_this_call, str)
                else repr(max_epochs_this_call))
        raise input_error(f"must be a whole number of epochs, 1 or more, got {said}",
                          where="max_epochs_this_call",
                          fix="pass e.g. max_epochs_this_call=5 (pause after 5 epochs; call "
                              "again to resume), or None to run to the end")
    check_flags((progress, "progress"))


def _sample_patients(samples: pd.DataFrame) -> dict[str, str]:
    """Sample id → patient id of every sample used (``patient_id`` column of the table)."""
    if "patient_id" not in samples.columns:
        return {}
    return dict(zip(samples["sample_id"].astype(str), samples["patient_id"].astype(str),
                    strict=True))


def _finished_result(out_dir: Path, config: PretrainConfig, model_cfg: dict[str, Any],
                     data: PretrainData, t0: float,
                     records: dict[str, str]) -> PretrainResult | None:
    """The finished run in ``out_dir`` when it was written by this very setup, else None.

    Same setup: every option but those free to change on resumption, the model's widths,
    the genes, the samples (by role) and each bundle's ``record.json`` (``records``: a
    bundle prepared again with other values is another setup). Nothing is retrained or rewritten then (its
    ``pretrained.pt`` keeps its bytes, so fingerprints over it stay valid); another
    setup's ``pretrained.pt`` falls through to the checkpoint checks of :func:`_resume`.
    A damaged or foreign ``pretrained.pt`` is refused (it was overwritten, unsaid).
    """
    path = out_dir / "pretrained.pt"
    if not path.is_file():
        return None
    payload = _finished_payload(path)
    diff = setup_diff(payload.get("config") or {}, payload.get("gene_ids"),
                      payload.get("samples") or {}, config, data.gene_ids, data.samples,
                      records=payload.get("bundle_records"), records_now=records)
    diff += [what for what, same in (("model", payload.get("model_name") == config.model),
                                     ("model widths", payload.get("model_config") == model_cfg))
             if not same]
    if diff and (out_dir / "checkpoint.pt").is_file():
        return None  # a run of another setup under way: the checkpoint's checks say what
    if diff:  # a finished run, its checkpoint removed: refused as the checkpoint was
        raise input_error(f"{out_dir} holds a finished run of a different pre-training setup "
                          f"({'; '.join(diff)})", path=path,
                          fix="pre-train into a new --out directory (more epochs too: a "
                              "finished run is not continued), or delete it to replace it")
    logger.info("pre-training run %s is finished: reusing it", out_dir)
    history = list(payload.get("history") or [])
    return PretrainResult(out_dir, history, dict(payload.get("summary") or {}), True,
                          time.perf_counter() - t0, reused=True)


def _finished_payload(path: Path) -> dict[str, Any]:
    """The payload of a run folder's ``pretrained.pt``; refused, naming the file, when it
    cannot be read or is not a pre-training file (a train run's ``model.pt`` copied there)."""
    fix = f"remove {path.name} (or the whole folder) to pre-train again, or use a new --out"
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # truncated, or not a torch file at all
        raise input_error(f"cannot read this finished run's pretrained.pt ({type(exc).__name__}):"
                          " it is damaged", path=path, fix=fix) from exc
    if not isinstance(payload, dict) or payload.get("format") != PRETRAINED_FORMAT:
        what = (f"a {payload['format']!r} file" if isinstance(payload, dict)
                and isinstance(payload.get("format"), str) else "another file")
        raise input_error(f"not a genemoe pre-training file ({what}, not a {PRETRAINED_FORMAT!r} "
                          "one)", path=path, fix=fix)
    return payload


def _gated(rec: dict[str, Any]) -> bool:
    """Whether the epoch's model has gates (utilisation recorded): the balance terms are
    theirs (a VAE-Cox summary said ``loss/importance`` 0.0 of a model with no experts)."""
    return any(k.startswith("util/") for k in rec)


def _summary(st: _State, model_cfg: dict[str, Any], finished: bool,
             records: dict[str, str]) -> dict[str, Any]:
    collapse = collapse_report(st.history, kl_collapse=st.config.kl_collapse)
    for w in collapse["warnings"]:  # its claim; the numbers in summary.json and the run's
        logger.warning("pre-training collapse: %s", short_collapse(w))  # summary below
    for note in collapse["notes"]:
        logger.warning("%s", warning_text(f"pre-training: {note}"))  # 300 characters, unwrapped
    last = st.history[-1] if st.history else {}
    return {"finished": finished, "epochs_run": st.epoch, "model": st.config.model,
            "model_config": model_cfg, "n_genes": len(st.data.gene_ids),
            "n_train": int(len(st.data.X_train)), "n_val": int(len(st.data.X_val)),
            "bundles": with_records(st.data.bundles, records),
            "stream": isinstance(st.X_train, StreamingRows),
            "final": {k: v for k, v in last.items() if k.startswith(("val/", "loss/"))
                      and (_gated(last) or k not in ("loss/importance", "loss/load"))},
            "loss_weights": loss_weights(st.config.to_dict()),  # eq. 11's and the critic's
            "collapse": collapse,
            **({"resumed_from_epoch": list(st.resumed_from)} if st.resumed_from else {}),
            "synthetic": any(b["synthetic"] for b in st.data.bundles),
            "genemoe_version": __version__}


def _write_outputs(st: _State, out_dir: Path, model_cfg: dict[str, Any], summary: dict[str, Any],
                   records: dict[str, str]) -> None:
    """``summary.json``, ``samples.tsv``, ``config.yaml``, then ``pretrained.pt`` (atomic)."""
    state = {k: v.detach().cpu() for k, v in st.model.state_dict().items()
             if not k.startswith("head.")}
    samples = st.data.samples
    atomic_write_text(out_dir / "summary.json", dump_json(summary))
    atomic_write_text(out_dir / "samples.tsv", samples.to_csv(sep="\t", index=False))
    resolved = {"preset": summary["preset"], "pretrain": st.config.to_dict(),
                "model": {st.config.model: model_cfg}}
    said = extends_comment(summary["preset"], summary.get("extends"))  # read back by
    atomic_write_text(out_dir / "config.yaml",  # config_extends when given as --config
                      said + yaml.safe_dump(resolved, sort_keys=False))
    # last: the finished run's mark (a stop before it leaves the checkpoint, resumed and
    # written again; pretrained.pt first left a run reused without its summary.json)
    save_model_file(out_dir / "pretrained.pt", {
        "format": PRETRAINED_FORMAT, "format_version": PRETRAINED_VERSION,
        "genemoe_version": __version__, "model_name": st.config.model, "model_config": model_cfg,
        "n_genes": len(st.data.gene_ids), "gene_ids": st.data.gene_ids,
        "symbols": st.data.symbols, "scalers": st.data.scalers, "state_dict": state,
        "critic_state": {k: v.detach().cpu() for k, v in st.critic.state_dict().items()},
        "samples": samples_by_role(samples), "sample_patients": _sample_patients(samples),
        "bundles": summary["bundles"], "bundle_records": records,
        **values_recorded(st.data.bundles),  # fine-tuning refuses another normalisation
        "config": st.config.to_dict(), "preset": summary["preset"],
        **({"extends": summary["extends"]} if "extends" in summary else {}),
        "history": st.history, "summary": summary,
    })
