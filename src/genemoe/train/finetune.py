"""Transfer a pre-trained encoder into a fine-tuning model (``--pretrained RUN``).

:func:`load_pretrained_encoder` copies the encoder of ``RUN/pretrained.pt`` (written by
:func:`genemoe.train.pretrain.pretrain_run`) into a model of the same family built for
classification or survival. The families and what their encoder is (:func:`encoder_paths`,
top-level submodules of the model):

- Gene-MOE, ``genemoe`` / ``moe``: ``encoder`` (MoE, MOAE, ``mu``);
- VAE-Cox, ``vaecox`` (Kim et al. 2020): ``encoder`` (genes → hidden) and ``mu``
  (hidden → latent), the VAE encoder that VAE-Cox fine-tunes with its Cox-nnet head.
  Its state-dict keys (``encoder.0.*``, ``mu.*``) are kept as they were, so the encoder
  is two submodules rather than one.

The decoder, the head and (when the fine-tuning model lacks it) the ``logvar``
projection are dropped. The run must have pre-trained the model being fine-tuned
(``genemoe`` into ``genemoe``, ``vaecox`` into ``vaecox``; another family is refused), with
the same architecture (same ``model:`` widths, and VAE-Cox's activation; the error names
both configurations). Genes are aligned by id: the input-layer weights of genes the
pre-training did not see start at zero, genes it saw that the fine-tuning bundle lacks are
dropped (as if they sat at their training mean, which is what predict does for missing
genes), and too many missing genes are refused. It also refuses a run that pre-trained on
any sample the fine-tuning will test on, or on another sample of a patient it tests on.

:func:`train_with_frozen_encoder` freezes the encoder (every submodule of
:func:`encoder_paths`) for the first N epochs and then unfreezes it, using the trainer's
pause/resume (``max_epochs_this_call`` + checkpoint). ``--encoder-lr`` gives the encoder
its own learning rate through ``TrainConfig.module_lr``, the ``"encoder"`` entry spread
over every encoder submodule by :func:`encoder_module_lr` (VAE-Cox: ``{"encoder": lr,
"mu": lr}``; ``genemoe train`` does this when it builds the config), whose weights form
their own optimiser groups (frozen or not, so the group layout, and the checkpoint, are the
same in both phases).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from genemoe.data.anndata_io import value_scale
from genemoe.data.splits import default_patient_ids
from genemoe.errors import InputError, input_error
from genemoe.models.genemoe import GeneMoeEncoder
from genemoe.models.registry import signature_defaults
from genemoe.models.survival_peers import VaeCoxModel
from genemoe.train import distributed as ddp
from genemoe.train.checkpoint import resume_epoch_everywhere
from genemoe.train.finetune_genes import align_genes, missing_genes_line
from genemoe.train.pretrain_metrics import short_collapse
from genemoe.train.pretrain_record import same_normalisation

__all__ = ["read_pretrained", "pretrained_sha256", "load_pretrained_encoder", "set_encoder_trainable",
           "check_pretrained_start", "check_normalisation",
           "train_with_frozen_encoder", "encoder_paths", "encoder_module_lr", "transfer_lines",
           "transfer_said_by_caller"]

logger = logging.getLogger(__name__)

_PRETRAINED_FORMAT = "genemoe-pretrained"  # = genemoe.train.pretrain.PRETRAINED_FORMAT
# set by transfer_said_by_caller: the transfer's line goes to DEBUG (the caller says it)
_CALLER_SAYS: contextvars.ContextVar[bool] = contextvars.ContextVar("transfer_said_by_caller",
                                                                    default=False)


@dataclass(frozen=True)
class _Family:
    """A family of models whose encoder ``genemoe pretrain`` trains."""

    label: str
    models: tuple[str, ...]  # registry names (``PretrainConfig.model``)
    encoder: tuple[str, ...]  # top-level submodules that make the encoder (logvar included)
    gene_axis: tuple[tuple[re.Pattern[str], int], ...]  # input-layer tensors: key, gene axis
    owns: Callable[[nn.Module], bool]
    widths: Callable[[nn.Module], dict[str, Any]]  # this model's architecture, as model: keys
    must_match: tuple[str, ...] = ()  # options that change the function but no tensor shape


def _genemoe_widths(model: nn.Module) -> dict[str, Any]:
    """Every option that shapes the encoder's tensors (the fix named too few: following it
    brought the preset's moae_experts and n_tokens back), and the routing's."""
    enc = model.encoder
    moae = enc.moae
    scale = None if moae is None or moae.scale is None else float(moae.scale.detach()[0])
    return {"hidden": enc.hidden, "latent": enc.latent, "n_experts": enc.n_experts, "k": enc.k,
            "use_moae": moae is not None, "shared_expert": enc.moe.shared is not None,
            "batchnorm": enc.moe.post is not None,
            "moae_experts": None if moae is None else len(moae.experts), "moae_k": enc.moae_k,
            "n_tokens": None if moae is None else moae.experts[0].n_tokens,
            "n_heads": enc.n_heads, "moae_layer_scale": scale}


def _vaecox_widths(model: nn.Module) -> dict[str, Any]:
    return {"hidden": model.encoder[0].out_features, "latent": model.n_features,
            "activation": "tanh" if isinstance(model.encoder[1], nn.Tanh) else "relu"}


_FAMILIES = (
    _Family("Gene-MOE", ("genemoe", "moe"), ("encoder",),
            ((re.compile(r"^encoder\.moe\.gate\.w_(gate|noise)$"), 0),
             (re.compile(r"^encoder\.moe\.(experts\.\d+|shared)\.0\.weight$"), 1)),
            lambda m: isinstance(getattr(m, "encoder", None), GeneMoeEncoder), _genemoe_widths,
            must_match=("k", "moae_k", "n_heads")),  # routing and attention: loaded unsaid
    _Family("VAE-Cox", ("vaecox",), ("encoder", "mu", "logvar"),
            ((re.compile(r"^encoder\.0\.weight$"), 1),),
            lambda m: isinstance(m, VaeCoxModel), _vaecox_widths, must_match=("activation",)),
)
# of a must_match option a model: section leaves out, read from the constructors that apply them
_MODEL_DEFAULTS = signature_defaults(GeneMoeEncoder, VaeCoxModel, keys=(
    "activation", "k", "moae_k", "n_heads", "shared_expert", "batchnorm", "moae_experts",
    "n_tokens", "moae_layer_scale"))


def _family_of_model(model: nn.Module) -> _Family | None:
    return next((f for f in _FAMILIES if f.owns(model)), None)


def _family_of_name(name: str) -> _Family | None:
    return next((f for f in _FAMILIES if name in f.models), None)


def encoder_paths(model: nn.Module) -> tuple[str, ...]:
    """The top-level submodules that make ``model``'s encoder (those with weights).

    ``("encoder",)`` for Gene-MOE (and any other model with an ``encoder``), ``("encoder",
    "mu")`` for VAE-Cox (``+ "logvar"`` when built with its decoder); ``()`` for none.
    """
    family = _family_of_model(model)
    paths = family.encoder if family is not None else ("encoder",)
    return tuple(p for p in paths if isinstance(getattr(model, p, None), nn.Module)
                 and any(True for _ in getattr(model, p).parameters()))


def encoder_module_lr(model: nn.Module, module_lr: Mapping[str, float] | None,
                      ) -> dict[str, float] | None:
    """``module_lr`` with its ``"encoder"`` rate given to every submodule of the encoder.

    ``{"encoder": lr}`` becomes ``{"encoder": lr, "mu": lr}`` for VAE-Cox (whose ``mu`` is
    not under ``encoder``) and stays as it is for Gene-MOE; entries already set are kept.
    """
    if not module_lr or "encoder" not in module_lr:
        return None if module_lr is None else dict(module_lr)
    lr = module_lr["encoder"]
    return {**module_lr, **{p: lr for p in encoder_paths(model) if p not in module_lr}}


def read_pretrained(run: Path | str) -> dict[str, Any]:
    """Load ``RUN/pretrained.pt`` (or the file itself); a clear error if it is not one."""
    path = Path(run) / "pretrained.pt" if Path(run).is_dir() else Path(run)
    if not path.is_file() and (path.parent / "checkpoint.pt").is_file():
        raise input_error("no pretrained.pt here: the pre-training was interrupted (its "
                          "checkpoint.pt is there)", path=path,
                          fix="run the same `genemoe pretrain ... --out RUN` again: it resumes "
                              "and finishes, then pass --pretrained RUN")
    if (not path.is_file() and (path.parent / "model.pt").is_file()) or path.name == "model.pt":
        #   was "no pretrained.pt here"; a run's model.pt itself "cannot be read (damaged)"
        raise input_error("a `genemoe train` run, not a pre-training run (no pretrained.pt)",
                          path=path.parent, fix="pass the --out folder of `genemoe pretrain` "
                          "(pre-train first: genemoe pretrain --data BUNDLE --out RUN)")
    if not Path(run).exists():
        raise input_error("no such folder", path=Path(run),
                          fix="check the path (and the working directory), or pre-train first: "
                              "`genemoe pretrain --data BUNDLE --out RUN`")
    if not path.is_file():
        raise input_error("no pretrained.pt here", path=path,
                          fix="pre-train first: `genemoe pretrain --data BUNDLE --out RUN`, then "
                              "pass --pretrained RUN")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # truncated or foreign file
        raise input_error(f"cannot read the pre-trained file ({type(exc).__name__})", path=path,
                          fix="re-run `genemoe pretrain`; the file is damaged or not genemoe's") from exc
    if not isinstance(payload, dict) or payload.get("format") != _PRETRAINED_FORMAT:
        raise input_error("not a genemoe pre-training file", path=path,
                          fix="pass the --out directory of `genemoe pretrain`")
    return payload


# what fine-tuning reads from a pre-training file; its history, summary and timings are not
_CONTENT_KEYS = ("model_name", "model_config", "gene_ids", "scalers", "state_dict", "samples")


def _feed(digest: Any, value: Any) -> None:
    """Feed ``value`` (tensors, arrays, mappings, sequences, scalars) to ``digest`` in a
    canonical order: equal contents give equal bytes whatever the dict's insertion order."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().contiguous()
        digest.update(f"T{value.dtype}{tuple(value.shape)}".encode())
        digest.update(value.view(torch.uint8).numpy().tobytes() if value.numel() else b"")
    elif isinstance(value, np.ndarray):
        digest.update(f"A{value.dtype.str}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes() if value.dtype != object
                      else repr(value.tolist()).encode())
    elif isinstance(value, Mapping):
        digest.update(f"D{len(value)}".encode())
        for key in sorted(value, key=str):
            digest.update(repr(str(key)).encode())
            _feed(digest, value[key])
    elif isinstance(value, (list, tuple)):
        digest.update(f"L{len(value)}".encode())
        for item in value:
            _feed(digest, item)
    else:
        digest.update(f"S{value!r}".encode())


def pretrained_sha256(run: Path | str) -> str:
    """Hex sha256 of what fine-tuning takes from ``RUN/pretrained.pt``: its weights, model
    and options, genes, scalers and samples, not its history, summary or timings.

    Two pre-trainings that end in the same weights (the same command and seed on CPU) hash
    alike, where the file's own bytes differ by their recorded timings; a benchmark keys its
    cells on this, so re-running the pre-training reuses them.
    """
    payload = read_pretrained(run)
    digest = hashlib.sha256()
    for key in _CONTENT_KEYS:
        digest.update(key.encode())
        _feed(digest, payload.get(key))
    return digest.hexdigest()


def _pretrained_widths(pre_cfg: Mapping[str, Any], widths: Mapping[str, Any]) -> str:
    """The pre-training's value of every option in ``widths`` (a model: section's keys, as
    YAML): those its config recorded, and the constructor's default of any other this model
    sets otherwise (a preset's value would come back)."""
    def yaml_value(v: Any) -> str:
        return "null" if v is None else str(v).lower() if isinstance(v, bool) else str(v)

    shown = {k: pre_cfg[k] for k in widths if k in pre_cfg}
    shown |= {k: _MODEL_DEFAULTS[k] for k in widths if k not in pre_cfg and k in _MODEL_DEFAULTS
              and widths[k] is not None and _MODEL_DEFAULTS[k] != widths[k]}
    return ", ".join(f"{k}: {yaml_value(v)}" for k, v in shown.items())


def _under(key: str, paths: Sequence[str]) -> bool:
    return key.split(".", 1)[0] in paths


def load_pretrained_encoder(model: nn.Module, run_dir: Path | str, *, gene_ids: Sequence[str],
                            model_name: str | None = None,
                            test_sample_ids: Sequence[str] | None = None,
                            test_patient_ids: Sequence[str] | None = None,
                            max_missing: float = 0.2,
                            bundle_gene_ids: Sequence[str] | None = None,
                            normalisation: Any = None) -> dict[str, Any]:
    """Copy a pre-trained encoder into ``model``'s encoder (in place).

    Parameters
    ----------
    model
        A ``genemoe``, ``moe`` or ``vaecox`` model built for fine-tuning
        (``with_decoder=False``).
    run_dir
        A ``genemoe pretrain`` run directory (or its ``pretrained.pt``).
    gene_ids
        The fine-tuning model's input genes, in column order.
    model_name
        The fine-tuning model's registry name; must equal the pre-trained one.
    test_sample_ids
        Samples the fine-tuning run will test on; refused if pre-training used any.
    test_patient_ids
        Their patients (the bundle's ``obs["patient_id"]`` of the test rows); refused if
        pre-training used any sample of one of them. None: derived from
        ``test_sample_ids`` (a TCGA barcode's patient, else the sample id).
    max_missing
        Largest share of pre-trained genes the fine-tuning data may lack.
    bundle_gene_ids
        Every gene of the fine-tuning bundle, before its gene filter: the pre-trained genes
        the model lacks are then counted apart (absent from the bundle, removed by its
        filter). None: counted together.
    normalisation
        The fine-tuning bundle's normalisation (its record's); refused when the run
        pre-trained on another (:func:`check_normalisation`). None: not checked.

    Returns
    -------
    dict
        What was loaded: run, model name, encoder submodules, tensor count, gene
        alignment counts, the pre-training's final metrics.
    """
    payload = read_pretrained(run_dir)
    where = str(run_dir)
    family = _family_of_model(model)
    _check_starts(payload, where, family, model_name or type(model).__name__,
                  model_name is not None)
    _check_no_test_leak(payload, where, test_sample_ids, test_patient_ids)
    values = check_normalisation(payload, where, normalisation)
    pre_name = str(payload["model_name"])
    paths = encoder_paths(model)
    target = {k: v for k, v in model.state_dict().items() if _under(k, paths)}
    # the encoder's tensors; logvar only where this model has it (pre-training needs it)
    state = {k: v for k, v in payload["state_dict"].items() if _under(k, family.encoder)
             and (k in target or "logvar" not in k.split("."))}
    genes = align_genes(state, payload["gene_ids"], list(map(str, gene_ids)), max_missing, where,
                        family.gene_axis, bundle_genes=bundle_gene_ids)
    pre_cfg = dict(payload.get("model_config") or {})
    widths = family.widths(model)
    problems = sorted(set(target) ^ set(state)) + [
        f"{k} {tuple(state[k].shape)} vs {tuple(v.shape)}" for k, v in target.items()
        if k in state and state[k].shape != v.shape] + [
        f"{k} {pre_cfg.get(k, _MODEL_DEFAULTS.get(k))!r} vs {widths[k]!r}"
        for k in family.must_match if pre_cfg.get(k, _MODEL_DEFAULTS.get(k)) != widths[k]]
    if problems:
        run = Path(where) if Path(where).is_dir() else Path(where).parent
        raise input_error(
            f"the pre-trained encoder does not fit this model ({'; '.join(problems[:4])}): the run "
            f"pre-trained model.{pre_name} = {pre_cfg}; this model has {widths}",
            path=where, fix=f"fine-tune with the model: section the run was pre-trained with: "
            f"--config {run / 'config.yaml'} (its pretrain: section is not read by train), or "
            f"`model: {{{pre_name}: {{{_pretrained_widths(pre_cfg, widths)}}}}}` in your --config "
            f"YAML (preset {payload.get('preset')!r}); or pre-train again with this model: section")
    model.load_state_dict(state, strict=False)  # the encoder's keys, checked equal above
    info = {"run": str(Path(run_dir).absolute()), "model_name": pre_name,
            "encoder_modules": list(paths), "n_tensors": len(state), **values,
            "pretrain_summary": payload.get("summary", {}).get("final", {}), **genes,
            # a collapse was said on the terminal only (the run's report and files had none)
            "collapse_warnings": list((payload.get("summary") or {}).get("collapse", {}).get(
                "warnings", []))}
    _say_transfer(where, info, payload)
    return info


def transfer_lines(pre: Mapping[str, Any], where: str | None = None) -> list[str]:
    """What a fine-tuned model started from, in two or three short lines (the terminal's words).

    Parameters
    ----------
    pre
        :func:`load_pretrained_encoder`'s record (config.yaml's ``pretrained``, metrics.json's
        ``protocol.pretrained``).
    where
        The run as the reader should see it (default: the record's ``run``).

    Returns
    -------
    list of str
        The run, its encoder and tensors (and the frozen epochs, when recorded); the model's
        genes pre-trained and new (zero input weights); the pre-training's genes this
        bundle lacks, when any.
    """
    family = _family_of_name(str(pre.get("model_name")))
    label = family.label if family is not None else str(pre.get("model_name", "a"))
    shared, new = int(pre.get("n_genes_shared") or 0), int(pre.get("n_genes_new") or 0)
    missing = int(pre.get("n_genes_missing") or 0)
    n_pre = int(pre.get("n_genes_pretrained") or shared + missing)
    modules = ", ".join(pre.get("encoder_modules") or ())
    head = (f"started from the pre-trained {label} encoder"
            + (f" ({modules})" if modules else "") + f" of {where or pre.get('run')}: "
            + f"{int(pre.get('n_tensors') or 0)} tensors"
            + _frozen_words(pre))
    genes = (f"{shared:,} of the model's {shared + new:,} genes pre-trained, {new:,} new (zero "
             "input weights)")
    return [head, genes] + ([line] if (line := missing_genes_line(pre, n_pre)) else [])


def _frozen_words(pre: Mapping[str, Any]) -> str:
    """``", frozen for the first 5 epochs"``, or, of an encoder never unfrozen (recorded by
    :func:`train_with_frozen_encoder`), ``", frozen for all 2 epochs (never unfrozen; 5
    asked)"``; ``""`` when not frozen."""
    freeze = int(pre.get("freeze_encoder_epochs") or 0)
    if not freeze:
        return ""
    if pre.get("encoder_unfrozen") is not False:
        return f", frozen for the first {freeze} epochs"
    asked = int(pre.get("freeze_encoder_epochs_asked") or freeze)
    return (f", frozen for all {freeze} epoch{'' if freeze == 1 else 's'} (never unfrozen"
            + (f"; {asked} asked" if asked != freeze else "") + ")")


@contextlib.contextmanager
def transfer_said_by_caller() -> Iterator[None]:
    """Within it, :func:`load_pretrained_encoder` logs its transfer line at DEBUG, not INFO:
    the caller says it itself (``genemoe train``'s table, from metrics.json), not twice.
    Its warnings (few genes pre-trained, a collapsed pre-training) are said all the same."""
    token = _CALLER_SAYS.set(True)
    try:
        yield
    finally:
        _CALLER_SAYS.reset(token)


def _say_transfer(where: str, info: dict[str, Any], payload: dict[str, Any]) -> None:
    """What the model starts from, on the terminal (it was behind -v; DEBUG inside
    :func:`transfer_said_by_caller`): how many of its genes were pre-trained, warned when
    under half; a collapsed pre-training, warned."""
    shared, new = info["n_genes_shared"], info["n_genes_new"]
    logger.log(logging.DEBUG if _CALLER_SAYS.get() else logging.INFO, "%s",
               "; ".join(transfer_lines(info, where)))
    run = {"pretrained_run": where}  # a caller running many (the ablation) names each
    if new > shared:
        logger.warning("only %s of the model's %s genes were pre-trained (%.0f%%): the encoder "
                       "starts untrained on the others; pre-train on this bundle's genes for "
                       "more", f"{shared:,}", f"{shared + new:,}", 100 * shared / (shared + new),
                       extra=run)
    for w in (payload.get("summary") or {}).get("collapse", {}).get("warnings", []):
        logger.warning("the pre-training collapsed (%s): it may start no better than a fresh "
                       "encoder", short_collapse(w), extra={**run, "pretrain_collapse": True})


def check_normalisation(payload: Mapping[str, Any], where: str, normalisation: Any,
                        ) -> dict[str, Any]:
    """Refuse fine-tuning on values of another normalisation than the pre-training's.

    Parameters
    ----------
    payload
        The pre-training file (:func:`read_pretrained`).
    where
        The run, as the error names it.
    normalisation
        The fine-tuning bundle's (its record's ``normalisation``); None: not known.

    Returns
    -------
    dict
        For the record (``protocol.pretrained``): ``normalisation`` (the pre-training's)
        and ``normalisation_check`` (``"same"``, or why it was not checked: a file of an
        earlier genemoe records none, and is said on the terminal).
    """
    if "normalisations" not in payload:  # written before it was recorded
        said = "normalisation not recorded (an earlier genemoe): not checked"
        logger.warning("the pre-trained run %s: %s", where, said)
        return {"normalisation_check": said}
    pre = list(payload.get("normalisations") or [])
    shown = payload.get("normalisation") or (" / ".join(map(str, pre)) if pre else None)
    if not pre or normalisation is None:
        which = "the pre-training's" if not pre else "the fine-tuning data's"
        return {"normalisation": shown, "normalisation_check": f"{which} not known: not checked"}
    if not same_normalisation(pre, normalisation):
        raise input_error(
            f"the run pre-trained on {shown} values ({payload.get('value_scale')}), this bundle "
            f"holds {normalisation} values ({value_scale(normalisation)[0]}): the encoder "
            "would read another scale", path=where,
            fix=f"prepare the bundle with the same --normalisation {shown} (genemoe prepare "
                f"... --normalisation {shown}), or pre-train on this bundle "
                f"(genemoe pretrain --data BUNDLE --out RUN)")
    return {"normalisation": shown, "normalisation_check": "same"}


def check_pretrained_start(run_dir: Path | str, model_names: Sequence[str],
                           tests: Sequence[tuple[str, Sequence[str], Sequence[str]]], *,
                           normalisation: Any = None) -> None:
    """Refuse, before any training, a pre-trained run that cannot start every one of
    ``model_names`` or that pre-trained on a sample or patient of a test part: what
    :func:`load_pretrained_encoder` refuses in each model's fit, said at once (a benchmark
    refused its third cell, after ``--out`` was touched and the earlier cells computed).

    Parameters
    ----------
    run_dir
        A ``genemoe pretrain`` run directory (or its ``pretrained.pt``).
    model_names
        The registry names of the models it is to start.
    tests
        ``(label, test sample ids, their patient ids)`` per test part (a benchmark's
        ``"repeat 0, fold 1"``); the label goes into a refusal.
    normalisation
        The benchmark bundle's (its record's); refused when the run pre-trained on another
        (:func:`check_normalisation`; a benchmark fine-tuned on it unchecked). None: not known.
    """
    payload, where = read_pretrained(run_dir), str(run_dir)
    if normalisation is not None:
        check_normalisation(payload, where, normalisation)
    for name in model_names:
        _check_starts(payload, where, _family_of_name(name), name, True)
    for label, samples, patients in tests:
        try:
            _check_no_test_leak(payload, where, samples, patients)
        except InputError as exc:
            raise exc.with_fix(str(exc.fix), problem=f"{exc.problem} ({label}'s test part)"
                               ) from exc


def _check_starts(payload: dict[str, Any], where: str, family: _Family | None, this: str,
                  named: bool) -> None:
    """Refuse starting model ``this`` (of ``family``; ``named``: ``this`` is a registry
    name, else a class name) from the pre-trained ``payload``."""
    if family is None:
        names = ", ".join(n for f in _FAMILIES for n in f.models)
        raise input_error(f"--pretrained needs a model with a pre-trained encoder ({names}); "
                          f"{this} has none", where="--model",
                          fix=f"fine-tune one of {names}: the model the run pre-trained "
                              "(`pretrain: model:` of its config.yaml)")
    pre_name = str(payload["model_name"])
    pre_family = _family_of_name(pre_name)
    if pre_family is not family or (named and this != pre_name):
        this = this if named else family.models[0]
        why = ("" if pre_family is family else
               f": a {pre_family.label if pre_family else 'foreign'} encoder cannot start a "
               f"{family.label} model")
        raise input_error(f"the run pre-trained model {pre_name!r}, not {this!r}{why}",
                          path=where, fix=f"fine-tune with --model {pre_name}, or pre-train "
                          f"{this}: `genemoe pretrain --model {this} ...` (or `pretrain: model: "
                          f"{this}` in its --config YAML)")


def _pretrained_patients(payload: dict[str, Any], where: str) -> dict[str, str]:
    """Sample id → patient id of every sample the run pre-trained on (train and val)."""
    used = [*payload["samples"]["train"], *payload["samples"]["val"]]
    recorded = dict(payload.get("sample_patients") or {})
    missing = [s for s in used if s not in recorded]
    if missing:
        logger.info("the pre-trained run %s records no patient for %d sample(s) (an older run): "
                    "their patients are derived from TCGA barcodes (first 12 characters), else "
                    "taken to be the sample id", where, len(missing))
        recorded.update(zip(missing, default_patient_ids(missing), strict=True))
    return {str(s): str(recorded[s]) for s in used}


def _check_no_test_leak(payload: dict[str, Any], where: str, test_sample_ids: Sequence[str] | None,
                        test_patient_ids: Sequence[str] | None) -> None:
    """Refuse a run that pre-trained on a test sample or on another sample of a test patient."""
    fix = ("pre-train on bundles whose test split holds these samples and patients (genemoe "
           "prepare splits by patient; genemoe pretrain never trains on a test split), or on "
           "other cohorts")
    tests = [str(s) for s in test_sample_ids or ()]
    used = _pretrained_patients(payload, where)
    leaked = sorted(set(used).intersection(tests))
    if leaked:
        raise input_error(f"pre-training used {len(leaked)} sample(s) this run tests on "
                          f"(e.g. {', '.join(leaked[:3])})", path=where, fix=fix)
    patients = set(map(str, test_patient_ids if test_patient_ids is not None
                       else default_patient_ids(tests)))
    shared = sorted({p for p in used.values() if p in patients})
    if shared:
        ex = [f"patient {p} (pre-trained on sample {next(s for s, q in used.items() if q == p)})"
              for p in shared[:3]]
        raise input_error(f"pre-training used samples of {len(shared)} patient(s) this run tests "
                          f"on: {'; '.join(ex)}", path=where, fix=fix)


def set_encoder_trainable(model: nn.Module, trainable: bool) -> None:
    """Freeze (``False``) or unfreeze the model's encoder (:func:`encoder_paths`); the
    head stays trainable."""
    paths = encoder_paths(model)
    if not paths:
        raise input_error("this model has no encoder to freeze", where="--freeze-encoder-epochs",
                          fix="use --model genemoe, moe or vaecox, or drop --freeze-encoder-epochs")
    for p in paths:
        getattr(model, p).requires_grad_(trainable)


def train_with_frozen_encoder(train_fn: Callable[..., Any], model: nn.Module, *,
                              freeze_epochs: int, checkpoint_path: Path,
                              record: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """``train_fn(model, checkpoint_path=..., **kwargs)`` with the encoder frozen at first.

    The first ``freeze_epochs`` epochs run with the encoder frozen (the trainer pauses via
    ``max_epochs_this_call``), the rest with it trainable, resuming from the checkpoint.
    A run interrupted in either phase resumes in the right one, on every rank alike (the
    processes meet first and agree on the newest checkpoint any of them reads).
    ``freeze_epochs`` at or above the run's epochs freezes the whole run. An encoder
    learning rate belongs in the ``config``'s ``module_lr`` already spread over every
    encoder part (:func:`encoder_module_lr`, as ``genemoe train`` does).

    ``record`` (the transfer's record, :func:`load_pretrained_encoder`'s) gets what
    happened: ``freeze_encoder_epochs``, the epochs really frozen (at most those run),
    ``freeze_encoder_epochs_asked`` and ``encoder_unfrozen`` (False: frozen throughout).
    """
    if freeze_epochs <= 0:
        return train_fn(model, checkpoint_path=checkpoint_path, **kwargs)
    result, unfrozen = _train_frozen_first(train_fn, model, freeze_epochs=freeze_epochs,
                                           checkpoint_path=checkpoint_path, **kwargs)
    if record is not None:  # "frozen for the first 5 epochs" was said of a 2-epoch run
        record.update(freeze_encoder_epochs=int(freeze_epochs if unfrozen else result.epochs_run),
                      freeze_encoder_epochs_asked=int(freeze_epochs), encoder_unfrozen=unfrozen)
    return result


def _train_frozen_first(train_fn: Callable[..., Any], model: nn.Module, *, freeze_epochs: int,
                        checkpoint_path: Path, **kwargs: Any) -> tuple[Any, bool]:
    """:func:`train_with_frozen_encoder`'s two phases: the result, and whether the encoder
    was unfrozen (after epoch ``freeze_epochs``)."""
    # every rank must take the same phase: the epoch of the newest copy any rank reads,
    # agreed once the processes have met (a node-local disk may hold none, or an older one)
    config = kwargs.get("config")
    info = ddp.init_distributed(device=getattr(config, "device", None) or "auto")
    done = resume_epoch_everywhere(checkpoint_path, info)
    if done < freeze_epochs:
        set_encoder_trainable(model, False)
        result = train_fn(model, checkpoint_path=checkpoint_path,
                          max_epochs_this_call=freeze_epochs - done, **kwargs)
        if result.finished:  # all epochs run (or stopped early) while frozen
            set_encoder_trainable(model, True)
            return result, False
        logger.info("unfreezing the encoder after epoch %d", result.epochs_run)
        set_encoder_trainable(model, True)
        return train_fn(model, checkpoint_path=checkpoint_path, continuing=True, **kwargs), True
    set_encoder_trainable(model, True)  # resumed past the frozen epochs
    return train_fn(model, checkpoint_path=checkpoint_path, **kwargs), True
